"""modify_items: change items of a pending order to other options of the same products (only the model routes here)."""

from __future__ import annotations

from assistant.agent.operations import item_changes
from assistant.agent.operations.base import Operation

OPERATION = Operation(
    name="modify_items",
    description="change items of a pending order to other options of the same product",
    handler=item_changes.change_items,
    status="pending",
    needs_order=True,
    tool="modify_pending_order_items",
    phrases=("modify_items.verb", "modify_items.verb_past", *item_changes.PHRASES),
    segment_words=("modify", "change", "switch to", "update"),
)
