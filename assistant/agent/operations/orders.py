"""The shared step of the operations on an order: which order the message is about, and whether its status fits.

The tools answer JSON; it becomes an `Order` here, once, and the operations
work on the typed model.
"""

from __future__ import annotations

from assistant.agent import matching
from assistant.agent.operations.base import OperationTurn, status_of
from assistant.agent.outcome import Outcome, ToolFailed
from assistant.connectors.models import Customer, Order, OrderItem
from assistant.tools.policy import original_payment_method_id

# The phrase keys of this step (an operation that resolves an order lists them among its own).
PHRASES = ("ask_order", "order_not_found", "wrong_status", "either")


async def read_order(turn: OperationTurn, order_id: str) -> Order:
    return Order.model_validate(await turn.tools.read("get_order_details", order_id=order_id))


async def resolve_order(
    turn: OperationTurn, user_id: str, *, items_text: str | None = None
) -> tuple[Order | None, Outcome | None]:
    """The order the message is about, named by id, else the customer's one order that fits; or the reply asking.

    It fits when the shop's policy allows the operation in its status (any status for an operation that changes
    nothing) and, given `items_text`, when it holds the items the text names.
    """
    allowed = turn.statuses()
    named = turn.named_orders()
    explicit = bool(named)
    if not explicit:
        named = list((await turn.customer(user_id)).orders)
    orders: list[Order] = []
    for order_id in named:
        try:
            orders.append(await read_order(turn, order_id))
        except ToolFailed as exc:
            if exc.unavailable:
                raise
            if explicit and len(named) == 1:
                return None, turn.reply("order_not_found", order_id=order_id)
    holding = [o for o in orders if items_text is not None and matching.match_items(items_text, o.items)]
    focus = None if explicit or holding else turn.order_in_focus([o.order_id for o in orders])
    if explicit and len(orders) == 1:
        order = orders[0]
    elif focus is not None:
        # no order or item named: the order the conversation is about, which the confirmation names before any write
        order = next(o for o in orders if o.order_id == focus)
    elif not explicit and len(holding) == 1 and allowed is not None and status_of(holding[0]) not in allowed:
        # "Exchange my fleece jacket" and the one order holding it is pending: say so (the plan may then run the
        # operation its status allows, modify instead of exchange) rather than ask about the customer's other orders.
        order = holding[0]
    else:
        fitting = [o for o in orders if allowed is None or status_of(o) in allowed]
        by_items: list[Order] = []
        if items_text is not None:
            scored = sorted(fitting, key=lambda o: -len(matching.match_items(items_text, o.items)))
            by_items = [o for o in scored if matching.match_items(items_text, o.items)]
        # Several candidates and no item to tell them apart: ask rather than guess.
        if by_items:
            fitting = by_items
        elif len(fitting) != 1:
            return None, turn.reply("ask_order")
        order = fitting[0]
    if allowed is not None and status_of(order) not in allowed:
        return None, wrong_status(turn, order, allowed)
    return order, None


async def order_and_items(turn: OperationTurn, user_id: str) -> tuple[Order, list[OrderItem]] | Outcome:
    """The order the request's part is about and the items of it that part names; or the reply that asks for them."""
    segment = turn.request.segment
    order, stop = await resolve_order(turn, user_id, items_text=segment)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    items = matching.match_items(segment, order.items)
    if not items:
        return turn.reply("ask_items", order_id=order.order_id, items=item_names(order))
    return order, items


def wrong_status(turn: OperationTurn, order: Order, allowed: frozenset[str]) -> Outcome:
    """The order's status does not allow the operation: said with the statuses that do, in the shop's words, and the
    rule of its policy in words (`rule`: a shop's phrases may name it, as the Chinese shop's do)."""
    name = turn.operation.name
    verb, verb_past = turn.say(f"{name}.verb"), turn.say(f"{name}.verb_past")
    status = status_of(order)
    action = turn.offered.policy.actions.get(turn.operation.action) if turn.operation.action else None
    names = [turn.offered.status_name(each, turn.language) for each in ((action and action.statuses) or sorted(allowed))]
    rule = ""
    if action is not None:
        rule = action.rule.get("zh" if turn.language == "zh" else "en") or next(iter(action.rule.values()), "")
    outcome = turn.reply(
        "wrong_status", order_id=order.order_id, status=turn.offered.status_name(status, turn.language), verb=verb,
        verb_past=verb_past, allowed=turn.say("either", options=names), rule=rule,
    )  # fmt: skip
    outcome.mismatched_status = status
    return outcome


def payment_for(segment: str, customer: Customer, order: Order) -> str:
    """The method the customer named, else the order's original one (where the policy sends refunds)."""
    methods = customer.payment_methods
    return matching.match_payment(segment, methods) or original_payment_method_id(order) or methods[0].id


def item_names(order: Order) -> list[str]:
    return [f"{item.name} ({', '.join(f'{k}: {v}' for k, v in item.options.items())})" for item in order.items]
