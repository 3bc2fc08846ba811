"""Logistics: shipment status and tracking events, expedite requests, delivery-address changes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.connectors.models import Address, Refusal, Tracking
from commerce.errors import refused
from commerce.models import OrderRow
from commerce.services.orders import load_order
from commerce.views import tracking_view

# Orders that have not reached the customer yet; an expedite request means something only for them.
EXPEDITABLE = {"pending", "pending (item modified)", "processed"}
SHIPPED = {"in_transit", "delivered", "returned"}


class LogisticsService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def tracking(self, order_id: str, customer_id: str | None) -> Tracking:
        return tracking_view(load_order(self.session, order_id, customer_id))

    def request_expedite(self, order_id: str, reason: str, customer_id: str | None) -> Tracking:
        order = load_order(self.session, order_id, customer_id, for_update=True)
        if order.status not in EXPEDITABLE:
            raise refused(
                Refusal.ORDER_NOT_EXPEDITABLE, f"Order {order.id} is {order.status}; only undelivered orders can be expedited"
            )
        if not order.expedited:
            order.expedited = True
            order.attributes = {**(order.attributes or {}), "expedite_reason": reason}
        return self._saved(order)

    def change_delivery_address(self, order_id: str, address: Address, customer_id: str | None) -> Tracking:
        """Only before anything has shipped, and (as the policy says of any modification) only while pending."""
        order = load_order(self.session, order_id, customer_id, for_update=True)
        if order.status in ("processed", "delivered") or any(shipment.status in SHIPPED for shipment in order.shipments):
            raise refused(Refusal.ORDER_ALREADY_SHIPPED, f"Order {order.id} has already shipped")
        if order.status != "pending":
            raise refused(Refusal.ORDER_NOT_PENDING, f"Order {order.id} is {order.status}; its address can no longer change")
        order.address = address.model_dump()
        for shipment in order.shipments:
            shipment.recipient = {**(shipment.recipient or {}), "address": address.one_line()}
        return self._saved(order)

    def _saved(self, order: OrderRow) -> Tracking:
        self.session.flush()
        return tracking_view(order)
