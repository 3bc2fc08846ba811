"""The operator API: start an ingestion in the background, follow it to its report; operators only."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.components.container import build_components
from assistant.server.app import create_app
from assistant.settings import Settings
from tests.shops import shop_settings

KEY = {"X-Operator-Key": "dev-operator-key"}


def _wait(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/v1/ingest/jobs/{job_id}", headers=KEY).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_start_and_follow_an_ingestion(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "faq.md").write_text("# FAQ\n\n## Returns\n\nWithin 30 days.\n", encoding="utf-8")
    (tmp_path / "docs" / "notes.xyz").write_text("?", encoding="utf-8")
    client = TestClient(create_app(settings, build_components(settings)))

    started = client.post("/v1/ingest/jobs", json={"paths": [str(tmp_path / "docs")], "kind": "policy"}, headers=KEY)
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running", "succeeded")
    job = _wait(client, started.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["report"]["added"] == 1 and job["report"]["chunks_written"] >= 1
    assert [problem["message"].split(";")[0] for problem in job["report"]["problems"]] == ["unknown format .xyz"]
    assert client.get("/v1/ingest/jobs", headers=KEY).json()[0]["id"] == job["id"]
    assert list((settings.data_dir / "keyword_index").glob("*.bm25.json"))  # warmed for the first search

    nothing = client.post("/v1/ingest/jobs", json={"paths": [str(tmp_path / "missing")], "kind": "policy"}, headers=KEY)
    failed = _wait(client, nothing.json()["id"])
    assert failed["status"] == "failed" and "nothing could be ingested" in failed["error"]


def test_operators_only_and_bad_requests(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    client = TestClient(create_app(settings, build_components(settings)))
    assert client.post("/v1/ingest/jobs", json={"demo": True}).status_code == 401
    assert client.post("/v1/ingest/jobs", json={"demo": True}, headers={"X-Operator-Key": "wrong"}).status_code == 401
    assert client.post("/v1/ingest/jobs", json={"paths": ["x"]}, headers=KEY).status_code == 422  # no kind
    assert client.post("/v1/ingest/jobs", json={"demo": True, "kind": "policy"}, headers=KEY).status_code == 422
    assert client.get("/v1/ingest/jobs/nope", headers=KEY).status_code == 404

    production = make_settings(
        server={"environment": "production"},
        shops=shop_settings(
            base_url="http://127.0.0.1:9",
            commerce_key="prod-commerce-key",
            api_key="prod-shop-key",
            operator_key="prod-operator-key",
        ),
    )
    client = TestClient(create_app(production, build_components(production)))
    refused = client.get("/v1/ingest/jobs", headers=KEY)  # the development key is no key of a production shop
    assert refused.status_code == 401 and "not valid" in refused.json()["message"]
    assert client.get("/v1/ingest/jobs", headers={"X-Operator-Key": "prod-operator-key"}).json() == []


def test_a_demo_job_fills_the_operators_shop_only(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    """The API's demo job is the CLI's: the operator's shop's sources with their audiences, into its own collection,
    and another shop's documents found there removed."""
    settings = make_settings()
    components = build_components(settings)
    chinese = Path(__file__).resolve().parents[2] / "data" / "ecom_store" / "policy_zh.md"
    from ingest.pipeline import IngestPipeline

    # Another business's document in the retail collection, as an older single-collection version could leave it.
    IngestPipeline(components, "knowledge_retail").run([chinese], "policy")
    client = TestClient(create_app(settings, components))
    job = _wait(client, client.post("/v1/ingest/jobs", json={"demo": True}, headers=KEY).json()["id"])
    assert job["status"] == "succeeded", job
    assert (job["shop"], job["collection"]) == ("retail", "knowledge_retail")
    assert "knowledge_jd_appliances" not in components.vector_store().collection_names(), "the other shop was not filled"
    collection = components.vector_store().collection("knowledge_retail")
    stored = {chunk.metadata["document_id"]: chunk.metadata.get("audience") for chunk in collection.scan()}
    assert not any("ecom_store" in document for document in stored), "the other shop's document was removed"
    assert stored["data/retail/help_centre.md"] == "customer" and stored["data/retail/policy.md"] == "internal"
