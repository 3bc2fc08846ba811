"""order_status: where an order is, its status and tracking numbers."""

from __future__ import annotations

from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn, status_of
from assistant.agent.outcome import Outcome


async def order_status(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    tracking = [number for fulfillment in order.fulfillments for number in fulfillment.tracking_id]
    items = [item.name for item in order.items]
    status = turn.offered.status_name(status_of(order), turn.language)  # the shop's own word (已付款, delivered…)
    return turn.reply("order_status.reply", order_id=order.order_id, status=status, tracking=tracking, items=items)


OPERATION = Operation(
    name="order_status",
    description="where an order is, its status or tracking",
    handler=order_status,
    words_en=r"\b(where is|track(ing)?|status of|shipped|deliver(y|ed)?)\b",
    words_zh=r"物流|到哪|发货|快递|(订单|现在|目前|什么)状态",
    needs_order=True,
    phrases=("order_status.reply", *identity.PHRASES, *orders.PHRASES),
    intent_words=("track_order",),
)
