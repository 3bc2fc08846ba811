"""An exchange in the form the Chinese shop's policy asks for: a product of an order not yet shipped, for one its
listing names as exchangeable (可换货商品) and on sale (`exchange_order_product`).

Which product of the order: the only one, else the one the customer names. For
which listed product: the one whose id the customer gives, else the one whose
listing holds the model codes and sizes the customer says ("换成80升的",
"换成F8033-JE6"), when exactly one does. Otherwise the customer is asked, with
the listed products on sale; a listed one that is out of stock is the tool's
to refuse, with its rule and the ones that are on sale.
"""

from __future__ import annotations

import re

from assistant.agent import matching
from assistant.agent.operations import item_changes, orders
from assistant.agent.operations.base import OperationTurn
from assistant.agent.outcome import Outcome
from assistant.connectors.models import ExchangeOption

# What tells the listed products apart in a customer's words: model codes (F8033-JE6, JSQ30-M9) and sizes (80升).
_MODEL = re.compile(r"[A-Za-z]{1,6}\d[A-Za-z0-9.\-]*")
_SIZE = re.compile(r"\d+(?:\.\d+)?\s*(?:升|L|套|W|英寸|寸)(?![A-Za-z])", re.IGNORECASE)
_PRODUCT_ID = re.compile(r"(?<!\d)\d{11,12}(?!\d)")
_CJK_PAIR = re.compile(r"[\u4e00-\u9fa5]{2}")
# Brand or series words in Latin letters ("Lasko", "Max", "Ultra"): they tell catalogue products apart too.
_BRAND = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")


async def exchange_listed(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    segment = turn.request.segment
    products = list(dict.fromkeys(item.product_id for item in order.items))
    if len(products) > 1:
        named = {item.product_id for item in matching.match_items(segment, order.items)}
        if len(named) != 1:
            return turn.reply("ask_items", order_id=order.order_id, items=orders.item_names(order))
        products = list(named)
    product = await item_changes.read_product(turn, products[0])
    target = chosen(segment, product.exchangeable, exclude=product.name)
    if target is None:
        on_sale = [f"{option.description}（{option.product_id}）" for option in product.exchangeable if option.on_sale]
        if not on_sale:
            reply = turn.say("exchange_items.none_listed", item=product.name)
            return Outcome(route=turn.operation.name, reply=reply, impossible=True)
        return turn.reply("exchange_items.choose_listed", item=product.name, options=on_sale)
    arguments = {"order_id": order.order_id, "product_id": product.product_id, "new_product_id": target.product_id}
    return await turn.propose(arguments)


def chosen(text: str, listed: list[ExchangeOption], *, exclude: str = "") -> ExchangeOption | None:
    """The listed product the text names: by id, else the one listing that alone holds the most of its model codes and
    sizes (those of the ordered product itself, `exclude`, say nothing about the new one)."""
    for product_id in _PRODUCT_ID.findall(text):
        found = next((option for option in listed if option.product_id == product_id), None)
        if found is not None:
            return found
    best = best_by_marks(text, [(option.product_id, option.description) for option in listed], exclude=exclude)
    return next((option for option in listed if option.product_id == best), None)


def best_by_marks(text: str, candidates: list[tuple[str, str]], *, exclude: str = "") -> str | None:
    """The id of the one candidate (id, description) whose description holds the most of the model codes and sizes the
    text says (those in `exclude` left out), then the most of its Chinese word pairs ("落地扇" tells a floor fan from a
    tower fan of one size); None when none holds a code or size, or two hold as many."""
    own = _squashed(exclude)
    said = (*_MODEL.findall(text), *_SIZE.findall(text), *_BRAND.findall(text))
    marks = [mark for mark in (_squashed(m) for m in said) if mark not in own]
    if not marks or not candidates:
        return None
    pairs = {text[i : i + 2] for i in range(len(text) - 1) if _CJK_PAIR.fullmatch(text[i : i + 2])}
    scores = [
        ((sum(mark in _squashed(description) for mark in marks), sum(pair in description for pair in pairs)), key)
        for key, description in candidates
    ]
    best = max(score for score, _ in scores)
    top = [key for score, key in scores if score == best]
    return top[0] if best[0] > 0 and len(top) == 1 else None


def _squashed(text: str) -> str:
    """Upper case, no spaces, litres as 升 and inches as 英寸: "80 L" and "80升", "16寸" and "16英寸" are one size."""
    if not text:
        return ""
    return re.sub(r"\s+", "", text).upper().replace("L", "升").replace("英寸", "寸")
