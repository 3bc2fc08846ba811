"""The deterministic parts of the agent: language, slots, matching, confirmation, routing rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import matching, slots
from assistant.agent.confirmation import is_confirmation, is_refusal
from assistant.agent.language import reply_language
from assistant.agent.router import rule_route
from assistant.connectors.models import Order, OrderItem, PaymentMethod, Product, Variant
from assistant.tools.policy import original_payment_method_id
from tests.shops import operations

DB = json.loads((Path(__file__).resolve().parents[2] / "data" / "retail" / "db.json").read_text())


def _product(product_id: str) -> Product:
    """tau2's product record (variants keyed by item id) as the connector model the tools answer with."""
    raw: dict[str, Any] = DB["products"][product_id]
    variants = [Variant(product_id=product_id, **variant) for variant in raw["variants"].values()]
    return Product(product_id=product_id, name=raw["name"], variants=variants)


def _methods(user_id: str) -> list[PaymentMethod]:
    return [PaymentMethod(**method) for method in DB["users"][user_id]["payment_methods"].values()]


def _item(name: str, item_id: str = "0") -> OrderItem:
    return OrderItem(item_id=item_id, product_id="p", name=name, price=1.0)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Where is my order #W2378156?", "en"),
        ("我的订单 #W2378156 到哪里了？", "zh"),
        ("请问 iPhone 15 Pro 的退货政策是什么", "zh"),
        ("Bonjour, où est ma commande ?", "en"),
        ("#W2378156", "en"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert reply_language(text) == language


def test_slots_copy_ids_exactly() -> None:
    text = "I'm Yusuf Rossi, zip 19122, email yusuf.rossi@example.com; order #W2378156 and W1234567, pay with paypal_123"
    assert operations("retail").order_ids(text) == ["#W2378156", "#W1234567"]
    assert slots.zip_code(text) == "19122"
    assert slots.email(text) == "yusuf.rossi@example.com"
    assert slots.payment_ids(text) == ["paypal_123"]
    assert slots.name(text) == ("Yusuf", "Rossi")
    assert slots.name("You are mei_kovacs_8020 living in zipcode 28236.") == ("Mei", "Kovacs")
    assert slots.cancel_reason("I ordered it by mistake") == "ordered by mistake"
    assert slots.cancel_reason("I don't need it") == "no longer needed"
    # Ids written against Chinese text (which `re` counts as word characters).
    chinese = "我的邮箱是isabella.sanchez6218@example.com。订单#W1713682里的耳机退货，订单W4386313到哪了"
    assert slots.email(chinese) == "isabella.sanchez6218@example.com"
    assert operations("retail").order_ids(chinese) == ["#W1713682", "#W4386313"]


def test_keyboard_and_thermostat_resolve_to_the_ground_truth_variants() -> None:
    """tau2 retail dev task 0: exact item ids resolved in code from the customer's words."""
    text = (
        "exchange the mechanical keyboard for the same one but with clicky switches and the smart thermostat for one "
        "compatible with Google Home instead of Apple HomeKit. If there is no keyboard that is clicky, RGB backlight, "
        "full size, you'd go for no backlight."
    )
    order = Order.model_validate(DB["orders"]["#W2378156"])
    items = matching.match_items(text, order.items)
    assert [item.item_id for item in items] == ["1151293680", "4983901480"]
    new = [matching.match_variant(text, item, _product(item.product_id)) for item in items]
    assert [variant.item_id for variant in new if variant] == ["7706410293", "7747408585"]


def test_segments_keep_operations_apart() -> None:
    text = "You want to return the water bottle, and exchange the pet bed and office chair to the cheapest version."
    segment = matching.operation_segment(text, ("return",), ("exchange", "cancel"))
    items = [_item("Water Bottle"), _item("Pet Bed"), _item("Office Chair")]
    assert [i.name for i in matching.match_items(segment, items)] == ["Water Bottle"]


def test_items_named_by_id_or_by_all() -> None:
    items = [_item("Water Bottle", "1111111111"), _item("Pet Bed", "2222222222")]
    assert [i.name for i in matching.match_items("return item 2222222222 please", items)] == ["Pet Bed"]
    assert matching.match_items("return everything", items) == items
    assert matching.match_items("return the lamp", items) == []


def test_payment_by_kind_and_original() -> None:
    methods = _methods("yusuf_rossi_9620")
    assert matching.match_payment("refund to my credit card please", methods) == "credit_card_9513926"
    assert matching.match_payment("whatever", methods) is None
    assert original_payment_method_id(Order.model_validate(DB["orders"]["#W2378156"])) == "credit_card_9513926"
    assert matching.describe_payment(methods[0]) == "mastercard card ending 2478 (credit_card_9513926)"


@pytest.mark.parametrize("text", ["yes", "Yes, please.", "YES!", "ok", "confirm", "确认", "好的", "是的，确认"])
def test_explicit_yes(text: str) -> None:
    assert is_confirmation(text)


@pytest.mark.parametrize("text", ["yes but the other order", "what?", "maybe", "yes, and also cancel #W1234567", "no"])
def test_not_a_yes(text: str) -> None:
    assert not is_confirmation(text)


def test_refusals() -> None:
    assert is_refusal("no thanks") and is_refusal("不要了") and not is_refusal("yes")


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("Please cancel order #W2378156", "cancel_order"),
        ("Where is my order #W2378156?", "order_status"),
        ("我想取消订单 #W2378156", "cancel_order"),
        ("What is your return policy?", "question"),
        ("I want to talk to a human", "human_agent"),
        ("return the lamp and exchange the keyboard", None),
        ("How long does a refund take after I cancel an order?", "question"),
        ("Do you sell tents?", "question"),
        ("请问美的F6033电热水器的容量是多少升？", "question"),
        ("Can you show me my orders?", "account_info"),
        ("I'd like the shirt in blue instead", None),
    ],
)
def test_rule_routes(text: str, action: str | None) -> None:
    assert rule_route(text, operations("retail")) == action
