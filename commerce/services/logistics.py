"""Logistics: shipment status and tracking events, expedite requests, delivery-address changes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.connectors.models import Address, Refusal, Tracking
from commerce.errors import refused
from commerce.models import OrderRow
from commerce.services.orders import load_order
from commerce.services.rules import ShopRules
from commerce.views import tracking_view

# Shipment statuses of a parcel that has left the warehouse: its delivery address is the carrier's business then.
SHIPPED = {"in_transit", "delivered", "returned"}


class LogisticsService:
    def __init__(self, session: Session, rules: ShopRules) -> None:
        self.session = session
        self.rules = rules

    def tracking(self, order_id: str, customer_id: str | None) -> Tracking:
        return tracking_view(load_order(self.session, order_id, customer_id))

    def request_expedite(self, order_id: str, reason: str, customer_id: str | None) -> Tracking:
        """Which orders can be expedited is the shop's policy (`expedite`); asking twice changes nothing."""
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("expedite", order)
        if not order.expedited:
            order.expedited = True
            order.attributes = {**(order.attributes or {}), "expedite_reason": reason}
        return self._saved(order)

    def change_delivery_address(self, order_id: str, address: Address, customer_id: str | None) -> Tracking:
        """Only before anything has shipped, and only while the policy allows the order's address to change."""
        order = load_order(self.session, order_id, customer_id, for_update=True)
        if any(shipment.status in SHIPPED for shipment in order.shipments):
            raise refused(Refusal.ORDER_ALREADY_SHIPPED, f"Order {order.id} has already shipped")
        self.rules.require("modify_address", order)
        order.address = address.model_dump()
        for shipment in order.shipments:
            shipment.recipient = {**(shipment.recipient or {}), "address": address.one_line()}
        return self._saved(order)

    def _saved(self, order: OrderRow) -> Tracking:
        self.session.flush()
        return tracking_view(order)
