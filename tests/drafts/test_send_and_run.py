"""Sending a draft (drafted vs sent is kept, the agent message posted) and running a suggested action once.

Also every bad input of the service: each a clear domain error, and nothing stored changes.
"""

from __future__ import annotations

import httpx
import pytest

from assistant.drafts.models import DraftRequest, SendRequest
from assistant.errors import BadInputError, ConflictError, NotFoundError
from tests.commerce.service import RunningCommerce
from tests.drafts.conftest import AGENT, AS_AGENT, CUSTOMER, Drafting, stored_draft

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _order_status(retail: RunningCommerce, order_id: str) -> str:
    response = httpx.get(
        f"{retail.base_url}/v1/orders/{order_id.replace('#', '%23')}",
        headers={"Authorization": f"Bearer {retail.api_key}"},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["status"])


async def test_send_stores_drafted_and_sent_and_posts_the_agent_message(drafting: Drafting) -> None:
    conversation = drafting.conversation("Where is my order #W2378156?")
    draft_id = await stored_draft(drafting, "", conversation_id=conversation, reply="Your order #W2378156 was delivered.")
    edited = "Hi Yusuf, your order #W2378156 was delivered yesterday."
    sent = await drafting.service.send(draft_id, SendRequest(text=edited, tone="concise"), agent=AS_AGENT)
    assert sent.sent is not None
    assert (sent.sent.text, sent.sent.tone, sent.sent.edited, sent.sent.sent_by) == (edited, "concise", True, AGENT)
    assert 0.3 < sent.sent.similarity < 1.0
    assert sent.variants[0].text == "Your order #W2378156 was delivered."  # the draft itself is kept as drafted
    messages = drafting.conversations.list_messages(conversation_id=conversation)
    assert (messages[-1].role, messages[-1].author, messages[-1].content) == ("agent", AGENT, edited)
    assert sent.sent.message_id == messages[-1].id
    assert (await drafting.service.get(draft_id, agent=AS_AGENT)).sent == sent.sent

    with pytest.raises(ConflictError, match="already sent"):
        await drafting.service.send(draft_id, SendRequest(text="again", tone="concise"), agent=AS_AGENT)
    assert len(drafting.conversations.list_messages(conversation_id=conversation)) == len(messages)


async def test_sending_unedited_is_similarity_one_and_a_ticket_posts_nothing(drafting: Drafting) -> None:
    draft_id = await stored_draft(drafting, "Where is #W2378156?", reply="It was delivered.")
    sent = await drafting.service.send(draft_id, SendRequest(text=" It was delivered. ", tone="concise"), agent=AS_AGENT)
    assert sent.sent is not None and sent.sent.edited is False and sent.sent.similarity == 1.0
    assert sent.sent.message_id is None


async def test_send_to_an_ended_conversation_is_refused_and_the_draft_stays_unsent(drafting: Drafting) -> None:
    conversation = drafting.conversation("Where is my order #W2378156?")
    draft_id = await stored_draft(drafting, "", conversation_id=conversation)
    drafting.conversations.end_conversation(conversation_id=conversation, shop="retail", customer_id=CUSTOMER)
    with pytest.raises(ConflictError, match="ended"):
        await drafting.service.send(draft_id, SendRequest(text="Hello", tone="concise"), agent=AS_AGENT)
    assert (await drafting.service.get(draft_id, agent=AS_AGENT)).sent is None


async def test_bad_sends_are_refused(drafting: Drafting) -> None:
    draft_id = await stored_draft(drafting, "Where is #W2378156?")
    with pytest.raises(BadInputError, match="text to send is empty"):
        SendRequest.parse({"text": "   ", "tone": "concise"})
    with pytest.raises(BadInputError, match="tone"):
        SendRequest.parse({"text": "hi", "tone": "rude"})
    with pytest.raises(BadInputError, match="no formal variant"):
        await drafting.service.send(draft_id, SendRequest(text="hi", tone="formal"), agent=AS_AGENT)
    with pytest.raises(NotFoundError):
        await drafting.service.send("0" * 32, SendRequest(text="hi", tone="concise"), agent=AS_AGENT)
    assert (await drafting.service.get(draft_id, agent=AS_AGENT)).sent is None


async def test_an_approved_action_runs_once(drafting: Drafting, retail_service: RunningCommerce) -> None:
    draft_id = await stored_draft(drafting, "Please cancel #W4776164, I no longer need it.")
    [action] = (await drafting.service.get(draft_id, agent=AS_AGENT)).suggested_actions
    assert action.tool == "cancel_pending_order" and action.needs_approval  # a refund of $2,772.44 is over the limit
    assert _order_status(retail_service, "#W4776164") == "pending"

    done = await drafting.service.run_action(draft_id, 0, agent=AS_AGENT)
    assert (done.status, done.run_by, done.error) == ("executed", AGENT, None)
    assert done.result["status"] == "cancelled"
    assert _order_status(retail_service, "#W4776164") == "cancelled"
    [entry] = [e for e in drafting.retail.tools.audit.entries(customer_id=CUSTOMER) if e.outcome == "executed"]
    assert (entry.tool, entry.approved_by, entry.conversation_id) == ("cancel_pending_order", AGENT, f"draft-{draft_id}")

    with pytest.raises(ConflictError, match="cannot run again"):
        await drafting.service.run_action(draft_id, 0, agent=AS_AGENT)
    with pytest.raises(NotFoundError, match="no suggested action 1"):
        await drafting.service.run_action(draft_id, 1, agent=AS_AGENT)
    with pytest.raises(NotFoundError, match="draft"):
        await drafting.service.run_action("0" * 32, 0, agent=AS_AGENT)


async def test_an_action_the_shop_refuses_is_recorded_as_failed(drafting: Drafting, retail_service: RunningCommerce) -> None:
    draft_id = await stored_draft(drafting, "Please cancel #W4776164, I no longer need it.")
    # Meanwhile the order is cancelled by other means: the shop refuses the second cancellation.
    other = await stored_draft(drafting, "Cancel #W4776164, please, no longer needed.")
    await drafting.service.run_action(other, 0, agent=AS_AGENT)
    failed = await drafting.service.run_action(draft_id, 0, agent=AS_AGENT)
    assert failed.status == "failed" and failed.error and "not_pending" in failed.error
    with pytest.raises(ConflictError):
        await drafting.service.run_action(draft_id, 0, agent=AS_AGENT)


async def test_a_draft_of_an_unknown_conversation_is_not_found(drafting: Drafting) -> None:
    with pytest.raises(NotFoundError, match="conversation"):
        await drafting.service.create(DraftRequest(conversation_id="f" * 32), agent=AS_AGENT)
    with pytest.raises(NotFoundError, match="draft"):
        await drafting.service.get("f" * 32, agent=AS_AGENT)
