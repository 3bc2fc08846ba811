"""modify_address: change the delivery address of an order the shop's policy still allows to change.

In the form the shop's policy asks for: a western address (street lines, city,
state, country, zip; read by the model) for `modify_pending_order_address`, a
Chinese one (省份 城市 区县 详细地址; read by pattern) for `modify_order_address`.
"""

from __future__ import annotations

from assistant.agent.operations import chinese_address, identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.operations.extraction import extract_address
from assistant.agent.outcome import Outcome


async def modify_address(turn: OperationTurn, user_id: str) -> Outcome:
    if turn.tool == "modify_order_address":
        return await _chinese(turn, user_id)
    address = await extract_address(turn)
    if address is None:
        return turn.reply("ask_address")
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    return await turn.propose({"order_id": order.order_id, **address})


async def _chinese(turn: OperationTurn, user_id: str) -> Outcome:
    """A Chinese address; one said from its city on is in the order's province when it is the order's city."""
    address = chinese_address.parse(turn.request.segment) or chinese_address.parse(turn.text)
    if address is None:
        return turn.reply("modify_address.ask_chinese")
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    if address["province"] is None:
        if order.address.city != address["city"] or not order.address.state:
            return turn.reply("modify_address.ask_chinese")
        address["province"] = order.address.state
    return await turn.propose({"order_id": order.order_id, **address})


OPERATION = Operation(
    name="modify_address",
    description="change the shipping address of a pending order",
    handler=modify_address,
    # "change the address of my LA order", not "…my default address" (update_default_address's).
    words_en=(
        r"\b(shipping|delivery) address\b"
        r"|\b(change|modify|update|correct)\w*\b[^.?!]{0,40}(?<!default )(?<!profile )\baddress\b"
    ),
    words_zh=r"收货地址|修改地址|更改地址|改地址|换地址|地址[^，。,.？?\d]{0,6}(改|换|写错|填错)",
    action="modify_address",
    needs_order=True,
    tools=("modify_pending_order_address", "modify_order_address"),
    phrases=(
        "modify_address.verb",
        "modify_address.verb_past",
        "modify_address.ask_chinese",
        "ask_address",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
    intent_words=("change_address",),
)
