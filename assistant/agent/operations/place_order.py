"""place_order: buy products for the customer, paid at once with one of their own payment methods, after they confirm.

"帮我下单一台美的无冷感M9S Ultra燃气热水器（100121341607），用京东E卡付": the product
is the one whose id the customer gives, else the one catalogue product whose
name holds the model codes and sizes they say ("Lasko的16寸落地扇"); how many
("一台", "两台", "2台"; one when unsaid); the payment method is one of the
customer's own, named by its kind (京东E卡/E卡, 微信, 支付宝, 银行卡). What is
missing is asked for. The write checks that each product is on sale and that an
e-card covers the total, and shows the total and the e-card's balance after.
"""

from __future__ import annotations

import re

from assistant.agent import matching
from assistant.agent.operations import identity, listed_exchange
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome, ToolFailed
from assistant.connectors.models import PaymentMethod, Product

_PRODUCT_ID = re.compile(r"(?<!\d)\d{11,12}(?!\d)")
_COUNT = re.compile(r"([一两二三四五六七八九十]|\d{1,2})\s*(台|个|件|套|部)")
_NUMERALS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# How a customer names a kind of payment, by the method's `source`.
_KINDS = {
    "gift_card": r"E卡|e卡|京东卡|礼品卡|gift ?card|e-?card",
    "wechat_pay": r"微信|wechat",
    "alipay": r"支付宝|alipay",
    "bank_card": r"银行卡|bank ?card|debit card|credit card",
}


async def place_order(turn: OperationTurn, user_id: str) -> Outcome:
    text = turn.request.segment
    product = await _product(turn, text)
    if product is None:
        return turn.reply("place_order.ask_product")
    customer = await turn.customer(user_id)
    method = payment_method(text, customer.payment_methods)
    if method is None:
        methods = [each.brand or each.id for each in customer.payment_methods]
        return turn.reply("place_order.ask_payment", product=f"{product.name}（{product.product_id}）", methods=methods)
    items = [{"product_id": product.product_id, "quantity": quantity(text)}]
    return await turn.propose({"items": items, "payment_method_id": method})


async def _product(turn: OperationTurn, text: str) -> Product | None:
    """The product the text names by id, else the one catalogue product its model codes and sizes name."""
    for product_id in _PRODUCT_ID.findall(text):
        try:
            return Product.model_validate(await turn.tools.read("get_product_details", product_id=product_id))
        except ToolFailed as exc:
            if exc.unavailable:
                raise
    catalogue = await turn.tools.read("list_all_product_types")
    named = listed_exchange.best_by_marks(text, [(str(p["product_id"]), str(p["name"])) for p in catalogue])
    if named is None:
        return None
    return Product.model_validate(await turn.tools.read("get_product_details", product_id=named))


def quantity(text: str) -> int:
    match = _COUNT.search(text)
    if match is None:
        return 1
    said = match.group(1)
    return int(said) if said.isdigit() else _NUMERALS[said]


def payment_method(text: str, methods: list[PaymentMethod]) -> str | None:
    """The customer's method the text names: by id, by kind (one method of that kind), else as the retail words do."""
    for method in methods:
        if method.id in text:
            return method.id
    for source, words in _KINDS.items():
        if re.search(words, text, re.IGNORECASE):
            kind = [method for method in methods if method.source == source]
            if len(kind) == 1:
                return kind[0].id
    return matching.match_payment(text, methods)


OPERATION = Operation(
    name="place_order",
    description="buy a product: place an order paid with one of the customer's payment methods",
    handler=place_order,
    words_en=r"\b(place an order|order (a|one|two)|i want to buy|buy (a|one|two|another))\b",
    words_zh=r"下单|下一单|帮我买|我要买|我想买|想买一|再买一|购买一",
    action="place_order",
    needs_order=True,  # "怎么下单？" naming nothing is a question for the knowledge base
    tools=("place_order",),
    phrases=(
        "place_order.verb",
        "place_order.verb_past",
        "place_order.ask_product",
        "place_order.ask_payment",
        *identity.PHRASES,
        "confirm",
        "execute_failed",
    ),
)
