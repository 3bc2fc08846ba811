"""modify_payment: pay a pending order with another of the customer's payment methods."""

from __future__ import annotations

from assistant.agent import matching
from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome
from assistant.tools.policy import original_payment_method_id


async def modify_payment(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    customer = await turn.customer(user_id)
    # The method the order is paid with is no choice: the policy refuses a change to the same method.
    original = original_payment_method_id(order)
    choices = [method for method in customer.payment_methods if method.id != original]
    payment = matching.match_payment(turn.text, choices)
    if payment is None:
        return turn.reply("ask_payment", methods=[matching.describe_payment(method) for method in choices])
    return await turn.propose({"order_id": order.order_id, "payment_method_id": payment})


OPERATION = Operation(
    name="modify_payment",
    description="change the payment method of a pending order",
    handler=modify_payment,
    words_en=r"\b(payment method|pay with|pay by)\b",
    words_zh=r"支付方式",
    action="modify_payment",
    needs_order=True,
    tools=("modify_pending_order_payment",),
    phrases=(
        "modify_payment.verb",
        "modify_payment.verb_past",
        "ask_payment",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
)
