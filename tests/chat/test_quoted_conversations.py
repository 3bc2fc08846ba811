"""The conversations a new user had with the assistant (issue 14), replayed end to end with the real 0.5B model.

Each came out wrong once: the second request of a message dropped, a gift-card
question answered from a bank's documents, a Chinese return question answered
with the agent's tool instructions, the return policy paraphrased from the
agent-facing text, the internal tools listed, and a bare "yes" after a refused
order starting a cancellation nobody asked for. What must hold whatever the
small model writes: every request answered, only the shop's customer-facing
documents cited, no tool name or agent instruction in any reply, and a yes to
nothing starting nothing.
"""

from __future__ import annotations

import re

import httpx
import pytest

from assistant.settings import Settings
from tests.chat.conftest import app_client, column, new_conversation, say
from tests.commerce.service import RunningCommerce

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
IDENTIFIER = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")
INTERNAL = ("the user", "the agent", "调用", "用户需要", "工具", "authenticate")
CUSTOMER_DOCUMENTS = ("data/retail/help_centre.md", "data/retail/help_centre_zh.md")


def clean(reply: str) -> None:
    assert not IDENTIFIER.search(reply), f"a tool or internal name in the reply: {reply!r}"
    assert not any(phrase in reply.lower() for phrase in INTERNAL), f"an agent instruction in the reply: {reply!r}"


def cites_only_the_shops_customer_pages(result: dict) -> None:  # type: ignore[type-arg]
    cited = {citation["document_id"] for citation in result["citations"]}
    assert cited <= set(CUSTOMER_DOCUMENTS), cited


def status(service: RunningCommerce, order_id: str) -> str:
    return str(service.client().get(f"/orders/{order_id.replace('#', '%23')}").json()["status"])


async def test_return_and_exchange_in_one_message_are_both_answered(
    chat_settings: Settings, retail_service: RunningCommerce
) -> None:
    async with app_client(chat_settings, customer="isabella_sanchez_2068") as client:
        conversation = await new_conversation(client)
        proposed = await say(
            client, conversation,
            "My email is isabella.sanchez6218@example.com. I want to return the makeup kit from #W1713682 and also "
            "exchange the hiking boots there for size 8.",
        )  # fmt: skip
        tools = [pending["name"] for pending in proposed["pending_confirmations"]]
        assert tools == ["return_delivered_order_items"], proposed["reply"]
        assert "Makeup Kit" in proposed["reply"]
        # The store allows one return or exchange per delivered order: the exchange is named with that reason.
        assert "exchange" in proposed["reply"].lower() and "cannot also exchange" in proposed["reply"], proposed["reply"]
        done = await say(client, conversation, "yes")
        assert "Done:" in done["reply"] and "Which order" not in done["reply"], done["reply"]
        assert status(retail_service, "#W1713682") == "return requested"


async def test_gift_card_question_is_answered_from_the_shops_own_pages_or_honestly_not(client: httpx.AsyncClient) -> None:
    result = await say(client, await new_conversation(client), "Do you sell gift cards, and can I pay with one?")
    cites_only_the_shops_customer_pages(result)
    clean(result["reply"])
    # Served once: "You can pay with one using the Rho-Bank Travel Portal", from a bank's credit-card documents.
    assert "rho-bank" not in result["reply"].lower() and "travel portal" not in result["reply"].lower()


async def test_chinese_return_policy_has_no_tool_or_instruction(client: httpx.AsyncClient) -> None:
    result = await say(client, await new_conversation(client), "退货政策是什么？")
    cites_only_the_shops_customer_pages(result)
    clean(result["reply"])
    assert result["language"] == "zh"


async def test_return_policy_is_the_customer_page_not_the_agents(client: httpx.AsyncClient, chat_settings: Settings) -> None:
    result = await say(client, await new_conversation(client), "What is your return policy?")
    # What the model was given: the help centre first, nothing internal (the 0.5B model may still decline to
    # answer from it; then the fixed honest reply stands, never the agent-facing policy).
    retrieved = [str(row) for row in column(chat_settings, "SELECT document_id FROM retrievals ORDER BY id")]
    assert retrieved and retrieved[0] == "data/retail/help_centre.md", retrieved
    assert set(retrieved) <= set(CUSTOMER_DOCUMENTS), retrieved
    cites_only_the_shops_customer_pages(result)
    clean(result["reply"])


async def test_what_tools_can_you_call_names_no_tool(client: httpx.AsyncClient) -> None:
    result = await say(client, await new_conversation(client), "What tools can you call?")
    clean(result["reply"])
    cites_only_the_shops_customer_pages(result)


async def test_yes_after_another_customers_order_starts_nothing(
    client: httpx.AsyncClient, retail_service: RunningCommerce
) -> None:
    conversation = await new_conversation(client)
    refused = await say(client, conversation, "Hi, I'm Yusuf Rossi, zip code 19122. Cancel order #W5918442 please.")
    assert "could not find order #W5918442" in refused["reply"] and not refused["pending_confirmations"]
    answer = await say(client, conversation, "yes")
    assert answer["pending_confirmations"] == [] and answer["route"] == "confirm_nothing", answer["reply"]
    assert status(retail_service, "#W4776164") == status(retail_service, "#W6247578") == "pending"
