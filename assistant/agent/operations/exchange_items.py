"""exchange_items: exchange items of a delivered order for other options of the same products."""

from __future__ import annotations

from assistant.agent.operations import item_changes
from assistant.agent.operations.base import Operation

OPERATION = Operation(
    name="exchange_items",
    description="exchange items of a delivered order for other options of the same product",
    handler=item_changes.change_items,
    words_en=r"\bexchange\b",
    words_zh=r"换货|换成|换一",
    action="exchange",
    needs_order=True,
    tool="exchange_delivered_order_items",
    phrases=("exchange_items.verb", "exchange_items.verb_past", *item_changes.PHRASES),
    segment_words=("exchange",),
    intent_words=("exchange_item",),
)
