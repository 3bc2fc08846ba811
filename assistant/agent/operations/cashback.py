"""cashback: 晒单返现 — whether a review was registered for an order's cash-back; registering one is a person's job.

Looking the record up is a read. Registering needs proof the assistant cannot
check from text (a screenshot showing the review: the shop's policy, rule of
`review_cashback`), so a request to register is said so, with the record as it
stands, and a person is offered: the handoff's brief carries the conversation,
and the customer sends the screenshot to that person.
"""

from __future__ import annotations

import re

from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome

# "我晒好单了，帮我登记返现", "截图发你": a request to register; "登记了吗?" asks about the record.
_REGISTER = re.compile(r"登记|申请|领取|领|晒好|晒了|已晒|截图|评价了|好评了|\b(register|claim|screenshot)\b", re.IGNORECASE)
_ASKING = re.compile(r"(吗|呢|没有?)\s*[？?]?\s*$|[？?]\s*$|\b(has|have|did|was|is)\b", re.IGNORECASE)


async def cashback(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    record = await turn.tools.read("get_cashback_record", order_id=order.order_id)
    status = str(record.get("status") or "")
    segment = turn.request.segment
    if _REGISTER.search(segment) and not _ASKING.search(segment):
        action = turn.offered.policy.actions.get("review_cashback")
        rule = action.rule.get("zh" if turn.language == "zh" else "en", "") if action is not None else ""
        reply = turn.say("cashback.register", order_id=order.order_id, status=status, rule=rule)
        return Outcome(route=turn.operation.name, reply=reply, handoff=True)
    return turn.reply("cashback.record", order_id=order.order_id, status=status, reviewed=bool(record.get("reviewed")))


OPERATION = Operation(
    name="cashback",
    description="review cash-back: whether a review was registered for an order, or registering one",
    handler=cashback,
    words_en=r"\bcash-?back\b",
    words_zh=r"返现|晒单",
    action="review_cashback",
    needs_order=True,
    phrases=(
        "cashback.verb",
        "cashback.verb_past",
        "cashback.record",
        "cashback.register",
        *identity.PHRASES,
        *orders.PHRASES,
    ),
)
