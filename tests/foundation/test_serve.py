"""`assistant serve` brings up the API with its model server and each shop's commerce service, and takes them down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import MODELS_DIR, TEST_MODEL, free_port

pytestmark = pytest.mark.slow


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "assistant serve exited early"
        try:
            return httpx.get(url, timeout=30)
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _settled_health(url: str, process: subprocess.Popen[bytes], seconds: float) -> dict[str, str]:
    """Each part's status once the embedders have loaded: while EmbeddingGemma loads at start (10-60 s on a busy
    machine) a probe can miss its 10 s budget and say so; the parts that need no setup then settle to ok."""
    deadline = time.monotonic() + seconds
    while True:
        health = _wait_for(url, process, seconds)
        parts = {part["name"]: part["status"] for part in health.json()["parts"]}
        if all(parts.get(name) == "ok" for name in ("llm", "embeddings", "vector_store")) or time.monotonic() > deadline:
            return parts
        time.sleep(2)


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
        return True
    except httpx.TransportError:
        return False


def test_serve_answers_health_and_sigterm_stops_its_children(test_model_file: Path, tmp_path: Path) -> None:
    api, llm, commerce, commerce_jd = free_port(), free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(tmp_path),
        "ASSISTANT_SERVER__PORT": str(api),
        "ASSISTANT_LLM__PORT": str(llm),
        "ASSISTANT_LLM__LOCAL_MODEL": TEST_MODEL,
        "ASSISTANT_LLM__MODELS_DIR": str(MODELS_DIR),
        "ASSISTANT_VECTOR_STORE__PATH": str(tmp_path / "chroma"),
        "ASSISTANT_DATABASE__URL": f"sqlite:///{tmp_path / 'assistant.db'}",
        "ASSISTANT_SHOPS__RETAIL__COMMERCE__BASE_URL": f"http://127.0.0.1:{commerce}",
        "ASSISTANT_SHOPS__RETAIL__COMMERCE__DATABASE_URL": f"sqlite:///{tmp_path / 'commerce.db'}",
        "ASSISTANT_SHOPS__JD_APPLIANCES__COMMERCE__BASE_URL": f"http://127.0.0.1:{commerce_jd}",
        "ASSISTANT_SHOPS__JD_APPLIANCES__COMMERCE__DATABASE_URL": f"sqlite:///{tmp_path / 'commerce-jd.db'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        parts = _settled_health(f"http://127.0.0.1:{api}/health", process, seconds=300)
        # No understanding model is trained and no knowledge ingested here: health says so (turns fall back to the
        # keyword rules; questions get the honest "no information").
        assert parts == {
            "llm": "ok", "embeddings": "ok", "vector_store": "ok", "database": "ok", "understanding": "error",
            "commerce:retail": "ok", "commerce:jd_appliances": "ok", "knowledge:retail": "error",
            "knowledge:jd_appliances": "error",
        }  # fmt: skip
        # Each shop's backend is its own service, seeded with its own data.
        jd_order = httpx.get(
            f"http://127.0.0.1:{commerce_jd}/v1/orders/312705335872", headers={"Authorization": "Bearer dev-commerce-key"}
        )
        assert jd_order.status_code == 200 and jd_order.json()["user_id"] == "cnjdwdnipzaorvgkymr"
        assert httpx.get(f"http://127.0.0.1:{api}/", follow_redirects=False).headers["location"] == "/chat"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    assert f"The assistant is up: http://127.0.0.1:{api}/" in output
    assert not _answers(f"http://127.0.0.1:{llm}/v1/models"), "the model server outlived `assistant serve`"
    assert not _answers(f"http://127.0.0.1:{commerce}/health"), "the commerce service outlived `assistant serve`"
    assert not _answers(f"http://127.0.0.1:{commerce_jd}/health"), "the JD shop's commerce service outlived it"
