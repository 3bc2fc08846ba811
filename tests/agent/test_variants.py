"""Wishes resolved in code against the real retail catalogue (data/retail/db.json): orders of values, comparatives,
"the same but", preference orders, the cheapest in stock, "same as my other one", several fits and none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import matching
from assistant.agent.option_order import product_orders, value_order
from assistant.connectors.models import Order, OrderItem, Product, Variant

DB = json.loads((Path(__file__).resolve().parents[2] / "data" / "retail" / "db.json").read_text())
TSHIRT = "3799046073"  # Yusuf Rossi's pending T-Shirt: black, XXL, cotton, crew neck
OTHER_TSHIRT = "8349118980"  # his other one: blue, S, cotton, v-neck
KEYBOARD = "1151293680"  # linear, RGB, full size
BOTTLE = "3453331371"  # Water Bottle 500ml, stainless steel, black (750ml in that make is out of stock)
LAMP_BLACK = "7624783998"  # Desk Lamp black, high, AC adapter (no black battery lamp in stock)
LAMP_SILVER = "5370728469"  # Desk Lamp silver, medium, USB
LAMP_LOW = "9190635437"  # Desk Lamp black, low, USB


def _product_of(item_id: str) -> Product:
    product_id, raw = next((pid, p) for pid, p in DB["products"].items() if item_id in p["variants"])
    variants = [Variant(product_id=product_id, **variant) for variant in raw["variants"].values()]
    return Product(product_id=product_id, name=raw["name"], variants=variants)


def _item(item_id: str) -> OrderItem:
    """The catalogue variant as an order line of it."""
    product = _product_of(item_id)
    variant = product.variant(item_id)
    assert variant is not None
    return OrderItem(item_id=item_id, product_id=product.product_id, name=DB["products"][product.product_id]["name"],
                     price=variant.price, options=variant.options)  # fmt: skip


def _fit(text: str, item_id: str, others: tuple[str, ...] = ()) -> matching.VariantFit:
    return matching.resolve_variant(text, _item(item_id), _product_of(item_id), [_item(other) for other in others])


def _ids(fit: matching.VariantFit) -> list[str]:
    return [variant.item_id for variant in fit.variants]


def _options(item_id: str) -> dict[str, Any]:
    return dict(_item(item_id).options)


def test_value_orders_come_from_the_catalogue_values() -> None:
    assert product_orders(_product_of(TSHIRT)) == {"size": ["S", "M", "L", "XL", "XXL"]}  # colours have no order
    assert product_orders(_product_of(BOTTLE)) == {"capacity": ["500ml", "750ml", "1000ml"]}
    assert product_orders(_product_of(LAMP_BLACK)) == {"brightness": ["low", "medium", "high"]}
    assert product_orders(_product_of(KEYBOARD)) == {"size": ["60%", "80%", "full size"]}
    laptop = product_orders(_product_of("6017636844"))
    assert laptop["storage"] == ["256GB SSD", "512GB SSD", "1TB SSD"] and laptop["processor"] == ["i5", "i7", "i9"]
    assert "color" not in laptop
    assert value_order(["10", "8", "9"]) == ["8", "9", "10"]
    assert value_order(["1.5L", "1L", "500ml"]) == ["500ml", "1L", "1.5L"]
    assert value_order(["10 hours", "4 hours", "8 hours"]) == ["4 hours", "8 hours", "10 hours"]
    assert value_order(["A4", "A6", "A5"]) == ["A6", "A5", "A4"]
    assert value_order(["1080p", "5K", "4K"]) == ["1080p", "4K", "5K"]
    assert value_order(["AC adapter", "USB", "battery"]) is None
    assert value_order(["10 hours", "500ml"]) is None  # no one dimension


def test_a_size_step_keeps_the_rest() -> None:
    fit = _fit("exchange the t-shirt for one size smaller", TSHIRT)
    assert _ids(fit) == ["2060066974"] and fit.chosen is not None
    assert _options("2060066974") == {**_options(TSHIRT), "size": "XL"}
    assert _ids(_fit("a size down please", TSHIRT)) == ["2060066974"]
    assert _fit("one size bigger", TSHIRT).variants == []  # XXL is the largest there is


def test_a_bare_comparative_moves_to_the_nearest_value_in_stock() -> None:
    # 750ml stainless black is out of stock: "bigger" goes on to 1000ml; "one size bigger" is 750ml, in another make.
    assert _ids(_fit("I'd like a bigger one", BOTTLE)) == ["7661609223"]
    near = _fit("one size bigger please", BOTTLE)
    assert near.chosen is None and not near.exact
    # Every 750ml bottle in stock that differs in one other option: glass or plastic black, stainless blue or red.
    assert sorted(_ids(near)) == ["4579334072", "6777246137", "7199146548", "7843064651"]
    assert all(_options(i)["capacity"] == "750ml" for i in _ids(near))


def test_chinese_comparatives() -> None:
    assert _ids(_fit("我想换小一号的", TSHIRT)) == ["2060066974"]
    assert _ids(_fit("换个大一点的", BOTTLE)) == ["7661609223"]
    brighter = _fit("想要更亮一点的", LAMP_LOW)
    assert _ids(brighter) == ["6805564527"] and _options("6805564527")["brightness"] == "medium"
    assert _ids(_fit("没那么亮的就行", LAMP_BLACK)) == ["5320792178"]  # medium, the rest unchanged
    assert _ids(_fit("换最便宜的", KEYBOARD)) == ["3616838507"]


def test_the_same_but_changes_only_the_named_option() -> None:
    fit = _fit("the same but in red", TSHIRT)
    assert _ids(fit) == ["9354168549"] and _options("9354168549") == {**_options(TSHIRT), "color": "red"}
    # "I'm" names no size M, and the colour it has is the one to leave.
    assert _ids(_fit("I'm after the same shirt, red instead of black", TSHIRT)) == ["9354168549"]
    assert _ids(_fit("red or blue", TSHIRT)) == ["9354168549"]  # no blue XXL cotton crew neck


def test_a_stated_preference_order_picks_the_best_available() -> None:
    # Silver and dimmer: the battery lamp is in stock and beats AC.
    assert _ids(_fit("less bright (battery > USB > AC)", LAMP_SILVER)) == ["7453605304"]
    # Black: no battery lamp in stock, so USB, one step dimmer.
    assert _ids(_fit("less bright (battery > USB > AC)", LAMP_BLACK)) == ["6805564527"]
    assert _options("6805564527") == {"color": "black", "brightness": "medium", "power source": "USB"}


def test_the_cheapest_in_stock() -> None:
    in_stock = [v for v in _product_of(TSHIRT).variants if v.available and v.item_id != TSHIRT]
    cheapest = min(in_stock, key=lambda v: v.price)
    assert _ids(_fit("the cheapest one in stock", TSHIRT)) == [cheapest.item_id] == ["3234800602"]
    black = min((v for v in in_stock if v.options["color"] == "black"), key=lambda v: v.price)
    assert _ids(_fit("the cheapest black one", TSHIRT)) == [black.item_id] == ["5253880258"]


def test_same_as_my_other_one() -> None:
    assert _ids(_fit("make it the same as my other one", OTHER_TSHIRT, others=(TSHIRT, "4245201809"))) == [TSHIRT]
    assert _fit("same as my other one", OTHER_TSHIRT).variants == []  # no other T-Shirt of theirs
    assert _ids(_fit("和我另一件一样", TSHIRT, others=(OTHER_TSHIRT,))) == [OTHER_TSHIRT]


def test_several_fits_are_all_returned_to_ask_about() -> None:
    # Clicky, RGB, full size is out of stock: each in-stock keyboard one change away is a candidate.
    fit = _fit("the same one but clicky", KEYBOARD)
    assert fit.chosen is None and sorted(_ids(fit)) == ["2299424241", "6342039236", "7706410293"]
    assert all(_options(i)["switch type"] == "clicky" for i in _ids(fit))
    # "more" on a laptop: every ordered option is a reading of it.
    upgrade = _fit("I want more", "6056040996")
    assert upgrade.chosen is None and len(upgrade.variants) > 1


def test_none_fits_or_nothing_is_asked() -> None:
    assert _fit("exchange the t-shirt please", TSHIRT).variants == []
    assert _fit("the same but in green", TSHIRT).variants == []  # no green T-Shirt at all
    assert _fit("the same but in black", TSHIRT).variants == []  # that is what it is


def test_each_item_gets_the_part_of_the_message_about_it() -> None:
    """tau2 retail dev task 0, per item: the keyboard's fallback sentence does not touch the thermostat."""
    text = (
        "exchange the mechanical keyboard for the same one but with clicky switches and the smart thermostat for one "
        "compatible with Google Home instead of Apple HomeKit. If there is no keyboard that is clicky, RGB backlight, "
        "full size, you'd go for no backlight."
    )
    order = Order.model_validate(DB["orders"]["#W2378156"])
    segment = matching.operation_segment(text, ("exchange",), ("return", "cancel"))  # the first sentence only
    items = matching.match_items(segment, order.items)
    keyboard, thermostat = (matching.item_text(segment, item, order.items, message=text) for item in items)
    # The sentence after the segment names the keyboard: it is the keyboard's, and not the thermostat's.
    assert "thermostat" not in keyboard and "no backlight" in keyboard
    assert thermostat == "the smart thermostat for one compatible with Google Home instead of Apple HomeKit"
    chosen = [matching.resolve_variant(part, item, _product_of(item.item_id)).chosen for part, item in
              zip((keyboard, thermostat), items, strict=True)]  # fmt: skip
    assert [variant.item_id for variant in chosen if variant] == ["7706410293", "7747408585"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a bigger screen", "15-inch"), ("more storage", "1TB SSD")],
)
def test_a_comparative_moves_the_option_named_beside_it(text: str, expected: str) -> None:
    fit = _fit(text, "6056040996")  # Laptop 13-inch, i5, 16GB, 512GB SSD, space grey
    assert fit.variants and all(expected in variant.options.values() for variant in fit.variants)
