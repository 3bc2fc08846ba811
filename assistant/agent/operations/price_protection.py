"""price_protection: 价保 — refund what a paid order cost above today's price; the write shows the difference per
product and where it goes, and the customer confirms it. Nothing costs less today: the write says so."""

from __future__ import annotations

from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome


async def price_protection(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    return await turn.propose({"order_id": order.order_id})


OPERATION = Operation(
    name="price_protection",
    description="price protection: refund the difference when an order's price dropped",
    handler=price_protection,
    words_en=r"\bprice (protection|drop|difference)\b",
    # Not "差价我补" (a customer offering to pay a difference): the difference refunded.
    words_zh=r"价保|保价|退(还)?差价|降价了",
    action="price_protection",
    needs_order=True,
    tools=("claim_price_protection",),
    phrases=(
        "price_protection.verb",
        "price_protection.verb_past",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
)
