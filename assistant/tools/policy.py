"""The shop policy's pre-checks, run when a write is proposed (shops/<name>/policy.toml, `ctx.shop.policy`).

They work on the connector models, so they hold for any shop's connectors, and
they refuse with the same reasons the reference service uses; a status refusal
names the rule in the customer's language. The service checks again when the
write runs: these checks only spare the customer a confirmation of something
that would be refused. Which tool carries which action is `offers.WRITE_ACTIONS`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.connectors.interfaces import OrdersConnector
from assistant.connectors.models import GIFT_CARD, Customer, Order, OrderItem, PaymentMethod, Refusal, Variant
from assistant.errors import BadInputError, NotFoundError, PolicyViolationError
from assistant.shops.policy import Action
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer
from assistant.tools.offers import WRITE_ACTIONS

# The writes after which the order keeps its status in the retail shop, so another write may follow on it (the
# agent's combined operations read it). Per shop: `offers.keeps_status(policy, tool)`.
STATUS_KEEPING_WRITES = frozenset({"modify_pending_order_address", "modify_pending_order_payment"})
# The words WRITE_STATUS gave each retail order write (kept with it, below).
_RETAIL_WORDS = {
    "cancel_pending_order": "cancelled",
    "modify_pending_order_address": "modified",
    "modify_pending_order_payment": "modified",
    "modify_pending_order_items": "modified",
    "return_delivered_order_items": "returned",
    "exchange_delivered_order_items": "exchanged",
}


def require_action(ctx: ToolContext, order: Order, tool: str) -> None:
    """Refuse `tool` on an order whose status the shop's policy does not allow for its action; the rule is named."""
    require_policy(ctx, order, WRITE_ACTIONS[tool])


def require_policy(ctx: ToolContext, order: Order, action: Action) -> None:
    policy = ctx.shop.policy
    breach = policy.breach(action, order.status)
    if breach is None:
        return
    say = Describer(ctx.language, ctx.texts)
    if breach.refusal == Refusal.ACTION_NOT_OFFERED:
        raise PolicyViolationError(breach.rule_in(ctx.language), reason=breach.refusal)
    status = policy.status_name(order.status, ctx.language)
    message = say.text("refusal", "order_status", rule=breach.rule_in(ctx.language), order_id=order.order_id, status=status)
    raise PolicyViolationError(message, reason=breach.refusal)


def __getattr__(name: str) -> Any:
    # Deprecated: WRITE_STATUS (tool → (status, refusal, word)) was the retail shop's rules in code; it is derived
    # from the retail shop's policy now, read on first use (never at import), until the agent's operations read
    # each shop's policy (issue 16).
    if name == "WRITE_STATUS":
        return _retail_write_status()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def _retail_write_status() -> dict[str, tuple[str, Refusal, str]]:
    from assistant.shops import load_shop

    policy = load_shop("retail").policy
    table: dict[str, tuple[str, Refusal, str]] = {}
    for tool, word in _RETAIL_WORDS.items():
        rule = policy.actions[WRITE_ACTIONS[tool]]
        table[tool] = ((rule.statuses or [""])[0], Refusal(rule.refusal), word)
    return table


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


def require_refund_destination(order: Order, method: PaymentMethod, *, to_gift_card: bool) -> None:
    """The refund goes to the original payment method, or (`to_gift_card`: the policy allows it) to a gift card."""
    if not (to_gift_card and method.source == GIFT_CARD) and method.id != original_payment_method_id(order):
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
