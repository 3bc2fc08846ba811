"""The evaluation's own commerce service serves the retail seed, also when its folder is given relative to the working
folder (as under the default data folder `var/`), exposes its two database files to the state check, and a reset puts
back what a task changed."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from evals.suites.commerce_env import OwnCommerce
from evals.suites.db_state import compare_databases
from evals.suites.state_oracle import InspectableCommerce


def test_own_commerce_serves_the_seed_from_a_relative_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with OwnCommerce(Path("var") / "work" / "commerce") as commerce:
        client = httpx.Client(base_url=f"{commerce.base_url}/v1", headers={"Authorization": f"Bearer {commerce.api_key}"})
        lookup = client.get("/customers/lookup", params={"email": "yusuf.hernandez6086@example.com"})
        assert lookup.status_code == 200 and lookup.json() == {"user_id": "yusuf_hernandez_6467"}
        assert isinstance(commerce, InspectableCommerce) and commerce.template.is_absolute()
        assert compare_databases(commerce.template, commerce.db_path) == []
        cancelled = client.post("/orders/%23W3361211/cancel", json={"reason": "no longer needed"})
        assert cancelled.status_code == 200, cancelled.text
        assert {d.table for d in compare_databases(commerce.template, commerce.db_path)} == {"orders", "payments"}
        commerce.reset()
        assert compare_databases(commerce.template, commerce.db_path) == []
        assert client.get("/customers/lookup", params={"email": "yusuf.hernandez6086@example.com"}).status_code == 200
        client.close()
    assert not (tmp_path / "var" / "work" / "commerce" / "var").exists()  # no stray database under the service's folder
