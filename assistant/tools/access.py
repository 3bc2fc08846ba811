"""Authorization: tools reach only the verified customer's orders, profile and tickets.

Anything of another customer is refused exactly like something that does not
exist — same error, same message, same reason — so a refusal reveals nothing,
not even that the order exists. The reference connectors also ask the service to
scope the read to the customer, so the other customer's data never even reaches
the assistant; the check here holds for connectors that cannot scope.
"""

from __future__ import annotations

from assistant.connectors.models import Customer, Order, Refusal, Ticket
from assistant.errors import NotFoundError
from assistant.tools.context import ToolContext


def order_not_found(order_id: str) -> NotFoundError:
    return NotFoundError(f"No order {order_id} was found for this customer.", reason=Refusal.ORDER_NOT_FOUND)


def customer_not_found() -> NotFoundError:
    return NotFoundError("No customer matches these details in this conversation.", reason=Refusal.CUSTOMER_NOT_FOUND)


async def own_order(ctx: ToolContext, order_id: str) -> Order:
    customer_id = ctx.customer_id
    try:
        order = await ctx.connectors.orders.get_order(order_id, customer_id=customer_id)
    except NotFoundError:
        raise order_not_found(order_id) from None
    if order.user_id != customer_id:
        raise order_not_found(order_id)
    return order


async def own_customer(ctx: ToolContext, user_id: str | None = None) -> Customer:
    """The verified customer's profile; a different ``user_id`` from the model is refused as unknown."""
    customer_id = ctx.customer_id
    if user_id is not None and user_id != customer_id:
        raise customer_not_found()
    try:
        customer = await ctx.connectors.crm.get_customer(customer_id)
    except NotFoundError:
        raise customer_not_found() from None
    if customer.user_id != customer_id:
        raise customer_not_found()
    return customer


async def own_ticket(ctx: ToolContext, ticket_id: int) -> Ticket:
    customer_id = ctx.customer_id
    refusal = NotFoundError(f"No ticket #{ticket_id} was found for this customer.", reason=Refusal.TICKET_NOT_FOUND)
    try:
        ticket = await ctx.connectors.crm.get_ticket(ticket_id, customer_id=customer_id)
    except NotFoundError:
        raise refusal from None
    if ticket.user_id != customer_id:
        raise refusal
    return ticket
