"""Logistics tools: where an order is, faster delivery, and a new delivery address before shipping.

Which orders can be expedited, and whose address can still change, is the
shop's policy (`expedite`, `modify_address`); a parcel that left the warehouse
keeps its address whatever the order's status.
"""

from __future__ import annotations

from assistant.connectors.models import Address, Refusal, Tracking
from assistant.errors import PolicyViolationError
from assistant.tools.access import own_order
from assistant.tools.base import Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer
from assistant.tools.policy import require_action

# Shipment statuses of a parcel that has left the warehouse (the reference service's words, connectors/models.py).
SHIPPED = ("in_transit", "delivered", "returned")


class LogisticsTools:
    @tool(ToolKind.READ)
    async def track_order(self, ctx: ToolContext, order_id: str) -> Tracking:
        """Get the shipment status and tracking events of one of the verified customer's orders.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
        """
        await own_order(ctx, order_id)
        return await ctx.connectors.logistics.get_tracking(order_id, customer_id=ctx.customer_id)

    @tool(ToolKind.WRITE, executor="_request_expedite")
    async def request_expedite(self, ctx: ToolContext, order_id: str, reason: str = "") -> Proposal:
        """Ask for faster delivery of an order that has not been delivered yet.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            reason: Why the customer needs it sooner, in their words; may be empty.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "request_expedite")
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
        tracking = await ctx.connectors.logistics.get_tracking(order.order_id, customer_id=ctx.customer_id)
        if any(shipment.status in SHIPPED for shipment in tracking.shipments):
            raise PolicyViolationError(f"Order {order_id} has already shipped.", reason=Refusal.ORDER_ALREADY_SHIPPED)
        require_action(ctx, order, "change_delivery_address")
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
