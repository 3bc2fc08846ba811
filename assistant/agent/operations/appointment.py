"""appointment: book an installation or repair visit for an order on the day the customer names, or move one.

"订单313271663680预约周六安装": the service is one of the policy's `service_types`
(安装, 维修, or their English names), the day as said (周六, 下周二, 6月21日) is
read by the write in the shop's time zone and shown as a date in the proposal
the customer confirms. "改到下周二" with a visit booked for the order moves it
(`change_appointment`); with none, a visit is booked. What is missing (the
service, the day) is asked for, all at once.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome
from assistant.shops.dates import said_day
from assistant.shops.policy import ShopPolicy

# Moving a visit already booked, not booking another.
_MOVE = re.compile(
    r"改约|改期|改到|改成|改在|换到|换个(时间|日子)|推迟|提前|延期|\b(reschedul\w*|move|postpone)\b", re.IGNORECASE
)


async def appointment(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    text, policy = turn.request.segment, turn.offered.policy
    service, day = service_type(text, policy), said_day(text)
    moving = _MOVE.search(text)
    if moving:
        # "周六家里没人，改到周日": the new day is the one said after the change.
        day = said_day(text[moving.end() :]) or day
        booked = await _booked(turn, order.order_id, service)
        if len(booked) == 1:
            if day is None:
                return turn.reply("appointment.ask", order_id=order.order_id, missing=[turn.say("appointment.day")])
            return await turn.propose({"appointment_id": booked[0]["appointment_id"], "date": day}, tool="change_appointment")
    missing = []
    if service is None:
        missing.append(turn.say("appointment.service", types=list(policy.service_types)))
    if day is None:
        missing.append(turn.say("appointment.day"))
    if missing:
        return turn.reply("appointment.ask", order_id=order.order_id, missing=missing)
    return await turn.propose({"order_id": order.order_id, "service_type": service, "date": day}, tool="book_appointment")


async def _booked(turn: OperationTurn, order_id: str, service: str | None) -> list[dict[str, Any]]:
    """The order's booked visits (of the service named, when one is)."""
    visits = await turn.tools.read("list_appointments", order_id=order_id)
    return [
        visit for visit in visits
        if visit.get("status") == "booked" and (service is None or visit.get("service_type") == service)
    ]  # fmt: skip


def service_type(text: str, policy: ShopPolicy) -> str | None:
    """The policy's service the text names: its own word (安装), its last character after 来/上门 ("来修", "上门装"),
    or its English name's stem (install…, repair…)."""
    lowered = text.lower()
    for name, names in policy.service_types.items():
        english = (names.get("en") or "").lower()
        if name in text or (english and english[:6] in lowered) or re.search(f"(来|上门|过来){name[-1]}", text):
            return name
    return None


OPERATION = Operation(
    name="appointment",
    description="book or change an installation or repair visit for an order",
    handler=appointment,
    words_en=r"\b(install(ation)?|repair|technician)\b[^.?!]{0,40}\b(book|schedul\w*|appointment|visit|come)\b"
    r"|\b(book|schedul\w*|reschedul\w*)\b[^.?!]{0,40}\b(install(ation)?|repair|technician|visit)\b",
    words_zh=r"预约|上门|改约|(安装|维修)(时间|日期)|约[个一]?(师傅|时间)|师傅[^，。？?]{0,6}来|来(修|装)"
    r"|(周[一二三四五六日天]|星期[一二三四五六日天]|明天|后天|\d+[日号])[^，。？?]{0,4}(安装|维修)",
    action="appointment",
    needs_order=True,
    tools=("book_appointment", "change_appointment"),
    phrases=(
        "appointment.verb",
        "appointment.verb_past",
        "appointment.ask",
        "appointment.service",
        "appointment.day",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
    intent_words=("appointment", "installation"),
)
