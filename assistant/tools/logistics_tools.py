"""Logistics tools: where an order is, faster delivery, and a new delivery address before shipping."""

from __future__ import annotations

from assistant.connectors.models import Address, Refusal, Tracking
from assistant.errors import PolicyViolationError
from assistant.tools.access import own_order
from assistant.tools.base import Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer

EXPEDITABLE = ("pending", "pending (item modified)", "processed")


class LogisticsTools:
    @tool(ToolKind.READ)
    async def track_order(self, ctx: ToolContext, order_id: str) -> Tracking:
        """Get the shipment status and tracking events of one of the verified customer's orders.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
        """
        await own_order(ctx, order_id)
        return await ctx.connectors.logistics.get_tracking(order_id, customer_id=ctx.customer_id)

    @tool(ToolKind.WRITE, executor="_request_expedite")
    async def request_expedite(self, ctx: ToolContext, order_id: str, reason: str = "") -> Proposal:
        """Ask for faster delivery of an order that has not been delivered yet.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            reason: Why the customer needs it sooner, in their words; may be empty.
        """
        order = await own_order(ctx, order_id)
        if order.status not in EXPEDITABLE:
            raise PolicyViolationError(
                f"Order {order_id} is '{order.status}'; only an order not yet delivered can be expedited.",
                reason=Refusal.ORDER_NOT_EXPEDITABLE,
            )
        say = Describer(ctx.language, ctx.texts)
        return Proposal(description=say.render("request_expedite", order_id=order.order_id, reason=reason))

    async def _request_expedite(self, ctx: ToolContext, key: str, order_id: str, reason: str = "") -> Tracking:
        return await ctx.connectors.logistics.request_expedite(
            order_id, reason=reason, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_change_delivery_address")
    async def change_delivery_address(
        self, ctx: ToolContext, order_id: str, address1: str, address2: str, city: str, state: str, country: str, zip: str
    ) -> Proposal:
        """Change where an order that has not shipped yet will be delivered (the carrier's record and the order).

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            address1: The first line of the address, such as '123 Main St'.
            address2: The second line of the address, such as 'Apt 1' or ''.
            city: The city, such as 'San Francisco'.
            state: The state or province, such as 'CA'.
            country: The country, such as 'USA'.
            zip: The zip code, such as '12345'.
        """
        order = await own_order(ctx, order_id)
        if order.status in ("processed", "delivered"):
            raise PolicyViolationError(f"Order {order_id} has already shipped.", reason=Refusal.ORDER_ALREADY_SHIPPED)
        if order.status != "pending":
            raise PolicyViolationError(
                f"Order {order_id} is '{order.status}'; its address can no longer change.", reason=Refusal.ORDER_NOT_PENDING
            )
        new = Address(address1=address1, address2=address2, city=city, state=state, country=country, zip=zip)
        text = Describer(ctx.language, ctx.texts).render(
            "change_delivery_address", order_id=order.order_id, old=order.address.one_line(), new=new.one_line()
        )
        return Proposal(description=text)

    async def _change_delivery_address(
        self,
        ctx: ToolContext,
        key: str,
        order_id: str,
        address1: str,
        address2: str,
        city: str,
        state: str,
        country: str,
        zip: str,
    ) -> Tracking:
        address = Address(address1=address1, address2=address2, city=city, state=state, country=country, zip=zip)
        return await ctx.connectors.logistics.change_delivery_address(
            order_id, address, customer_id=ctx.customer_id, idempotency_key=key
        )
