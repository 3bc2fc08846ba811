"""Placing an order for a customer: products on sale only, paid at once by one of the customer's payment methods.

A gift card (京东E卡) must cover the whole amount and is charged when the order
is placed. The order starts in the status the shop's policy gives a new order
(`place_order.result_status`), at the address, recipient and phone given, else
the customer's own. A new order's id is the next number after the highest
12-digit one (the Chinese shop's form); the idempotency key makes a retried
request answer the same order instead of placing a second one.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from assistant.connectors.models import GIFT_CARD, Address, Order, Refusal
from assistant.connectors.requests import NewOrder
from commerce.errors import not_found
from commerce.models import CustomerRow, OrderItemRow, OrderRow, ProductRow, VariantRow
from commerce.services.order_changes import checked_phone
from commerce.services.orders import add_payment, owned_method
from commerce.services.rules import ShopRules
from commerce.views import money, order_view

FIRST_ORDER_ID = 100_000_000_000


class OrderPlacing:
    def __init__(self, session: Session, rules: ShopRules) -> None:
        self.session = session
        self.rules = rules

    def place(self, customer_id: str, request: NewOrder) -> Order:
        self.rules.require_offered("place_order")
        customer = self.session.get(CustomerRow, customer_id)
        if customer is None:
            raise not_found(Refusal.CUSTOMER_NOT_FOUND, "customer")
        lines = [(self._on_sale(line.product_id), line.quantity) for line in request.items]
        total = sum(variant.price_cents * quantity for (_product, variant), quantity in lines)
        method = owned_method(self.session, customer_id, request.payment_method_id)
        if method.source == GIFT_CARD:
            balance = method.balance_cents or 0
            if balance < total:
                raise self.rules.refuse(
                    409, Refusal.INSUFFICIENT_GIFT_CARD_BALANCE, "gift_card_short",
                    card=method.brand or method.id, balance=_amount(balance), amount=_amount(total),
                )  # fmt: skip
            method.balance_cents = balance - total
        address = request.address or Address.model_validate(customer.address)
        order = OrderRow(
            id=self._next_id(),
            customer_id=customer_id,
            position=self._count(customer_id),
            status=self.rules.policy.result_status("place_order", ""),
            currency=self.rules.shop.profile.currency,
            address=address.model_dump(),
            expedited=False,
            recipient_name=request.recipient_name or _full_name(customer),
            recipient_phone=checked_phone(self.rules, request.recipient_phone) if request.recipient_phone else customer.phone,
            attributes={},
        )
        self.session.add(order)
        for product, variant in (pair for pair, quantity in lines for _ in range(quantity)):
            order.items.append(
                OrderItemRow(
                    position=len(order.items), item_id=variant.id, product_id=product.id, name=product.name,
                    price_cents=variant.price_cents, options=dict(variant.options), price_protected_cents=0,
                )
            )  # fmt: skip
        add_payment(order, "payment", total, method.id)
        self.session.flush()
        return order_view(order)

    def _on_sale(self, product_id: str) -> tuple[ProductRow, VariantRow]:
        product = self.session.scalar(
            select(ProductRow).where(ProductRow.id == product_id).options(selectinload(ProductRow.variants))
        )
        if product is None:
            raise not_found(Refusal.PRODUCT_NOT_FOUND, f"product {product_id}")
        variant = next((v for v in product.variants if v.id == product_id), None) or (
            product.variants[0] if len(product.variants) == 1 else None
        )
        word = self.rules.policy.product_on_sale
        if variant is None or not variant.available or (word is not None and product.status != word):
            status = product.status or "unavailable"
            raise self.rules.refuse(
                409, Refusal.PRODUCT_NOT_ON_SALE, "not_on_sale", product_id=product_id, name=product.name, status=status
            )
        return product, variant

    def _next_id(self) -> str:
        numbers = self.session.scalars(select(OrderRow.id).where(func.length(OrderRow.id) == 12))
        highest = max((int(number) for number in numbers if number.isdigit()), default=FIRST_ORDER_ID)
        return str(highest + 1)

    def _count(self, customer_id: str) -> int:
        return self.session.scalar(select(func.count()).select_from(OrderRow).where(OrderRow.customer_id == customer_id)) or 0


def _full_name(customer: CustomerRow) -> str:
    # The Chinese shop's seed keeps the family name as last_name: 宋 + 敬明 is written 宋敬明.
    if customer.locale == "zh":
        return f"{customer.last_name}{customer.first_name}"
    return f"{customer.first_name} {customer.last_name}"


def _amount(cents: int) -> str:
    return f"{money(cents):,.2f}"
