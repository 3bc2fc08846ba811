"""GET /health and `assistant doctor` report each part, and say plainly when the LLM is unreachable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from assistant.components.llm.local_server import LocalLLMServer
from assistant.server.app import create_app
from tests.conftest import free_port
from tests.shops import shop_settings

UNREACHABLE = {"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-test", "model": "gpt-4o-mini"}


def test_health_reports_every_part_with_the_local_model(local_llm: LocalLLMServer, make_settings) -> None:  # type: ignore[no-untyped-def]
    port = int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])
    settings = make_settings(llm={"port": port})
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    parts = {part["name"]: part for part in response.json()["parts"]}
    assert set(parts) == {
        "llm", "embeddings", "vector_store", "database", "understanding",
        "commerce:retail", "commerce:jd_appliances", "knowledge:retail", "knowledge:jd_appliances",
    }  # fmt: skip
    # Never ingested here: each shop's collection is reported missing, with the command that fills it.
    assert parts["knowledge:retail"]["status"] == "error" and "knowledge_retail" in parts["knowledge:retail"]["detail"]
    assert parts["commerce:jd_appliances"]["provider"] == "http://127.0.0.1:8767"
    assert parts["understanding"]["status"] == "error" and "assistant understand train" in parts["understanding"]["detail"]
    for name in ("llm", "embeddings", "vector_store", "database"):
        assert parts[name]["status"] == "ok", parts[name]
    assert "qwen2.5-coder-0.5b" in parts["llm"]["detail"]
    assert "512 dimensions" in parts["embeddings"]["detail"]


def test_unreachable_openai_endpoint_is_reported_not_crashed(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(llm=UNREACHABLE, shops=shop_settings(base_url=f"http://127.0.0.1:{free_port()}", commerce_key="k"))
    with TestClient(create_app(settings)) as client:
        first = client.get("/health")
        second = client.get("/health")  # the service is still up
    assert first.status_code == second.status_code == 503
    llm = next(part for part in first.json()["parts"] if part["name"] == "llm")
    assert llm == {**llm, "provider": "openai", "status": "error", "detail": "the model server cannot be reached"}


@pytest.mark.slow
def test_doctor_says_the_llm_cannot_be_reached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, **{f"ASSISTANT_LLM__{key.upper()}": value for key, value in UNREACHABLE.items()}}
    env["ASSISTANT_DATA_DIR"] = str(tmp_path)
    env["COLUMNS"] = "200"  # rich wraps table cells at 80 columns when not on a terminal
    env["ASSISTANT_VECTOR_STORE__PATH"] = str(tmp_path / "chroma")
    env["ASSISTANT_DATABASE__URL"] = f"sqlite:///{tmp_path / 'a.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "doctor"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the model server cannot be reached" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
