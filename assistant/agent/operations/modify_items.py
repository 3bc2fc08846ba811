"""modify_items: change items of a pending order to other options of the same products."""

from __future__ import annotations

from assistant.agent.operations import item_changes
from assistant.agent.operations.base import Operation

OPERATION = Operation(
    name="modify_items",
    description="change items of a pending order to other options of the same product",
    handler=item_changes.change_items,
    # "change the desk lamp for the cheapest one", "modify the laptop to the 13-inch version"; not an address
    # or a payment method (their own operations). On a delivered order the plan makes it an exchange.
    words_en=r"\b(modify|change|switch|swap|replace)\b(?![^.?!]{0,50}\b(address|payment|card|paypal)\b)[^.?!]{0,60}\b(to|for|into|with)\b",
    action="modify_items",
    needs_order=True,
    tools=("modify_pending_order_items",),
    phrases=("modify_items.verb", "modify_items.verb_past", *item_changes.PHRASES),
    segment_words=("modify", "change", "switch to", "update"),
    intent_words=("exchange_item",),
)
