"""End to end with the real 0.5B model, real Chroma and the real commerce service.

The small model is weak; these tests assert what the system guarantees
regardless: citations of the right document, order state in the commerce
service, confirmation gating, the reply's language, the handoff offer.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, text

from assistant.settings import Settings
from tests.chat.conftest import app_client, new_conversation, say, sse_events
from tests.commerce.service import RunningCommerce

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
IDENTITY = "Hi, I'm Yusuf Rossi, zip code 19122."


def _order(service: RunningCommerce, order_id: str) -> dict:  # type: ignore[type-arg]
    response = service.client().get(f"/orders/{order_id.replace('#', '%23')}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _rows(settings: Settings, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = create_engine(settings.database.url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


async def test_policy_question_is_answered_with_a_citation_of_the_policy(
    client: httpx.AsyncClient, chat_settings: Settings
) -> None:
    conversation = await new_conversation(client)
    reply = await say(client, conversation, "How long does a refund to a credit card take after I cancel an order?")
    assert reply["status"] == "ok" and reply["route"] == "question"
    assert reply["reply"].strip()
    assert reply["citations"], "an answer from the knowledge base cites its sources"
    # The customer-facing help page, not tau2's agent-facing policy.md (internal: it steers through the system prompt).
    assert reply["citations"][0]["document_id"].endswith("retail/help_centre.md")
    assert reply["citations"][0]["snippet"]
    assert not reply["handoff"]
    # Recorded before the reply was returned: the retrieval with scores, the model call with the prompt version.
    assert _rows(chat_settings, "SELECT count(*) FROM retrievals")[0][0] >= 1
    assert ("reply", "v1") in _rows(chat_settings, "SELECT purpose, prompt_version FROM llm_calls")


async def test_where_is_my_order_is_answered_from_the_order_api(
    client: httpx.AsyncClient, retail_service: RunningCommerce
) -> None:
    conversation = await new_conversation(client)
    reply = await say(client, conversation, f"{IDENTITY} Where is my order #W2378156?")
    truth = _order(retail_service, "#W2378156")
    names = [(a["name"], a["ok"]) for a in reply["actions"]]
    assert ("find_user_id_by_name_zip", True) in names, "identity is checked before account data"
    assert ("get_order_details", True) in names
    assert truth["status"] in reply["reply"]
    assert truth["fulfillments"][0]["tracking_id"][0] in reply["reply"]


async def test_account_data_needs_identity(client: httpx.AsyncClient) -> None:
    conversation = await new_conversation(client)
    reply = await say(client, conversation, "Where is my order #W2378156?")
    assert not any(a["name"] == "get_order_details" for a in reply["actions"])
    assert "email" in reply["reply"] and "zip" in reply["reply"]


async def test_cancellation_runs_only_after_yes_and_once(
    client: httpx.AsyncClient, retail_service: RunningCommerce, chat_settings: Settings
) -> None:
    order_id = "#W6247578"  # pending, one T-shirt: a refund under the approval limit
    conversation = await new_conversation(client)
    proposed = await say(client, conversation, f"{IDENTITY} Please cancel order {order_id}, I no longer need it.")
    pending = proposed["pending_confirmation"]
    assert pending and pending["name"] == "cancel_pending_order"
    assert pending["arguments"] == {"order_id": order_id, "reason": "no longer needed"}
    assert "yes" in proposed["reply"].lower() and order_id in proposed["reply"]
    assert _order(retail_service, order_id)["status"] == "pending", "nothing is written in the proposing turn"

    declined = await say(client, conversation, "no")
    assert declined["route"] == "declined" and declined["pending_confirmation"] is None
    assert _order(retail_service, order_id)["status"] == "pending"

    await say(client, conversation, f"Cancel {order_id} please, no longer needed.")
    done = await say(client, conversation, "yes")
    assert done["route"] == "confirm" and done["status"] == "ok"
    assert _order(retail_service, order_id)["status"] == "cancelled"

    again = await say(client, conversation, "yes")
    assert again["route"] != "confirm", "a second yes has nothing left to confirm"
    executed = _rows(chat_settings, "SELECT tool FROM tool_audit_log WHERE outcome = 'executed'")
    assert executed == [("cancel_pending_order",)]


async def test_no_answer_in_the_knowledge_base_hands_over_honestly(client: httpx.AsyncClient, chat_settings: Settings) -> None:
    conversation = await new_conversation(client)
    reply = await say(client, conversation, "Do you offer gift wrapping for birthday presents?")
    assert reply["handoff"] is True and reply["escalation_reason"] == "low_retrieval_confidence"
    assert reply["citations"] == []
    assert "don't have information" in reply["reply"] and "colleague" in reply["reply"]
    decisions = _rows(chat_settings, "SELECT kind FROM decisions")
    assert ("low_confidence",) in decisions and ("escalation",) in decisions


async def test_with_low_confidence_handoff_off_the_customer_is_offered_a_person_and_yes_hands_over(
    chat_settings: Settings,
) -> None:
    reasons = [r for r in chat_settings.escalation.enabled_reasons if r != "low_retrieval_confidence"]
    settings = chat_settings.model_copy(
        update={"escalation": chat_settings.escalation.model_copy(update={"enabled_reasons": reasons})}
    )
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        offer = await say(http, conversation, "Do you offer gift wrapping for birthday presents?")
        assert (offer["handoff"], offer["handoff_offered"]) == (False, True)
        assert "don't have information" in offer["reply"] and "human agent" in offer["reply"]
        accepted = await say(http, conversation, "yes please")
    assert accepted["handoff"] is True and accepted["escalation_reason"] == "explicit_request"


async def test_streamed_reply_then_history(client: httpx.AsyncClient) -> None:
    conversation = await new_conversation(client)
    response = await client.post(
        # A question the 0.5B model answers from the help centre (for "What is your return policy…?" it often says it has
        # no answer, which the reply guard replaces: then the streamed pieces are not the stored reply, by design).
        f"/v1/conversations/{conversation}/messages/stream",
        json={"content": "How long does a refund to a credit card take after I cancel an order?"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    tokens = [data["text"] for name, data in events if name == "token"]
    finals = [data for name, data in events if name == "final"]
    assert len(tokens) > 1 and len(finals) == 1
    assert "".join(tokens).strip() == finals[0]["reply"]
    assert finals[0]["citations"]
    history = (await client.get(f"/v1/conversations/{conversation}")).json()
    assert [m["role"] for m in history["messages"]] == ["customer", "assistant"]
    assert history["messages"][1]["content"] == finals[0]["reply"]
    assert history["messages"][1]["citations"] == finals[0]["citations"]


async def test_a_refund_over_the_limit_waits_for_a_human_after_yes(
    client: httpx.AsyncClient, retail_service: RunningCommerce, chat_settings: Settings
) -> None:
    order_id = "#W4776164"  # pending, $2,772.44: over tools.approval_refund_limit
    conversation = await new_conversation(client)
    proposed = await say(client, conversation, f"{IDENTITY} Please cancel order {order_id}, I ordered it by mistake.")
    assert proposed["pending_confirmation"]["arguments"] == {"order_id": order_id, "reason": "ordered by mistake"}
    done = await say(client, conversation, "yes")
    assert done["handoff"] is True and "approval" in done["reply"]
    assert _order(retail_service, order_id)["status"] == "pending"
    assert _rows(chat_settings, "SELECT status FROM pending_actions") == [("awaiting_approval",)]


async def test_general_path_lets_the_model_look_up_within_the_step_limit(
    chat_settings: Settings, retail_service: RunningCommerce
) -> None:
    settings = chat_settings.model_copy(update={"agent": chat_settings.agent.model_copy(update={"step_limit": 2})})
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        await say(http, conversation, f"{IDENTITY} Where is my order #W2378156?")  # identity verified
        reply = await say(http, conversation, "What colours does the T-Shirt come in?")
    assert reply["status"] == "ok" and not reply["handoff"], (reply["escalation_reason"], reply["reply"])
    steps = _rows(settings, "SELECT step, valid FROM decisions WHERE kind = 'choose_tool'")
    assert 1 <= len(steps) <= 2 and all(valid for _, valid in steps), steps
    # Whatever the model chose, every lookup went through the toolbox and was recorded with its result.
    calls = _rows(settings, "SELECT count(*) FROM tool_calls")[0][0]
    assert calls >= 3  # identity, the order of the first turn, and any lookups of this one
