"""The order writes shops other than the retail one need: a new recipient phone, a whole-order return, an exchange for a
listed product, and price protection (价保).

Each checks the served shop's policy (ShopRules) and every other rule before it
changes anything, like the writes of orders.py. Money moves the way
data/ecom_store/policy_zh.md says: an order paid by 京东E卡 (a gift card) gets its
refunds on the e-card at once; any other payment method is refunded later (the
refund is recorded on the order now).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.connectors.models import GIFT_CARD, Order, Refusal
from commerce.models import ExchangeOptionRow, OrderRow, ProductRow, VariantRow
from commerce.services.orders import load_order, net_paid, owned_method, refund
from commerce.services.rules import ShopRules
from commerce.views import order_view


class OrderChanges:
    def __init__(self, session: Session, rules: ShopRules) -> None:
        self.session = session
        self.rules = rules

    def modify_phone(self, order_id: str, phone: str, customer_id: str | None) -> Order:
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("modify_phone", order)
        number = checked_phone(self.rules, phone)
        order.recipient_phone = number
        for shipment in order.shipments:
            if shipment.recipient:
                shipment.recipient = {**shipment.recipient, "phone": number}
        return self._saved(order)

    def return_order(self, order_id: str, reason: str, customer_id: str | None) -> Order:
        """Return the whole order; paid by gift card (京东E卡) under `gift_card_at_once`: refunded to it now."""
        self.rules.require_form(self.rules.policy.return_scope == "order", "return_items")
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("return", order)
        original = order.payments[0].payment_method_id if order.payments else None
        if original is not None:
            method = owned_method(self.session, order.customer_id, original)
            if self.rules.policy.return_refund == "gift_card_at_once" and method.source == GIFT_CARD:
                owed = net_paid(order)[original]
                if owed > 0:
                    refund(self.session, order, owed, original)
        self.rules.apply("return", order)
        order.return_items = sorted(line.item_id for line in order.items)
        order.return_payment_method_id = original
        if reason:
            order.attributes = {**(order.attributes or {}), "return_reason": reason}
        return self._saved(order)

    def exchange_product(self, order_id: str, product_id: str, new_product_id: str, customer_id: str | None) -> Order:
        """Every line of `product_id` becomes `new_product_id`, a product it lists as exchangeable and on sale; the
        price paid stays."""
        self.rules.require_form(self.rules.policy.exchange_targets == "listed", "exchange_variants")
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("exchange", order)
        lines = [line for line in order.items if line.product_id == product_id]
        if not lines:
            raise self.rules.refuse(
                422, Refusal.ITEM_NOT_IN_ORDER, "product_not_in_order", order_id=order.id, product_id=product_id
            )
        listing = self.session.scalar(
            select(ExchangeOptionRow).where(
                ExchangeOptionRow.product_id == product_id, ExchangeOptionRow.target_id == new_product_id
            )
        )
        if listing is None:
            raise self.rules.refuse(
                422, Refusal.PRODUCT_NOT_EXCHANGEABLE, "not_exchangeable",
                new_product_id=new_product_id, product_id=product_id, name=lines[0].name,
            )  # fmt: skip
        target = self.session.get(ProductRow, new_product_id)
        variant = self.session.get(VariantRow, new_product_id)
        if target is None or variant is None or not listing_on_sale(self.rules.policy.product_on_sale, listing.status, variant):
            raise self.rules.refuse(
                409, Refusal.PRODUCT_NOT_ON_SALE, "exchange_not_on_sale",
                new_product_id=new_product_id, product_id=product_id, status=listing.status,
            )  # fmt: skip
        for line in lines:
            line.item_id, line.product_id, line.name, line.options = variant.id, target.id, target.name, dict(variant.options)
        self.rules.apply("exchange", order)
        exchanges = [*(order.attributes or {}).get("exchanges", []), {"product_id": product_id, "new_product_id": target.id}]
        order.attributes = {**(order.attributes or {}), "exchanges": exchanges}
        return self._saved(order)

    def claim_price_protection(self, order_id: str, customer_id: str | None) -> Order:
        """Refund, per unit, what was paid above today's price, to the original payment method (a gift card at once)."""
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("price_protection", order)
        total = 0
        for line in order.items:
            variant = self.session.get(VariantRow, line.item_id)
            if variant is None:
                continue
            difference = line.price_cents - line.price_protected_cents - variant.price_cents
            if difference > 0:
                line.price_protected_cents += difference
                total += difference
        original = order.payments[0].payment_method_id if order.payments else None
        if total <= 0 or original is None:
            raise self.rules.refuse(409, Refusal.NO_PRICE_DIFFERENCE, "no_price_difference", order_id=order.id)
        refund(self.session, order, total, original)
        return self._saved(order)

    def _saved(self, order: OrderRow) -> Order:
        self.session.flush()
        return order_view(order)


def listing_on_sale(word: str | None, listing_status: str, variant: VariantRow | None) -> bool:
    """An exchange target is on sale when its listing says so (in the shop's `word`) and the product can be bought."""
    return variant is not None and variant.available and (word is None or listing_status == word)


def checked_phone(rules: ShopRules, phone: str) -> str:
    """The number as digits, when it is one the shop's phone pattern accepts (any 5 to 20 digits without one)."""
    digits = re.sub(r"[\s\-()+]", "", phone)
    pattern = rules.shop.profile.identity.phone
    valid = re.fullmatch(pattern, digits) if pattern else re.fullmatch(r"\d{5,20}", digits)
    if not valid:
        raise rules.refuse(422, Refusal.INVALID_PHONE, "invalid_phone", phone=phone)
    return digits
