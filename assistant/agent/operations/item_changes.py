"""What exchanging (delivered) and modifying (pending) items share: each item named, to the variant asked for.

"the mechanical keyboard" → the order line whose product it names; "clicky,
same otherwise" → the available variant of that product that differs from the
line only where the customer asked (agent.matching). The operation's own
record says which order status and which WRITE tool.
"""

from __future__ import annotations

from assistant.agent import matching
from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import OperationTurn
from assistant.agent.outcome import Outcome
from assistant.connectors.models import Product

PHRASES = ("ask_items", "no_variant", "reminder_items", *identity.PHRASES, *orders.PHRASES, "confirm", "execute_failed")


async def read_product(turn: OperationTurn, product_id: str) -> Product:
    return Product.model_validate(await turn.tools.read("get_product_details", product_id=product_id))


async def change_items(turn: OperationTurn, user_id: str) -> Outcome:
    found = await orders.order_and_items(turn, user_id)
    if isinstance(found, Outcome):
        return found
    order, items = found
    segment = turn.request.segment
    new_ids: list[str] = []
    for item in items:
        product = await read_product(turn, item.product_id)
        variant = matching.match_variant(segment, item, product)
        if variant is None:
            return turn.reply("no_variant", item=item.name, options=matching.available_options(product)[:8])
        new_ids.append(variant.item_id)
    customer = await turn.customer(user_id)
    # The policy allows one change per order: the confirmation reminds the customer to name every item.
    arguments = {
        "order_id": order.order_id,
        "item_ids": [item.item_id for item in items],
        "new_item_ids": new_ids,
        "payment_method_id": orders.payment_for(segment, customer, order),
    }
    return await turn.propose(arguments, reminder=True)
