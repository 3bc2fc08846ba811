"""account_info: the customer's own profile, orders and payment methods."""

from __future__ import annotations

from assistant.agent import matching
from assistant.agent.operations import identity
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome


async def account_info(turn: OperationTurn, user_id: str) -> Outcome:
    customer = await turn.customer(user_id)
    methods = [matching.describe_payment(method) for method in customer.payment_methods]
    # The address's fields in the connector model's order (street, city, state, country, zip).
    address = ", ".join(part for part in customer.address.model_dump().values() if part)
    return turn.reply(
        "account_info.reply",
        name=f"{customer.name.first_name} {customer.name.last_name}",
        email=customer.email or "-",
        address=address,
        orders=customer.orders,
        methods=methods,
    )


OPERATION = Operation(
    name="account_info",
    description="the customer's own profile, orders or payment methods",
    handler=account_info,
    words_en=r"\bmy (profile|account|orders|payment methods)\b",
    words_zh=r"我的(账户|账号|订单|资料)",
    phrases=("account_info.reply", *identity.PHRASES),
)
