"""Orders: look-ups and the writes the served shop's policy allows (ShopRules: shops/<name>/policy.toml).

Each write checks every rule before it changes anything, so a refusal leaves the
database as it was. The arithmetic follows the tau2-bench retail domain, whose
ground-truth tasks this service must replay: a cancellation refunds each payment
method what it paid (a gift card at once), an item change records the price
difference as a payment or refund, a return or exchange of items records the
request (the refund comes later). The writes other shops' policies add (a phone
change, a whole-order return, an exchange for a listed product, price
protection) are in order_changes.py; placing an order in placing.py.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.connectors.models import GIFT_CARD, Address, Order, OrderSummary, Refusal
from commerce.errors import CommerceError, not_found, refused
from commerce.models import OrderItemRow, OrderRow, PaymentMethodRow, PaymentRow, ProductRow, VariantRow
from commerce.services.rules import ShopRules
from commerce.views import order_summary_view, order_view

ORDER_LOADS = (selectinload(OrderRow.items), selectinload(OrderRow.payments), selectinload(OrderRow.shipments))


def load_order(session: Session, order_id: str, customer_id: str | None, *, for_update: bool = False) -> OrderRow:
    """The order, or 404 — also when it belongs to another customer than the one the caller acts for."""
    query = select(OrderRow).where(OrderRow.id == order_id).options(*ORDER_LOADS)
    if for_update:
        query = query.with_for_update()
    order = session.scalar(query)
    if order is None or (customer_id is not None and order.customer_id != customer_id):
        raise not_found(Refusal.ORDER_NOT_FOUND, "order")
    return order


class OrderService:
    def __init__(self, session: Session, rules: ShopRules | None = None) -> None:
        """`rules` None: the retail shop's, in English (what the evaluations' state oracle replays in process)."""
        self.session = session
        self.rules = rules or ShopRules.of("retail")

    # --- reads ---

    def get(self, order_id: str, customer_id: str | None) -> Order:
        return order_view(load_order(self.session, order_id, customer_id))

    def list_for_customer(self, customer_id: str) -> list[OrderSummary]:
        rows = self.session.scalars(
            select(OrderRow).where(OrderRow.customer_id == customer_id).order_by(OrderRow.position).options(*ORDER_LOADS)
        )
        return [order_summary_view(row) for row in rows]

    # --- writes ---

    def cancel(self, order_id: str, reason: str, customer_id: str | None) -> Order:
        """Refund each payment method what it paid (a gift card, 京东E卡 included, at once) and cancel."""
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("cancel", order)
        reasons = self.rules.policy.cancel_reasons
        if reasons and reason not in reasons:
            raise self.rules.refuse(422, Refusal.INVALID_CANCEL_REASON, "cancel_reason", reasons=", ".join(reasons))
        if not reason.strip():
            raise self.rules.refuse(422, Refusal.INVALID_CANCEL_REASON, "cancel_reason_missing")
        for method_id, amount in net_paid(order).items():
            if amount > 0:
                refund(self.session, order, amount, method_id)
        self.rules.apply("cancel", order)
        order.cancel_reason = reason
        return self._saved(order)

    def modify_address(self, order_id: str, address: Address, customer_id: str | None) -> Order:
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("modify_address", order)
        order.address = address.model_dump()
        for shipment in order.shipments:
            if shipment.recipient:  # a carrier record that names its recipient follows the order (not retail's)
                shipment.recipient = {**shipment.recipient, "address": address.one_line()}
        return self._saved(order)

    def modify_payment(self, order_id: str, payment_method_id: str, customer_id: str | None) -> Order:
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("modify_payment", order)
        new_method = self._payment_method(order, payment_method_id)
        if len(order.payments) != 1 or order.payments[0].transaction_type != "payment":
            raise refused(Refusal.UNEXPECTED_PAYMENT_HISTORY, "The order must have exactly one payment to change it")
        old_payment = order.payments[0]
        if old_payment.payment_method_id == payment_method_id:
            raise refused(Refusal.SAME_PAYMENT_METHOD, "The new payment method must differ from the current one")
        amount = old_payment.amount_cents
        _require_gift_card_covers(new_method, amount, "the order total")
        old_method = self._payment_method(order, old_payment.payment_method_id)
        self._add_payment(order, "payment", amount, payment_method_id)
        self._add_payment(order, "refund", amount, old_method.id)
        if new_method.source == GIFT_CARD:
            new_method.balance_cents = (new_method.balance_cents or 0) - amount
        if old_method.source == GIFT_CARD:
            old_method.balance_cents = (old_method.balance_cents or 0) + amount
        return self._saved(order)

    def modify_items(
        self, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str, customer_id: str | None
    ) -> Order:
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("modify_items", order)
        variants, difference = self._item_changes(order, item_ids, new_item_ids)
        method = self._payment_method(order, payment_method_id)
        _require_gift_card_covers(method, difference, "the price difference")
        self._add_payment(order, "payment" if difference > 0 else "refund", abs(difference), payment_method_id)
        if method.source == GIFT_CARD:
            method.balance_cents = (method.balance_cents or 0) - difference
        for item_id, variant in zip(item_ids, variants, strict=True):
            # Duplicates of one item are replaced one after the other, as each changes its id.
            line = next(line for line in order.items if line.item_id == item_id)
            line.item_id, line.price_cents, line.options = variant.id, variant.price_cents, dict(variant.options)
        self.rules.apply("modify_items", order)
        return self._saved(order)

    def return_items(self, order_id: str, item_ids: list[str], payment_method_id: str, customer_id: str | None) -> Order:
        self.rules.require_form(self.rules.policy.return_scope == "items", "return_whole_order")
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("return", order)
        method = self._payment_method(order, payment_method_id)
        original = order.payments[0].payment_method_id if order.payments else None
        to_gift_card = self.rules.policy.refund_destination == "original_or_gift_card" and method.source == GIFT_CARD
        if not to_gift_card and payment_method_id != original:
            raise refused(Refusal.REFUND_NOT_TO_ORIGINAL, "The refund must go to the original payment method or a gift card")
        _require_items_in_order(order, item_ids)
        self.rules.apply("return", order)
        order.return_items = sorted(item_ids)
        order.return_payment_method_id = payment_method_id
        return self._saved(order)

    def exchange_items(
        self, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str, customer_id: str | None
    ) -> Order:
        self.rules.require_form(self.rules.policy.exchange_targets == "same_product", "exchange_listed")
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("exchange", order)
        _variants, difference = self._item_changes(order, item_ids, new_item_ids)
        method = self._payment_method(order, payment_method_id)
        _require_gift_card_covers(method, difference, "the price difference")
        self.rules.apply("exchange", order)
        order.exchange_items = sorted(item_ids)
        order.exchange_new_items = sorted(new_item_ids)
        order.exchange_payment_method_id = payment_method_id
        order.exchange_price_difference_cents = difference
        return self._saved(order)

    # --- helpers ---

    def _item_changes(self, order: OrderRow, item_ids: list[str], new_item_ids: list[str]) -> tuple[list[VariantRow], int]:
        """The new variants and the price difference (cents, positive when the customer pays)."""
        _require_items_in_order(order, item_ids)
        if len(item_ids) != len(new_item_ids):
            raise refused(Refusal.ITEM_COUNT_MISMATCH, "Each item to change needs exactly one new item")
        variants, difference = [], 0
        for item_id, new_item_id in zip(item_ids, new_item_ids, strict=True):
            line = next(line for line in order.items if line.item_id == item_id)
            variant = self.session.get(VariantRow, new_item_id)
            if variant is None:
                raise not_found(Refusal.ITEM_NOT_FOUND, f"item {new_item_id}")
            if variant.product_id != line.product_id:
                product = self.session.get(ProductRow, line.product_id)
                name = product.name if product else line.name
                raise refused(Refusal.DIFFERENT_PRODUCT, f"Item {new_item_id} is not a variant of the same product ({name})")
            if not variant.available:
                raise refused(Refusal.ITEM_NOT_AVAILABLE, f"Item {new_item_id} is not available")
            variants.append(variant)
            difference += variant.price_cents - line.price_cents
        return variants, difference

    def _payment_method(self, order: OrderRow, payment_method_id: str) -> PaymentMethodRow:
        return owned_method(self.session, order.customer_id, payment_method_id)

    def _add_payment(self, order: OrderRow, kind: str, amount_cents: int, payment_method_id: str) -> None:
        add_payment(order, kind, amount_cents, payment_method_id)

    def _saved(self, order: OrderRow) -> Order:
        self.session.flush()
        return order_view(order)


def owned_method(session: Session, customer_id: str, payment_method_id: str) -> PaymentMethodRow:
    """The customer's payment method, locked (its balance may change), or 422 when it is not theirs."""
    method = session.get(PaymentMethodRow, payment_method_id, with_for_update=True)
    if method is None or method.customer_id != customer_id:
        raise refused(Refusal.PAYMENT_METHOD_NOT_OWNED, f"Payment method {payment_method_id} is not one of the customer's")
    return method


def add_payment(order: OrderRow, kind: str, amount_cents: int, payment_method_id: str) -> None:
    order.payments.append(
        PaymentRow(
            position=len(order.payments), transaction_type=kind, amount_cents=amount_cents, payment_method_id=payment_method_id
        )
    )


def net_paid(order: OrderRow) -> Counter[str]:
    """What each payment method paid for the order and has not had back (cents)."""
    paid: Counter[str] = Counter()
    for payment in order.payments:
        paid[payment.payment_method_id] += (
            payment.amount_cents if payment.transaction_type == "payment" else -payment.amount_cents
        )
    return paid


def refund(session: Session, order: OrderRow, amount_cents: int, payment_method_id: str) -> None:
    """Record a refund to a method; a gift card (京东E卡) gets the money back at once, others later."""
    add_payment(order, "refund", amount_cents, payment_method_id)
    method = owned_method(session, order.customer_id, payment_method_id)
    if method.source == GIFT_CARD:
        method.balance_cents = (method.balance_cents or 0) + amount_cents


def _require_gift_card_covers(method: PaymentMethodRow, amount_cents: int, what: str) -> None:
    if method.source == GIFT_CARD and (method.balance_cents or 0) < amount_cents:
        raise refused(Refusal.INSUFFICIENT_GIFT_CARD_BALANCE, f"The gift card balance does not cover {what}")


def _require_items_in_order(order: OrderRow, item_ids: list[str]) -> None:
    if not item_ids:
        raise CommerceError(422, Refusal.BAD_REQUEST, "Name at least one item")
    available = Counter(line.item_id for line in order.items)
    for item_id, wanted in Counter(item_ids).items():
        if wanted > available[item_id]:
            raise refused(Refusal.ITEM_NOT_IN_ORDER, f"Order {order.id} has {available[item_id]} of item {item_id}, not {wanted}")


__all__ = ["OrderService", "load_order", "OrderItemRow"]
