"""modify_phone: change the recipient's phone number of an order the shop's policy still allows to change.

"把订单313271663680的收货电话改成13800138000": the new number is the one said
after the change ("改成", "换成", "新号码"), read with the shop's phone pattern, so
the number the customer identified with in the same message is never taken for
it. The write checks the number's form and shows the old and the new.
"""

from __future__ import annotations

import re

from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome

_NEW = re.compile(r"改成|改为|换成|换为|更改为|修改为|更新为|新(的)?(手机|电话)?号码?|\b(to|new)\b", re.IGNORECASE)


async def modify_phone(turn: OperationTurn, user_id: str) -> Outcome:
    phone = new_phone(turn)
    if phone is None:
        return turn.reply("modify_phone.ask_phone")
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    return await turn.propose({"order_id": order.order_id, "phone": phone})


def new_phone(turn: OperationTurn) -> str | None:
    """The first phone number said after the words of the change, or None."""
    text = turn.request.segment
    for cue in _NEW.finditer(text):
        found = turn.offered.identity.phones(text[cue.end() :])
        if found:
            return found[0]
    return None


OPERATION = Operation(
    name="modify_phone",
    description="change the recipient's phone number of an order",
    handler=modify_phone,
    words_en=r"\b(change|update|modify|correct)\w*\b[^.?!]{0,40}\bphone( number)?\b",
    words_zh=r"(手机号?|电话|联系方式)(号码)?[^，。,.\d]{0,6}(改|换|修改|更改|更换)|(改|换|修改|更改|更换)[^，。,.\d]{0,8}(手机号?|电话)",
    action="modify_phone",
    needs_order=True,
    tools=("modify_order_phone",),
    phrases=(
        "modify_phone.verb",
        "modify_phone.verb_past",
        "modify_phone.ask_phone",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
)
