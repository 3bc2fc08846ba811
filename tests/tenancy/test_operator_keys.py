"""Probes with shop A's operator key against shop B's agents, figures, ingestion jobs and knowledge."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from assistant.feedback.publish import corrections_folder
from tests.conftest import DATA
from tests.tenancy.conftest import JD_DOCUMENT_SECRET, World, not_found

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
TODAY = datetime.now(UTC).date()
PERIOD = {"from": str(TODAY - timedelta(days=300)), "to": str(TODAY + timedelta(days=2))}


async def test_a_sees_and_changes_only_its_own_agents(world: World) -> None:
    listed = (await world.http.get("/v1/agents", headers=world.operator("retail"))).json()
    assert [agent["id"] for agent in listed] == [world.retail_agent]
    not_found(await world.http.patch(f"/v1/agents/{world.jd_agent}", json={"active": False}, headers=world.operator("retail")))
    me = await world.http.get("/v1/agent/me", headers=world.agent("jd_appliances"))
    assert me.status_code == 200 and me.json()["active"], "B's agent is still on duty"
    # A name is unique within a shop: A may have its own "mei", which tells nothing about B's.
    mei = await world.http.post("/v1/agents", json={"name": "mei", "languages": ["en"]}, headers=world.operator("retail"))
    assert mei.status_code == 201 and mei.json()["agent"]["shop"] == "retail"
    await world.http.patch(f"/v1/agents/{mei.json()['agent']['id']}", json={"active": False}, headers=world.operator("retail"))


@pytest.mark.parametrize("extra", [{}, {"shop": "jd_appliances"}], ids=["plain", "asking for B by ?shop="])
async def test_metrics_count_only_as_conversations(world: World, extra: dict[str, str]) -> None:
    response = await world.http.get("/v1/analytics/metrics", params={**PERIOD, **extra}, headers=world.operator("retail"))
    assert response.status_code == 200, response.text
    total = response.json()["report"]["total"]
    mine = world.rows(
        "SELECT count(*) FROM messages JOIN conversations ON conversations.id = messages.conversation_id "
        "WHERE conversations.shop = 'retail' AND messages.role = 'customer'"
    )[0][0]
    theirs = world.rows(
        "SELECT count(*) FROM messages JOIN conversations ON conversations.id = messages.conversation_id "
        "WHERE conversations.shop = 'jd_appliances' AND messages.role = 'customer'"
    )[0][0]
    assert theirs >= 2, "B has customer messages to leak"
    assert total["messages"]["customer"] == mine
    assert response.json()["definitions"]["timezone"] == "America/New_York"  # A's own time zone, not B's Asia/Shanghai


async def test_questions_and_forecast_hold_none_of_bs_conversations(world: World) -> None:
    questions = await world.http.get("/v1/analytics/questions", params=PERIOD, headers=world.operator("retail"))
    assert questions.status_code == 200, questions.text
    report: dict[str, Any] = questions.json()["report"]
    examples = [text for cluster in report["hot"] + report["gaps"] for text in cluster["examples"]]
    assert not any("12810332319" in text or "转人工" in text for text in examples), examples
    # The forecast learns from whole past hours: B's conversation moved to yesterday is history B's forecast reads.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    engine = create_engine(world.settings.database.url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE conversations SET created_at = :at WHERE id = :id"), {"at": yesterday, "id": world.jd_conversation}
        )
    engine.dispose()
    theirs = await world.http.get("/v1/analytics/forecast", headers=world.operator("jd_appliances"))
    assert theirs.status_code == 200 and theirs.json()["history_conversations"] >= 1
    forecast = await world.http.get("/v1/analytics/forecast", headers=world.operator("retail"))
    assert forecast.status_code == 200 and forecast.json()["history_conversations"] == 0
    assert (forecast.json()["timezone"], theirs.json()["timezone"]) == ("America/New_York", "Asia/Shanghai")


async def test_bs_ingestion_job_is_not_found_and_not_listed(world: World) -> None:
    not_found(await world.http.get(f"/v1/ingest/jobs/{world.jd_job}", headers=world.operator("retail")))
    listed = (await world.http.get("/v1/ingest/jobs", headers=world.operator("retail"))).json()
    assert world.jd_job not in [job["id"] for job in listed]
    theirs = (await world.http.get("/v1/ingest/jobs", headers=world.operator("jd_appliances"))).json()
    assert world.jd_job in [job["id"] for job in theirs]


async def test_a_cannot_copy_bs_documents_into_its_own_collection(world: World) -> None:
    """B's knowledge sources, the folder of B's published corrections and the files B's operators ingested are
    reported exactly like missing paths, and nothing of them reaches A's collection."""
    before = world.chunks("knowledge_retail")
    paths = [
        str(DATA / "ecom_store" / "products.json"),
        str(corrections_folder(world.app.state.components, "jd_appliances")),
        str(world.jd_document),
        str(world.jd_document.parent),
    ]
    job = await world.http.post("/v1/ingest/jobs", json={"paths": paths, "kind": "policy"}, headers=world.operator("retail"))
    assert job.status_code == 202 and job.json()["collection"] == "knowledge_retail"
    for _ in range(300):
        done = (await world.http.get(f"/v1/ingest/jobs/{job.json()['id']}", headers=world.operator("retail"))).json()
        if done["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.2)
    assert done["status"] == "failed" and done["report"]["documents_seen"] == 0, done
    assert {problem["message"] for problem in done["report"]["problems"]} == {"no such file or folder"}
    assert world.chunks("knowledge_retail") == before
    assert not any(JD_DOCUMENT_SECRET in document or "ecom_store" in document for document in world.chunks("knowledge_retail"))


async def test_as_demo_job_fills_as_collection_and_leaves_bs_alone(world: World) -> None:
    theirs = world.chunks("knowledge_jd_appliances")
    job = await world.http.post("/v1/ingest/jobs", json={"demo": True, "dry_run": True}, headers=world.operator("retail"))
    assert job.status_code == 202 and (job.json()["shop"], job.json()["collection"]) == ("retail", "knowledge_retail")
    for _ in range(300):
        done = (await world.http.get(f"/v1/ingest/jobs/{job.json()['id']}", headers=world.operator("retail"))).json()
        if done["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.2)
    assert world.chunks("knowledge_jd_appliances") == theirs
