"""What exchanging (delivered) and modifying (pending) items share: each item named, to the variant asked for.

"the mechanical keyboard" → the order line whose product it names; "clicky,
same otherwise", "one size bigger", "the cheapest one in stock", "same as my
other one" → the available variants of that product that fit the wish
(agent.matching.resolve_variant). One exact fit is proposed; several, or only
near ones, are one question listing them; none, the options in stock. The
operation's own record says which order status and which WRITE tool.
"""

from __future__ import annotations

from assistant.agent import matching, wishes
from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import OperationTurn
from assistant.agent.outcome import Outcome, ToolFailed
from assistant.connectors.models import Order, OrderItem, Product

PHRASES = ("ask_items", "no_variant", "choose_variant", *identity.PHRASES, *orders.PHRASES, "confirm", "execute_failed")


async def read_product(turn: OperationTurn, product_id: str) -> Product:
    return Product.model_validate(await turn.tools.read("get_product_details", product_id=product_id))


async def owned_items(turn: OperationTurn, user_id: str, order: Order) -> list[OrderItem]:
    """Every line of the customer's orders, this one's first: what "same as my other one" can point at."""
    lines = list(order.items)
    for order_id in (await turn.customer(user_id)).orders:
        if order_id == order.order_id:
            continue
        try:
            lines += (await orders.read_order(turn, order_id)).items
        except ToolFailed as exc:
            if exc.unavailable:
                raise
    return lines


async def change_items(turn: OperationTurn, user_id: str) -> Outcome:
    found = await orders.order_and_items(turn, user_id)
    if isinstance(found, Outcome):
        return found
    order, items = found
    segment = turn.request.segment
    others: list[OrderItem] | None = None  # read once, and only for "same as my other one"
    new_ids: list[str] = []
    changed: list[OrderItem] = []
    unavailable: list[str] = []  # the no-variant replies of items nothing in stock fits
    for item in items:
        product = await read_product(turn, item.product_id)
        wish = matching.item_text(segment, item, order.items, message=turn.text)
        if others is None and wishes.same_as_other(wish):
            others = await owned_items(turn, user_id, order)
        fit = matching.resolve_variant(wish, item, product, others or [])
        if fit.chosen is not None:
            new_ids.append(fit.chosen.item_id)
            changed.append(item)
        elif fit.variants:
            options = [matching.describe_variant(variant, product.currency) for variant in fit.variants[:8]]
            return turn.reply("choose_variant", item=item.name, options=options)
        else:
            unavailable.append(turn.say("no_variant", item=item.name, options=matching.available_options(product)[:8]))
    if not changed:
        # Nothing in stock fits: the request cannot be done as asked (its fallback, if any, is tried next).
        none_fits = Outcome(route=turn.operation.name, reply=" ".join(unavailable), impossible=True)
        return none_fits
    customer = await turn.customer(user_id)
    arguments = {
        "order_id": order.order_id,
        "item_ids": [item.item_id for item in changed],
        "new_item_ids": new_ids,
        "payment_method_id": orders.payment_for(segment, customer, order),
    }
    # The policy allows one change per order: the write's own description reminds the customer to name every item,
    # and an item nothing in stock fits is said first, so the customer confirms the change of the others knowingly.
    proposed = await turn.propose(arguments)
    if unavailable and proposed.proposal is not None:
        proposed.reply = " ".join([*unavailable, proposed.reply or ""])
    return proposed
