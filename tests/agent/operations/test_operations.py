"""Each standard operation against the real retail commerce service: what it reads, proposes or asks."""

from __future__ import annotations

import dataclasses
import json

import pytest

from assistant.agent.operations import registry, return_items
from assistant.agent.operations.offered import ShopOperations
from assistant.connectors.models import Customer, Order
from tests.agent.operations.conftest import CUSTOMER, IDENTITY, Ran, Run
from tests.commerce.retail_data import retail_db
from tests.shops import operations

pytestmark = pytest.mark.asyncio(loop_scope="session")
ISABELLA = "isabella_lopez_6490"  # four payment methods; pending #W4923227 paid with credit_card_8554680
IVAN = "ivan_santos_7021"  # paypal and a gift card with 12.00; pending #W5801125 (109.58) paid with paypal


def _proposed(ran: Ran) -> tuple[str, dict[str, object]]:
    assert ran.outcome.proposal is not None, ran.outcome.reply
    call = ran.record.tool_calls[-1]
    return call.name, dict(ran.outcome.proposal.arguments)


async def test_account_data_waits_for_identity(run: Run) -> None:
    asked = await run("order_status", "Where is my order #W2378156?")
    assert asked.outcome.route == "identify" and "email" in (asked.outcome.reply or "")
    assert asked.calls == [] and asked.outcome.verified_customer_id is None
    failed = await run("order_status", "I'm Yusuf Rossi, zip code 00000. Where is my order #W2378156?")
    assert "could not match" in (failed.outcome.reply or "") and "get_order_details" not in failed.calls


async def test_identity_by_email_or_by_a_name_the_model_reads(run: Run) -> None:
    by_email = await run("identify", "My email is isabella.lopez3271@example.com", customer=ISABELLA)
    assert by_email.outcome.verified_customer_id == ISABELLA and "confirmed" in (by_email.outcome.reply or "")
    lowercase = await run(
        "identify", "hello, this is yusuf rossi from 19122", model=['{"first_name": "yusuf", "last_name": "rossi"}']
    )
    assert lowercase.outcome.verified_customer_id == CUSTOMER
    assert lowercase.calls == ["find_user_id_by_name_zip"]


async def test_a_shops_identity_methods_decide_what_is_asked_and_accepted(run: Run) -> None:
    """The same retail backend and customer, identified as different shops' profiles say."""
    retail = operations("retail")

    def identified_by(*methods: str) -> ShopOperations:
        return dataclasses.replace(retail, identity=retail.identity.model_copy(update={"methods": list(methods)}))

    # platform_login: the shop's own sign-in is the check; nothing is asked, nothing looked up.
    signed_in = await run("order_status", "Where is my order #W2378156?", offered=identified_by("platform_login"))
    assert signed_in.outcome.verified_customer_id == CUSTOMER and signed_in.calls == ["get_order_details"]
    # platform_user_id: the customer types the id they signed in with; another id is "does not match".
    typed = await run("order_status", f"My user id is {CUSTOMER}. Where is #W2378156?", offered=identified_by("platform_user_id"))
    assert typed.outcome.verified_customer_id == CUSTOMER and typed.calls[0] == "verify_platform_user_id"
    other = await run(
        "order_status", "My user id is noah_brown_6181. Where is #W2378156?", offered=identified_by("platform_user_id")
    )
    assert other.outcome.verified_customer_id is None and "could not match" in (other.outcome.reply or "")
    # A shop without email is never asked for one, and an email given is not how it identifies.
    asked = await run(
        "order_status", "I'm at yusuf.rossi7301@example.com, where is #W2378156?", offered=identified_by("platform_user_id")
    )
    assert asked.calls == [] and "email" not in (asked.outcome.reply or "") and "user id" in (asked.outcome.reply or "")


async def test_order_status_reads_the_order(run: Run) -> None:
    ran = await run("order_status", f"{IDENTITY} Where is my order #W2378156?")
    assert ran.calls == ["find_user_id_by_name_zip", "get_order_details"]
    assert ran.outcome.verified_customer_id == CUSTOMER
    assert "delivered" in (ran.outcome.reply or "") and "843053632392" in (ran.outcome.reply or "")


async def test_account_info_is_the_typed_profile(run: Run) -> None:
    ran = await run("account_info", "show me my account", verified=CUSTOMER)
    reply = ran.outcome.reply or ""
    assert "Yusuf Rossi" in reply and "763 Broadway, Suite 135, Philadelphia, PA, USA, 19122" in reply
    assert "mastercard card ending 2478 (credit_card_9513926)" in reply and "#W2378156" in reply


async def test_cancel_proposes_with_the_policys_reason(run: Run) -> None:
    ran = await run("cancel_order", f"{IDENTITY} Please cancel order #W6247578, I ordered it by mistake.")
    assert _proposed(ran) == ("cancel_pending_order", {"order_id": "#W6247578", "reason": "ordered by mistake"})
    assert '"yes"' in (ran.outcome.reply or "")
    # No order id: the items the customer names pick the order among the pending ones.
    by_item = await run("cancel_order", "Please cancel the espresso machine order", verified=CUSTOMER)
    assert _proposed(by_item)[1]["order_id"] == "#W4776164"
    unclear = await run("cancel_order", "cancel my order please", verified=CUSTOMER)
    assert unclear.outcome.proposal is None and "Which order" in (unclear.outcome.reply or "")


async def test_a_wrong_status_says_what_cannot_be_done(run: Run) -> None:
    english = await run("cancel_order", "Cancel order #W2378156", verified=CUSTOMER)
    assert english.outcome.reply == "Order #W2378156 is delivered, so I cannot cancel it: only pending orders can be cancelled."
    returned = await run("return_items", "Return the T-Shirt of #W6247578", verified=CUSTOMER)
    assert "cannot return it: only delivered orders can be returned" in (returned.outcome.reply or "")
    chinese = await run("cancel_order", "我想取消订单 #W2378156", verified=CUSTOMER)
    assert "无法取消" in (chinese.outcome.reply or "") and chinese.outcome.proposal is None
    missing = await run("cancel_order", "Cancel order #W0000000", verified=CUSTOMER)
    assert missing.outcome.reply == "I could not find order #W0000000 on your account."


async def test_return_names_the_items_and_refunds_the_original_method(run: Run) -> None:
    ran = await run("return_items", f"{IDENTITY} I want to return the headphones from order #W2378156")
    assert _proposed(ran) == (
        "return_delivered_order_items",
        {"order_id": "#W2378156", "item_ids": ["4202497723"], "payment_method_id": "credit_card_9513926"},
    )
    asked = await run("return_items", "I want to return something from #W2378156", verified=CUSTOMER)
    assert "Which items of order #W2378156" in (asked.outcome.reply or "")
    assert "Headphones (type: over-ear, connectivity: wireless, color: blue)" in (asked.outcome.reply or "")


async def test_the_customer_is_read_once_per_turn(run: Run) -> None:
    ran = await run("return_items", "I want to return the headphones", verified=CUSTOMER)
    assert _proposed(ran)[1]["order_id"] == "#W2378156"
    assert ran.calls.count("get_user_details") == 1, ran.calls


async def test_a_draft_builds_the_return_the_operation_proposes(run: Run) -> None:
    text = "I want to return the headphones from order #W2378156"
    ran = await run("return_items", text, verified=CUSTOMER)
    operation = registry.BY_NAME["return_items"]
    assert operation.draft is not None and operation.draft.arguments is return_items.draft_arguments
    order = Order.model_validate(retail_db()["orders"]["#W2378156"])
    raw = retail_db()["users"][CUSTOMER]
    customer = Customer.model_validate({**raw, "payment_methods": list(raw["payment_methods"].values())})
    assert operation.draft.arguments(registry.request(operation, text), order, customer) == _proposed(ran)[1]


async def test_exchange_resolves_the_variants_asked_for(run: Run) -> None:
    """tau2 retail dev task 0: exact item ids resolved in code from the customer's words."""
    text = (
        "exchange the mechanical keyboard for the same one but with clicky switches and the smart thermostat for one "
        "compatible with Google Home instead of Apple HomeKit. If there is no keyboard that is clicky, RGB backlight, "
        "full size, you'd go for no backlight."
    )
    ran = await run("exchange_items", text, verified=CUSTOMER)
    assert _proposed(ran) == (
        "exchange_delivered_order_items",
        {
            "order_id": "#W2378156",
            "item_ids": ["1151293680", "4983901480"],
            "new_item_ids": ["7706410293", "7747408585"],
            "payment_method_id": "credit_card_9513926",
        },
    )
    # The reminder the policy asks for is the write's own text, said once.
    assert (ran.outcome.reply or "").count("all the items you want to exchange") == 1


async def test_modify_payment_offers_only_other_methods(run: Run) -> None:
    ran = await run("modify_payment", "Please pay order #W4923227 with paypal instead", verified=ISABELLA, customer=ISABELLA)
    assert _proposed(ran) == ("modify_pending_order_payment", {"order_id": "#W4923227", "payment_method_id": "paypal_1621947"})
    asked = await run("modify_payment", "Change the payment method of #W4923227", verified=ISABELLA, customer=ISABELLA)
    assert "Which payment method" in (asked.outcome.reply or "") and "credit_card_8554680" not in (asked.outcome.reply or "")
    # The tool's policy check refuses a gift card without the balance: the customer hears why, and is offered a person.
    refused = await run("modify_payment", "Pay #W5801125 with my gift card", verified=IVAN, customer=IVAN)
    assert refused.outcome.proposal is None and refused.outcome.handoff
    assert "could not be done" in (refused.outcome.reply or "") and "12.00" in (refused.outcome.reply or "")


ADDRESS = json.dumps(
    {"address1": "1 Main St", "address2": None, "city": "Austin", "state": "TX", "country": None, "zip": "78701"}
)


async def test_addresses_come_from_the_model_and_go_to_the_right_tool(run: Run) -> None:
    text = "Please change the shipping address of order #W6247578 to 1 Main St, Austin, TX 78701"
    order = await run("modify_address", text, verified=CUSTOMER, model=[ADDRESS])
    expected = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"}
    assert _proposed(order) == ("modify_pending_order_address", {"order_id": "#W6247578", **expected})
    default = await run(
        "update_default_address", "Set my default address to 1 Main St, Austin, TX 78701", verified=CUSTOMER, model=[ADDRESS]
    )
    assert _proposed(default) == ("modify_user_address", {"user_id": CUSTOMER, **expected})
    partial = await run("update_default_address", "Change my default address", verified=CUSTOMER, model=['{"city": "Austin"}'])
    assert partial.outcome.proposal is None and "full new address" in (partial.outcome.reply or "")
