"""Order and catalogue look-ups (READ)."""

from __future__ import annotations

from assistant.connectors.models import Order, OrderSummary, Product, ProductSummary, Variant
from assistant.tools.access import own_order
from assistant.tools.base import ToolKind, tool
from assistant.tools.context import ToolContext


class OrderTools:
    @tool(ToolKind.READ)
    async def get_order_details(self, ctx: ToolContext, order_id: str) -> Order:
        """Get the status and details of one of the verified customer's orders: items, address, payments, fulfilments.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
        """
        return await own_order(ctx, order_id)

    @tool(ToolKind.READ)
    async def list_user_orders(self, ctx: ToolContext) -> list[OrderSummary]:
        """List the verified customer's orders with their status, total and number of items."""
        return await ctx.connectors.orders.list_orders(ctx.customer_id)

    @tool(ToolKind.READ)
    async def list_all_product_types(self, ctx: ToolContext) -> list[ProductSummary]:
        """List the name and product id of every product type in the store."""
        return await ctx.connectors.orders.list_products()

    @tool(ToolKind.READ)
    async def get_product_details(self, ctx: ToolContext, product_id: str) -> Product:
        """Get a product type and all its variant items (options, availability, price), its status and exchange list.

        Args:
            product_id: The product id, such as '6086499569'. Product ids are not item ids (in some shops they are equal).
        """
        return await ctx.connectors.orders.get_product(product_id)

    @tool(ToolKind.READ)
    async def get_item_details(self, ctx: ToolContext, item_id: str) -> Variant:
        """Get one variant item: its product id, options, availability and price.

        Args:
            item_id: The item id, such as '1008292230'. Item ids are not product ids.
        """
        return await ctx.connectors.orders.get_item(item_id)
