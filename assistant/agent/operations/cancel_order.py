"""cancel_order: cancel a pending order, for one of the two reasons the policy allows."""

from __future__ import annotations

from typing import Any

from assistant.agent import slots
from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import DraftSuggestion, Operation, OperationTurn, Request
from assistant.agent.outcome import Outcome
from assistant.connectors.models import Customer, Order


def cancel_arguments(request: Request, order: Order, _customer: Customer | None = None) -> dict[str, Any]:
    """The arguments of `cancel_pending_order` (a draft's suggestion builds them with this too)."""
    return {"order_id": order.order_id, "reason": slots.cancel_reason(request.text)}


async def cancel_order(turn: OperationTurn, user_id: str) -> Outcome:
    # Without an order id, the items the customer names pick the order ("cancel the garden hose order").
    order, stop = await orders.resolve_order(turn, user_id, items_text=turn.request.segment)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    return await turn.propose(cancel_arguments(turn.request, order))


OPERATION = Operation(
    name="cancel_order",
    description="cancel a pending order",
    handler=cancel_order,
    words_en=r"\bcancel(l?ing|l?ed)?\b",
    words_zh=r"取消",
    status="pending",
    needs_order=True,
    tool="cancel_pending_order",
    phrases=("cancel_order.verb", "cancel_order.verb_past", *identity.PHRASES, *orders.PHRASES, "confirm", "execute_failed"),
    segment_words=("cancel",),
    intent_words=("cancel",),
    draft=DraftSuggestion(arguments=cancel_arguments, reason="The customer asks to cancel order {order_id}, which is {status}."),
)
