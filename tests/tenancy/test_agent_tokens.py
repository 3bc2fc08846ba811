"""Probes with an agent of shop A against shop B's handoffs, conversations, drafts, corrections and customers."""

from __future__ import annotations

import pytest

from tests.tenancy.conftest import JD_CUSTOMER, World, not_found

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]


async def test_as_queue_holds_none_of_bs_handoffs(world: World) -> None:
    queue = (await world.http.get("/v1/agent/handoffs", headers=world.agent("retail"))).json()
    assert world.jd_handoff not in [item["id"] for item in queue]
    assert all(item["shop"] == "retail" for item in queue)
    theirs = (await world.http.get("/v1/agent/handoffs", headers=world.agent("jd_appliances"))).json()
    assert world.jd_handoff in [item["id"] for item in theirs], "B's agent sees it: the probe could have failed"


async def test_bs_handoff_is_not_found_for_every_move(world: World) -> None:
    before, messages = await world.jd_handoff_view(), await world.jd_messages()
    path = f"/v1/agent/handoffs/{world.jd_handoff}"
    headers = world.agent("retail")
    not_found(await world.http.get(path, headers=headers))
    not_found(await world.http.post(f"{path}/claim", headers=headers))
    not_found(await world.http.post(f"{path}/reply", json={"content": "hello from another shop"}, headers=headers))
    not_found(await world.http.post(f"{path}/resolve", json={"note": "x"}, headers=headers))
    not_found(await world.http.post(f"{path}/hand-back", json={"message": "x"}, headers=headers))
    not_found(await world.http.post(f"{path}/approve", headers=headers))
    not_found(await world.http.post(f"{path}/decline", json={"reason": "x"}, headers=headers))
    after = await world.jd_handoff_view()
    assert (after["status"], after["claimed_by"], after["assigned_agent_id"]) == (
        before["status"], before["claimed_by"], before["assigned_agent_id"],
    )  # fmt: skip
    assert await world.jd_messages() == messages


async def test_a_drafts_nothing_for_bs_conversation_and_cannot_read_bs_draft(world: World) -> None:
    headers = world.agent("retail")
    not_found(await world.http.post("/v1/agent/drafts", json={"conversation_id": world.jd_conversation}, headers=headers))
    assert world.rows("SELECT count(*) FROM drafts WHERE shop = 'retail'") == [(0,)]
    path = f"/v1/agent/drafts/{world.jd_draft}"
    not_found(await world.http.get(path, headers=headers))
    not_found(await world.http.post(f"{path}/send", json={"text": "hi", "tone": "concise"}, headers=headers))
    not_found(await world.http.post(f"{path}/actions/0/run", headers=headers))
    assert world.rows("SELECT sent_at FROM drafts WHERE id = :id", id=world.jd_draft) == [(None,)]
    assert (await world.http.get(path, headers=world.agent("jd_appliances"))).status_code == 200


async def test_bs_answers_and_corrections_are_not_as(world: World) -> None:
    headers = world.agent("retail")
    corrections = world.rows("SELECT count(*) FROM answer_corrections")
    not_found(
        await world.http.post(
            f"/v1/agent/messages/{world.jd_answer_message}/correction", json={"correct_answer": "x"}, headers=headers
        )
    )
    assert world.rows("SELECT count(*) FROM answer_corrections") == corrections
    listed = (await world.http.get("/v1/agent/corrections", headers=headers)).json()
    assert world.jd_correction not in [item["id"] for item in listed]
    not_found(await world.http.get(f"/v1/agent/conversations/{world.jd_conversation}/feedback", headers=headers))


async def test_publishing_bs_correction_reaches_no_collection(world: World) -> None:
    before = {name: world.chunks(name) for name in ("knowledge_retail", "knowledge_jd_appliances")}
    not_found(await world.http.post(f"/v1/agent/corrections/{world.jd_correction}/publish", headers=world.agent("retail")))
    assert world.rows("SELECT status FROM answer_corrections WHERE id = :id", id=world.jd_correction) == [("open",)]
    assert {name: world.chunks(name) for name in before} == before


async def test_bs_customer_has_no_profile_at_a(world: World) -> None:
    theirs_at_a = await world.http.get(f"/v1/agent/customers/{JD_CUSTOMER}/profile", headers=world.agent("retail"))
    nobody = await world.http.get("/v1/agent/customers/nobody_at_all_0000/profile", headers=world.agent("retail"))
    not_found(theirs_at_a, asked=JD_CUSTOMER)
    assert theirs_at_a.json()["message"].replace(JD_CUSTOMER, "X") == nobody.json()["message"].replace("nobody_at_all_0000", "X")
    # B's agent does see B's customer: its CRM and B's conversation with them.
    theirs = await world.http.get(f"/v1/agent/customers/{JD_CUSTOMER}/profile", headers=world.agent("jd_appliances"))
    assert theirs.status_code == 200 and theirs.json()["crm_status"] == "ok"
    assert theirs.json()["contact"]["conversations_30d"] >= 1
