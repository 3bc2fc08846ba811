"""Escalation and handoff end to end: customer chat API → escalation decision → human queue → agent API → customer.

Real local model, real knowledge base, real retail commerce service, the session's
real (small) understanding model.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from assistant.settings import Settings
from tests.chat.conftest import app_client, new_conversation, say
from tests.commerce.service import RunningCommerce
from tests.shops import operator_key

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

IDENTITY = "My name is Yusuf Rossi and my zip code is 19122."


async def _agent(
    http: httpx.AsyncClient, settings: Settings, name: str = "mei", languages: tuple[str, ...] = ("zh", "en")
) -> dict[str, str]:
    """Register an agent (operator key) and return the headers it calls the agent API with."""
    response = await http.post(
        "/v1/agents",
        json={"name": name, "languages": list(languages), "skills": []},
        headers={"X-Operator-Key": operator_key(settings)},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _queued(http: httpx.AsyncClient, agent: dict[str, str], conversation: str) -> dict[str, Any]:
    queue = (await http.get("/v1/agent/handoffs", headers=agent)).json()
    found = [item for item in queue if item["conversation_id"] == conversation]
    assert len(found) == 1, queue
    return dict(found[0])


def _order(service: RunningCommerce, order_id: str) -> dict[str, Any]:
    response = service.client().get(f"/orders/{order_id.replace('#', '%23')}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(settings.database.url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


@pytest.mark.parametrize(("message", "language"), [("我要转人工", "zh"), ("let me talk to a person", "en")], ids=["zh", "en"])
async def test_an_explicit_request_hands_off_in_one_turn_and_later_messages_wait(
    client: httpx.AsyncClient, chat_settings: Settings, message: str, language: str
) -> None:
    conversation = await new_conversation(client)
    reply = await say(client, conversation, message)
    assert reply["handoff"] is True and reply["route"] == "human_agent", reply
    assert reply["escalation_reason"] == "explicit_request" and reply["language"] == language
    assert (
        reply["reply"]
        == {"zh": "正在为您转接人工客服，请稍候。", "en": "YOU ARE BEING TRANSFERRED TO A HUMAN AGENT. PLEASE HOLD ON."}[language]
    )
    agent = await _agent(client, chat_settings)
    queued = await _queued(client, agent, conversation)
    assert queued["status"] in ("queued", "assigned") and queued["reason"] == "explicit_request"
    assert message in queued["summary"]["customer_wants"] and queued["summary"]["suggested_next_step"]
    # Until a person replies, what the customer writes is stored and waits: no assistant reply.
    waiting = await say(client, conversation, "hello? anyone there")
    assert waiting["handoff"] is True and waiting["route"] == "waiting_for_agent"
    assert waiting["reply"] == "Thank you, your message is with our team: a person will reply here shortly."
    history = (await client.get(f"/v1/conversations/{conversation}")).json()["messages"]
    assert [m["role"] for m in history] == ["customer", "assistant", "customer"]
    assert history[0]["understanding"]["language"] == language and "human_request" in history[0]["understanding"]["signals"]
    decision = _rows(chat_settings, "SELECT payload FROM decisions WHERE kind = 'escalation'")
    assert len(decision) == 1 and '"explicit_request"' in str(decision[0][0])


async def test_three_angry_messages_in_a_row_hand_off(chat_settings: Settings) -> None:
    # Only anger is on, and the threshold is one no single message reaches (one angry message alone scores
    # about 0.98 with the shipped weights and would hand over at once), so what is measured is the streak
    # rule (the order of reasons and the score are covered by tests/escalation).
    escalation = chat_settings.escalation.model_copy(update={"enabled_reasons": ["anger"], "anger_turns": 3, "threshold": 0.9999})
    settings = chat_settings.model_copy(update={"escalation": escalation})
    angry = [
        "This is ridiculous. Where is my order #W4776164",
        "Unacceptable!!! I asked where my order #W4776164 is",
        "I am fed up with this. Where is my order #W4776164",
    ]
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        replies = [await say(http, conversation, message) for message in angry]
    assert [r["handoff"] for r in replies] == [False, False, True], [r["reply"] for r in replies]
    assert replies[2]["escalation_reason"] == "anger"
    moods = _rows(settings, "SELECT sentiment FROM turns ORDER BY created_at")
    assert moods == [("negative",)] * 3


async def test_claim_reply_hand_back_then_resolve(client: httpx.AsyncClient, chat_settings: Settings) -> None:
    conversation = await new_conversation(client)
    await say(client, conversation, "I want to speak to a human agent please")
    agent = await _agent(client, chat_settings)
    handoff = await _queued(client, agent, conversation)
    claimed = await client.post(f"/v1/agent/handoffs/{handoff['id']}/claim", headers=agent)
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed", claimed.text
    sent = await client.post(
        f"/v1/agent/handoffs/{handoff['id']}/reply", json={"content": "Hi, this is Mei. How can I help?"}, headers=agent
    )
    assert sent.status_code == 201, sent.text
    history = (await client.get(f"/v1/conversations/{conversation}")).json()["messages"]
    assert history[-1]["role"] == "agent" and history[-1]["content"] == "Hi, this is Mei. How can I help?"
    back = await client.post(
        f"/v1/agent/handoffs/{handoff['id']}/hand-back", json={"note": "only a policy question"}, headers=agent
    )
    assert back.status_code == 200 and back.json()["status"] == "returned", back.text
    # The assistant answers again (the real model, from the knowledge base).
    answer = await say(client, conversation, "What is your return policy for delivered orders?")
    assert answer["handoff"] is False and answer["route"] != "waiting_for_agent" and answer["reply"], answer
    assert answer["citations"]
    # A second handoff of the same conversation is a new queue entry; resolving it ends the conversation.
    await say(client, conversation, "actually, let me talk to a person")
    second = await _queued(client, agent, conversation)
    assert second["id"] != handoff["id"]
    assert (await client.post(f"/v1/agent/handoffs/{second['id']}/claim", headers=agent)).status_code == 200
    resolved = await client.post(f"/v1/agent/handoffs/{second['id']}/resolve", json={"note": "answered"}, headers=agent)
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved", resolved.text
    after = await client.post(f"/v1/conversations/{conversation}/messages", json={"content": "thanks"})
    assert after.status_code == 409 and after.json()["error"] == "conversation_ended", after.text


async def test_a_refund_over_the_limit_runs_once_an_agent_approves(
    client: httpx.AsyncClient, retail_service: RunningCommerce, chat_settings: Settings
) -> None:
    order_id = "#W4776164"  # pending, $2,772.44: over tools.approval_refund_limit
    conversation = await new_conversation(client)
    proposed = await say(client, conversation, f"{IDENTITY} Please cancel order {order_id}, I ordered it by mistake.")
    assert proposed["pending_confirmation"]["name"] == "cancel_pending_order"
    waiting = await say(client, conversation, "yes")
    assert waiting["handoff"] is True and waiting["escalation_reason"] == "risky_write"
    assert _order(retail_service, order_id)["status"] == "pending"
    agent = await _agent(client, chat_settings)
    handoff = await _queued(client, agent, conversation)
    assert handoff["reason"] == "risky_write" and handoff["pending_action_id"]
    assert (await client.post(f"/v1/agent/handoffs/{handoff['id']}/claim", headers=agent)).status_code == 200
    approved = await client.post(f"/v1/agent/handoffs/{handoff['id']}/approve", headers=agent)
    assert approved.status_code == 200 and approved.json()["status"] == "executed", approved.text
    assert _order(retail_service, order_id)["status"] == "cancelled"
    again = await client.post(f"/v1/agent/handoffs/{handoff['id']}/approve", headers=agent)
    assert again.status_code == 409, again.text
    executed = _rows(
        chat_settings, "SELECT approved_by FROM tool_audit_log WHERE tool = 'cancel_pending_order' AND outcome = 'executed'"
    )
    assert len(executed) == 1 and executed[0][0], executed
