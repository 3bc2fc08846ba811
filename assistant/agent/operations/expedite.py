"""expedite: ask for faster delivery of a paid order that has not arrived yet (the shop's policy says which statuses)."""

from __future__ import annotations

from assistant.agent import slots
from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome


async def expedite(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    return await turn.propose({"order_id": order.order_id, "reason": slots.stated_reason(turn.request.text) or ""})


OPERATION = Operation(
    name="expedite",
    description="ask for faster delivery of an order not yet delivered",
    handler=expedite,
    words_en=r"\bexpedit\w*|\brush (the )?(delivery|shipping|order)\b",
    words_zh=r"加[个一下]{0,2}急|催(一下|促)?(发货|配送|物流|单)|尽快(发货|送)|快点(发货|送)|早点(发货|送)",
    action="expedite",
    needs_order=True,
    tools=("request_expedite",),
    phrases=(
        "expedite.verb",
        "expedite.verb_past",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
)
