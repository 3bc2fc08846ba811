"""The evaluation's own commerce service serves the retail seed, also when its folder is given relative to the working
folder (as under the default data folder `var/`), and a reset puts back what a task changed."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from evals.suites.commerce_env import OwnRetailCommerce


def test_own_commerce_serves_the_seed_from_a_relative_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with OwnRetailCommerce(Path("var") / "work" / "commerce") as commerce:
        client = httpx.Client(base_url=f"{commerce.base_url}/v1", headers={"Authorization": f"Bearer {commerce.api_key}"})
        lookup = client.get("/customers/lookup", params={"email": "yusuf.hernandez6086@example.com"})
        assert lookup.status_code == 200 and lookup.json() == {"user_id": "yusuf_hernandez_6467"}
        commerce.reset()
        assert client.get("/customers/lookup", params={"email": "yusuf.hernandez6086@example.com"}).status_code == 200
        client.close()
    assert not (tmp_path / "var" / "work" / "commerce" / "var").exists()  # no stray database under the service's folder
