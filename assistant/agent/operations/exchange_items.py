"""exchange_items: exchange a product of an order, in the form the shop's policy asks for.

The retail shop exchanges items of a delivered order for other options of the
same products (`exchange_delivered_order_items`); the Chinese shop a product of
an order not yet shipped for one its listing names (`exchange_order_product`).
"""

from __future__ import annotations

from assistant.agent.operations import item_changes, listed_exchange
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome


async def exchange_items(turn: OperationTurn, user_id: str) -> Outcome:
    if turn.tool == "exchange_order_product":
        return await listed_exchange.exchange_listed(turn, user_id)
    return await item_changes.change_items(turn, user_id)


OPERATION = Operation(
    name="exchange_items",
    description="exchange items of a delivered order for other options of the same product",
    handler=exchange_items,
    words_en=r"\bexchange\b",
    # Not "地址换成…", "电话换成…" (their own operations).
    words_zh=r"换货|(?<!地址)(?<!电话)(?<!手机号)换成|换一",
    action="exchange",
    needs_order=True,
    tools=("exchange_delivered_order_items", "exchange_order_product"),
    phrases=(
        "exchange_items.verb",
        "exchange_items.verb_past",
        "exchange_items.choose_listed",
        "exchange_items.none_listed",
        *item_changes.PHRASES,
    ),
    segment_words=("exchange",),
    intent_words=("exchange_item",),
)
