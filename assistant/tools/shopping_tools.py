"""Buying: the customer's e-card (gift card) balance (READ), and placing an order for them (WRITE).

Only products on sale can be ordered; the customer chooses the payment method
among their own and confirms the proposal, which names every product, the total
in the shop's currency, the method and — for an e-card — the balance before and
after. The e-card must cover the total; it is charged when the order is placed.
"""

from __future__ import annotations

from typing import Any

from assistant.connectors.models import GIFT_CARD, Address, Customer, Order, Refusal
from assistant.connectors.requests import NewOrder, NewOrderLine
from assistant.errors import BadInputError, PolicyViolationError
from assistant.tools.access import own_customer
from assistant.tools.base import Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer
from assistant.tools.order_change_tools import chinese_address, valid_phone
from assistant.tools.policy import owned_payment_method


class ShoppingTools:
    @tool(ToolKind.READ)
    async def get_ecard_balance(self, ctx: ToolContext) -> dict[str, Any]:
        """Get the balance of the verified customer's e-cards and gift cards (京东E卡), and their total.

        How to bind or use an e-card is in the shop's help documents, not here.
        """
        cards = await ctx.connectors.crm.list_gift_cards(ctx.customer_id)
        return {
            "cards": [{"payment_method_id": card.id, "name": card.brand or card.id, "balance": card.balance} for card in cards],
            "total": round(sum(card.balance or 0.0 for card in cards), 2),
            "currency": ctx.shop.profile.currency,
        }

    @tool(ToolKind.WRITE, executor="_place_order")
    async def place_order(
        self,
        ctx: ToolContext,
        items: list[NewOrderLine],
        payment_method_id: str,
        province: str | None = None,
        city: str | None = None,
        district: str | None = None,
        detail: str | None = None,
        recipient_name: str | None = None,
        recipient_phone: str | None = None,
    ) -> Proposal:
        """Place an order for the verified customer: products on sale only, paid at once with the method they chose.

        Look each product up first (get_product_details: status 已上架 means on sale) and ask the customer which of
        their payment methods pays. An e-card must cover the whole amount. Without an address, the order goes to the
        customer's own address, name and phone.

        Args:
            items: The products and how many of each, such as [{"product_id": "100112573665", "quantity": 1}].
            payment_method_id: The customer's payment method that pays, from their profile, such as an e-card's id.
            province: The delivery province (省份), or null for the customer's own address.
            city: The delivery city (城市), or null.
            district: The delivery district or county (区县), or null.
            detail: The street, number and room (详细地址), or null.
            recipient_name: Who receives it, or null for the customer.
            recipient_phone: The recipient's phone number, or null for the customer's.
        """
        if not items:
            raise BadInputError(Describer(ctx.language, ctx.texts).text("refusal", "no_items"))
        address = _address_given(ctx, province, city, district, detail)
        phone = valid_phone(ctx, recipient_phone) if recipient_phone else None
        customer = await own_customer(ctx)
        say = Describer(ctx.language, ctx.texts)
        currency = ctx.shop.profile.currency
        lines, total = [], 0.0
        for line in items:
            name, price = await _on_sale(ctx, say, line.product_id)
            total += price * line.quantity
            lines.append(say.text("misc", "order_line", name=name, count=line.quantity, price=say.money(price, currency)))
        total = round(total, 2)
        method = owned_payment_method(customer, payment_method_id)
        balance = ""
        if method.source == GIFT_CARD:
            before = method.balance or 0.0
            if before < total:
                message = say.text(
                    "refusal", "gift_card_short", card=say.method(method), balance=say.money(before, currency),
                    amount=say.money(total, currency),
                )  # fmt: skip
                raise PolicyViolationError(message, reason=Refusal.INSUFFICIENT_GIFT_CARD_BALANCE)
            balance = say.text(
                "misc", "balance_after", before=say.money(before, currency), after=say.money(before - total, currency)
            )
        text = say.render(
            "place_order",
            lines="; ".join(lines),
            total=say.money(total, currency),
            method=say.method(method),
            balance=balance,
            recipient=(recipient_name or "").strip() or _name(customer),
            phone=phone or customer.phone or "-",
            address=say.address(address or customer.address, ctx.shop.policy.address_format),
        )
        settled = {"recipient_phone": phone} if phone else {}
        return Proposal(description=text, currency=currency, arguments=settled)

    async def _place_order(
        self,
        ctx: ToolContext,
        key: str,
        items: list[NewOrderLine],
        payment_method_id: str,
        province: str | None = None,
        city: str | None = None,
        district: str | None = None,
        detail: str | None = None,
        recipient_name: str | None = None,
        recipient_phone: str | None = None,
    ) -> Order:
        order = NewOrder(
            items=items,
            payment_method_id=payment_method_id,
            address=_address_given(ctx, province, city, district, detail),
            recipient_name=(recipient_name or "").strip() or None,
            recipient_phone=recipient_phone,
        )
        return await ctx.connectors.orders.place_order(order, customer_id=ctx.customer_id, idempotency_key=key)


async def _on_sale(ctx: ToolContext, say: Describer, product_id: str) -> tuple[str, float]:
    """The product's name and price, when it can be bought now; else the refusal naming its status."""
    product = await ctx.connectors.orders.get_product(product_id)
    variant = product.variant(product_id) or (product.variants[0] if len(product.variants) == 1 else None)
    word = ctx.shop.policy.product_on_sale
    if variant is None or not variant.available or (word is not None and product.status != word):
        message = say.text("refusal", "not_on_sale", name=product.name, product_id=product_id, status=product.status or "-")
        raise PolicyViolationError(message, reason=Refusal.PRODUCT_NOT_ON_SALE)
    return product.name, variant.price


def _address_given(
    ctx: ToolContext, province: str | None, city: str | None, district: str | None, detail: str | None
) -> Address | None:
    parts = (province, city, district, detail)
    if not any(part and part.strip() for part in parts):
        return None
    return chinese_address(ctx, *(part or "" for part in parts))


def _name(customer: Customer) -> str:
    # The Chinese shop keeps the family name as last_name: 宋 + 敬明 is written 宋敬明.
    if customer.locale == "zh":
        return f"{customer.name.last_name}{customer.name.first_name}"
    return f"{customer.name.first_name} {customer.name.last_name}"
