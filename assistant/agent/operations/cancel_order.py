"""cancel_order: cancel an order the shop's policy still allows to cancel, for a reason in the form its policy asks.

The retail shop takes one of two fixed reasons (`cancel_pending_order`); the
Chinese shop any reason (`cancel_order`): the one the customer gives, else that
they asked.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.agent import matching, slots
from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import DraftSuggestion, Operation, OperationTurn, Request
from assistant.agent.outcome import Outcome
from assistant.connectors.models import Customer, Order

# "cancel the whole order" in so many words (not "…would require cancelling the entire order").
WHOLE_ORDER = re.compile(r"\bcancel\b[^.;!?]{0,30}\b(whole|entire|full)\s+order|整个订单|整单", re.IGNORECASE)


def cancel_arguments(request: Request, order: Order, _customer: Customer | None = None) -> dict[str, Any]:
    """The arguments of `cancel_pending_order`, the retail form (a draft's suggestion builds them with this too)."""
    return {"order_id": order.order_id, "reason": slots.cancel_reason(request.text)}


async def cancel_order(turn: OperationTurn, user_id: str) -> Outcome:
    # Without an order id, the items the customer names pick the order ("cancel the garden hose order").
    order, stop = await orders.resolve_order(turn, user_id, items_text=turn.request.segment)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    if turn.tool == "cancel_pending_order":
        arguments = cancel_arguments(turn.request, order)
    else:  # any reason: the customer's own words, else that they asked for it
        reason = slots.stated_reason(turn.request.text) or turn.say("cancel_order.asked")
        arguments = {"order_id": order.order_id, "reason": reason}
    proposed = await turn.propose(arguments)
    others = _not_named(turn.request.segment, order)
    if proposed.proposal is not None and others:
        # "cancel the garden hose": only whole orders can be cancelled, so the customer is told what else goes.
        proposed.reply = f"{turn.say('cancel_order.whole_only', order_id=order.order_id, others=others)} {proposed.reply}"
    return proposed


def _not_named(segment: str, order: Order) -> list[str]:
    """The order's other items, when the customer named only some of them (and not "the whole order")."""
    named = matching.match_items(segment, order.items)
    if not named or len(named) == len(order.items) or WHOLE_ORDER.search(segment):
        return []
    return [item.name for item in order.items if item not in named]


OPERATION = Operation(
    name="cancel_order",
    description="cancel a pending order",
    handler=cancel_order,
    words_en=r"\bcancel(l?ing|l?ed)?\b",
    words_zh=r"取消",
    action="cancel",
    needs_order=True,
    tools=("cancel_pending_order", "cancel_order"),
    phrases=(
        "cancel_order.verb",
        "cancel_order.asked",
        "cancel_order.verb_past",
        "cancel_order.whole_only",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
    segment_words=("cancel",),
    intent_words=("cancel_order",),
    draft=DraftSuggestion(
        arguments=cancel_arguments,
        reason="The customer asks to cancel order {order_id}, which is {status}.",
        tool="cancel_pending_order",
    ),
)
