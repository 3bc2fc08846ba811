"""Customer context and suggested actions against the real retail commerce service (no model needed)."""

from __future__ import annotations

import pytest

from assistant.drafts.actions import named_order_ids, suggest
from assistant.drafts.subject import conversation_subject, ticket_subject
from tests.drafts.conftest import CUSTOMER, Drafting

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_context_has_profile_recent_orders_with_tracking_and_contacts(drafting: Drafting) -> None:
    earlier = drafting.conversation("Where is my order #W2378156?")
    current = drafting.conversation("Please cancel #W4776164")
    gathered = await drafting.reader().gather(customer_id=CUSTOMER, current_conversation=current)
    context = gathered.context
    assert context.profile is not None and context.profile["name"] == "Yusuf Rossi"
    assert context.profile["payment_methods"][0]["id"] == "credit_card_9513926"
    orders = {order.order_id: order for order in context.recent_orders}
    assert orders["#W4776164"].status == "pending"
    assert orders["#W4776164"].total == pytest.approx(2772.44)
    assert any(item.startswith("Espresso Machine") for item in orders["#W4776164"].items)
    delivered = orders["#W2378156"]
    assert delivered.status == "delivered" and delivered.tracking_ids == ["843053632392"]
    assert delivered.shipments and delivered.shipments[0]["tracking_id"] == "843053632392"
    conversations = [contact for contact in context.previous_contacts if contact.kind == "conversation"]
    assert [contact.id for contact in conversations] == [earlier]  # the current conversation is not a "previous" one
    assert conversations[0].summary == "Where is my order #W2378156?"
    assert context.notes == []


async def test_missing_or_unknown_customer_gives_an_empty_context_with_a_note(drafting: Drafting) -> None:
    nobody = await drafting.reader().gather(customer_id=None)
    assert nobody.context.profile is None and nobody.context.recent_orders == []
    assert "No customer id" in nobody.context.notes[0]
    unknown = await drafting.reader().gather(customer_id="nobody_here_0000")
    assert unknown.context.profile is None and unknown.customer is None
    assert "does not know customer nobody_here_0000" in unknown.context.notes[0]


async def test_suggested_actions_are_the_policy_valid_proposals_of_the_tools(drafting: Drafting) -> None:
    tools = drafting.retail.tools
    cases = {
        "Please cancel #W4776164, I ordered it by mistake": (
            "cancel_pending_order",
            {"order_id": "#W4776164", "reason": "ordered by mistake"},
        ),
        "I'd like to return the Headphones of order #W2378156": (
            "return_delivered_order_items",
            {"order_id": "#W2378156", "item_ids": ["4202497723"], "payment_method_id": "credit_card_9513926"},
        ),
        # The items are matched by the return operation's own code: "the keyboard" names the Mechanical Keyboard.
        "Order #W2378156: I want to return the keyboard, and exchange the thermostat": (
            "return_delivered_order_items",
            {"order_id": "#W2378156", "item_ids": ["1151293680"], "payment_method_id": "credit_card_9513926"},
        ),
    }
    for text, (tool, arguments) in cases.items():
        subject = ticket_subject(text, CUSTOMER)
        gathered = await drafting.reader().gather(
            customer_id=CUSTOMER, named_orders=named_order_ids(subject, drafting.retail.operations)
        )
        ctx = tools.context(
            conversation_id="draft-test", authenticated_customer_id=CUSTOMER, verified_customer_id=CUSTOMER, language="en"
        )
        [suggestion] = await suggest(tools, ctx, subject, gathered, drafting.retail.operations)
        assert (suggestion.action.tool, suggestion.action.arguments) == (tool, arguments)
        assert suggestion.proposal is not None and suggestion.proposal.customer_id == CUSTOMER
        assert arguments["order_id"] in suggestion.action.description


async def test_no_action_is_suggested_where_the_policy_forbids_it(drafting: Drafting) -> None:
    tools = drafting.retail.tools
    ctx = tools.context(
        conversation_id="draft-test", authenticated_customer_id=CUSTOMER, verified_customer_id=CUSTOMER, language="en"
    )
    for text in ("Cancel my order #W2378156 please", "Return order #W4776164", "How do I cancel an order?"):
        subject = ticket_subject(text, CUSTOMER)
        gathered = await drafting.reader().gather(
            customer_id=CUSTOMER, named_orders=named_order_ids(subject, drafting.retail.operations)
        )
        assert await suggest(tools, ctx, subject, gathered, drafting.retail.operations) == [], text


async def test_a_conversation_subject_is_its_customers_messages(drafting: Drafting) -> None:
    conversation = drafting.conversation("Hello", "我想取消订单 #W4776164")
    subject = conversation_subject(drafting.components.engine, drafting.conversations, conversation, "retail")
    assert subject.customer_id == CUSTOMER and subject.language == "zh"
    assert subject.customer_texts == ["Hello", "我想取消订单 #W4776164"]
    assert [message["role"] for message in subject.history] == ["customer", "assistant", "customer", "assistant"]
