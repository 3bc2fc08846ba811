"""Several requests in one message, end to end with the real 0.5B model and the real commerce service.

What the customer sees: every request proposed in one confirmation (or named
with the reason it cannot be done), the confirmed ones executed once and in
order, a choice of some of them honoured, and a yes to nothing starting nothing.
"""

from __future__ import annotations

import httpx
import pytest

from assistant.settings import Settings
from tests.chat.conftest import column, new_conversation, say
from tests.commerce.service import RunningCommerce

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
IDENTITY = "Hi, I'm Yusuf Rossi, zip code 19122."
TWO_REQUESTS = f"{IDENTITY} Please cancel #W6247578, I ordered it by mistake, and return the headphones from #W2378156."


def _status(service: RunningCommerce, order_id: str) -> str:
    response = service.client().get(f"/orders/{order_id.replace('#', '%23')}")
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def _executed(settings: Settings) -> list[str]:
    return [str(row) for row in column(settings, "SELECT tool FROM tool_audit_log WHERE outcome = 'executed' ORDER BY id")]


async def test_both_requests_are_proposed_and_a_yes_executes_both_in_order(
    client: httpx.AsyncClient, retail_service: RunningCommerce, chat_settings: Settings
) -> None:
    conversation = await new_conversation(client)
    proposed = await say(client, conversation, TWO_REQUESTS)
    names = [pending["name"] for pending in proposed["pending_confirmations"]]
    assert names == ["cancel_pending_order", "return_delivered_order_items"], proposed["reply"]
    assert "#W6247578" in proposed["reply"] and "#W2378156" in proposed["reply"]
    assert _status(retail_service, "#W6247578") == "pending", "nothing is written before the yes"

    done = await say(client, conversation, "yes")
    assert done["route"] == "confirm" and done["status"] == "ok"
    assert done["reply"].count("Done:") == 2, done["reply"]
    assert _status(retail_service, "#W6247578") == "cancelled"
    assert _status(retail_service, "#W2378156") == "return requested"
    assert _executed(chat_settings) == ["cancel_pending_order", "return_delivered_order_items"]


async def test_the_customer_can_confirm_one_and_not_the_other(
    client: httpx.AsyncClient, retail_service: RunningCommerce, chat_settings: Settings
) -> None:
    conversation = await new_conversation(client)
    await say(client, conversation, TWO_REQUESTS)
    done = await say(client, conversation, "only the return, please")
    assert "Done:" in done["reply"] and "Not done, as you asked" in done["reply"], done["reply"]
    assert _status(retail_service, "#W6247578") == "pending"
    assert _status(retail_service, "#W2378156") == "return requested"
    assert _executed(chat_settings) == ["return_delivered_order_items"]


async def test_a_yes_with_nothing_pending_starts_nothing(
    client: httpx.AsyncClient, retail_service: RunningCommerce, chat_settings: Settings
) -> None:
    conversation = await new_conversation(client)
    refused = await say(client, conversation, f"{IDENTITY} Please cancel order #W1713682.")  # another customer's order
    assert "could not find" in refused["reply"] and refused["pending_confirmation"] is None
    answer = await say(client, conversation, "yes")
    assert answer["route"] == "confirm_nothing" and answer["pending_confirmations"] == []
    assert "nothing waiting" in answer["reply"]
    assert _status(retail_service, "#W4776164") == "pending" and _executed(chat_settings) == []


async def test_a_write_that_cannot_follow_another_on_the_same_order_is_named(client: httpx.AsyncClient) -> None:
    conversation = await new_conversation(client)
    proposed = await say(client, conversation, f"{IDENTITY} Return the headphones from #W2378156 and also cancel #W2378156.")
    assert [p["name"] for p in proposed["pending_confirmations"]] == ["return_delivered_order_items"]
    assert "cannot cancel" in proposed["reply"], "the second request is answered, not dropped"
