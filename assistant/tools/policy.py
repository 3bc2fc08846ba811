"""The store policy's pre-checks, run when a write is proposed (data/retail/policy.md).

They work on the connector models, so they hold for any shop's connectors, and
they refuse with the same reasons the reference service uses. The service checks
again when the write runs: these checks only spare the customer a confirmation
of something that would be refused.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from assistant.connectors.interfaces import OrdersConnector
from assistant.connectors.models import GIFT_CARD, Customer, Order, OrderItem, PaymentMethod, Refusal, Variant
from assistant.errors import BadInputError, NotFoundError, PolicyViolationError

# The order status each order write applies to, with the refusal and the word for what it does. The tools check
# it here; an operation that proposes the write is declared with the same status, and agent/operations/base.py
# refuses to build one that disagrees, so the router's "only pending orders" and the tool's check cannot drift.
WRITE_STATUS: dict[str, tuple[str, Refusal, str]] = {
    "cancel_pending_order": ("pending", Refusal.ORDER_NOT_PENDING, "cancelled"),
    "modify_pending_order_address": ("pending", Refusal.ORDER_NOT_PENDING, "modified"),
    "modify_pending_order_payment": ("pending", Refusal.ORDER_NOT_PENDING, "modified"),
    "modify_pending_order_items": ("pending", Refusal.ORDER_NOT_PENDING, "modified"),
    "return_delivered_order_items": ("delivered", Refusal.ORDER_NOT_DELIVERED, "returned"),
    "exchange_delivered_order_items": ("delivered", Refusal.ORDER_NOT_DELIVERED, "exchanged"),
}
# The writes after which the order keeps its status, so another write may follow on it; every other write
# moves the order out of the status any write needs (cancelled, "pending (item modified)", "return requested"…).
STATUS_KEEPING_WRITES = frozenset({"modify_pending_order_address", "modify_pending_order_payment"})


def require_write_status(order: Order, tool: str) -> None:
    """Refuse `tool` on an order whose status it does not apply to (WRITE_STATUS)."""
    status, reason, action = WRITE_STATUS[tool]
    require_status(order, status, reason, action)


def require_status(order: Order, status: str, reason: Refusal, action: str) -> None:
    if order.status != status:
        raise PolicyViolationError(
            f"Order {order.order_id} is '{order.status}'; only a {status} order can be {action}.", reason=reason
        )


def owned_payment_method(customer: Customer, payment_method_id: str) -> PaymentMethod:
    method = customer.payment_method(payment_method_id)
    if method is None:
        raise PolicyViolationError(
            f"{payment_method_id} is not one of the customer's payment methods "
            f"({', '.join(m.id for m in customer.payment_methods)}).",
            reason=Refusal.PAYMENT_METHOD_NOT_OWNED,
        )
    return method


def require_gift_card_covers(method: PaymentMethod, amount: float) -> None:
    if method.source == GIFT_CARD and (method.balance or 0.0) < amount:
        raise PolicyViolationError(
            f"Gift card {method.id} has {method.balance or 0.0:.2f}, not enough for {amount:.2f}.",
            reason=Refusal.INSUFFICIENT_GIFT_CARD_BALANCE,
        )


def require_items_in_order(order: Order, item_ids: list[str]) -> list[OrderItem]:
    """The order lines the item ids name (duplicates name as many lines)."""
    if not item_ids:
        raise BadInputError("Name at least one item id.")
    available = Counter(item.item_id for item in order.items)
    for item_id, wanted in Counter(item_ids).items():
        if wanted > available[item_id]:
            raise PolicyViolationError(
                f"Order {order.order_id} has {available[item_id]} of item {item_id}, not {wanted}; "
                f"its items are {', '.join(item.item_id for item in order.items)}.",
                reason=Refusal.ITEM_NOT_IN_ORDER,
            )
    return [next(item for item in order.items if item.item_id == item_id) for item_id in item_ids]


def original_payment_method_id(order: Order) -> str | None:
    """The method the order was paid with: where a refund goes (or a gift card), what a payment change replaces.

    The one definition: the tools' checks, the agent's operations and the drafts' suggestions all read it.
    """
    return next((entry.payment_method_id for entry in order.payment_history if entry.transaction_type == "payment"), None)


def require_refund_destination(order: Order, method: PaymentMethod) -> None:
    if method.source != GIFT_CARD and method.id != original_payment_method_id(order):
        raise PolicyViolationError(
            f"A refund goes to the original payment method ({original_payment_method_id(order)}) or a gift card, "
            f"not to {method.id}.",
            reason=Refusal.REFUND_NOT_TO_ORIGINAL,
        )


@dataclass(frozen=True)
class ItemChange:
    old: OrderItem
    new: Variant


async def plan_item_changes(
    orders: OrdersConnector, order: Order, item_ids: list[str], new_item_ids: list[str]
) -> tuple[list[ItemChange], float]:
    """Each old line with its new variant, and the price difference (positive: the customer pays)."""
    lines = require_items_in_order(order, item_ids)
    if len(item_ids) != len(new_item_ids):
        raise PolicyViolationError(
            f"{len(item_ids)} items to change but {len(new_item_ids)} new items; give one new item per item.",
            reason=Refusal.ITEM_COUNT_MISMATCH,
        )
    products = {line.product_id: await orders.get_product(line.product_id) for line in lines}
    changes = []
    for line, new_item_id in zip(lines, new_item_ids, strict=True):
        product = products[line.product_id]
        variant = product.variant(new_item_id)
        if variant is None:
            raise await _not_a_variant(orders, product.name, new_item_id)
        if not variant.available:
            raise PolicyViolationError(
                f"Item {new_item_id} of {product.name} is not available.", reason=Refusal.ITEM_NOT_AVAILABLE
            )
        changes.append(ItemChange(old=line, new=variant))
    difference = round(sum(change.new.price - change.old.price for change in changes), 2)
    return changes, difference


async def _not_a_variant(orders: OrdersConnector, product_name: str, item_id: str) -> Exception:
    try:
        await orders.get_item(item_id)
    except NotFoundError:
        return NotFoundError(f"There is no item {item_id}.", reason=Refusal.ITEM_NOT_FOUND)
    return PolicyViolationError(
        f"Item {item_id} is not a variant of {product_name}; an item can only change to another option of the same product.",
        reason=Refusal.DIFFERENT_PRODUCT,
    )
