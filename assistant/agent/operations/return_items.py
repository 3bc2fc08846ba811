"""return_items: return an order the shop's policy allows to return; the refund goes where the policy allows.

In the form the shop's policy asks for: named items of a delivered order, with
the refund to the method named (`return_delivered_order_items`), or the whole
signed-for order, refunded to how it was paid (`return_order`).
"""

from __future__ import annotations

from typing import Any

from assistant.agent import matching, slots
from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import DraftSuggestion, Operation, OperationTurn, Request
from assistant.agent.outcome import Outcome
from assistant.connectors.models import Customer, Order, OrderItem


def return_arguments(request: Request, order: Order, customer: Customer, items: list[OrderItem]) -> dict[str, Any]:
    """The arguments of `return_delivered_order_items`: the refund to the method named, else the original one."""
    return {
        "order_id": order.order_id,
        "item_ids": [item.item_id for item in items],
        "payment_method_id": orders.payment_for(request.segment, customer, order),
    }


def draft_arguments(request: Request, order: Order, customer: Customer) -> dict[str, Any]:
    """A draft suggests returning the items named, or the whole order (the agent reviews it before it runs)."""
    items = matching.match_items(request.segment, order.items) or list(order.items)
    return return_arguments(request, order, customer, items)


async def return_items(turn: OperationTurn, user_id: str) -> Outcome:
    if turn.tool == "return_order":
        order, stop = await orders.resolve_order(turn, user_id)
        if stop is not None or order is None:
            return stop or turn.reply("ask_order")
        return await turn.propose({"order_id": order.order_id, "reason": slots.stated_reason(turn.request.text) or ""})
    found = await orders.order_and_items(turn, user_id)
    if isinstance(found, Outcome):
        return found
    order, items = found
    customer = await turn.customer(user_id)
    return await turn.propose(return_arguments(turn.request, order, customer, items))


OPERATION = Operation(
    name="return_items",
    description="return items of a delivered order",
    handler=return_items,
    words_en=r"\b(return|refund)\b",
    # "我要退了", "想退掉"; not "钱退回来" (a refund of another request).
    words_zh=r"退[一个次]{0,2}货|退款|(要|想|申请)退(了|掉)?(?![回款钱])",
    action="return",
    needs_order=True,
    tools=("return_delivered_order_items", "return_order"),
    phrases=(
        "return_items.verb",
        "return_items.verb_past",
        "ask_items",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
    segment_words=("return", "refund"),
    intent_words=("return_item",),
    draft=DraftSuggestion(
        arguments=draft_arguments,
        reason="The customer wants to return items of order {order_id}, which is {status}.",
        tool="return_delivered_order_items",
    ),
)
