"""The four interfaces a shop implements to let the assistant act on its systems.

Every method is async and returns the models of ``assistant.connectors.models``.
Failures are domain errors from ``assistant.errors``:

- ``NotFoundError`` — no such order/customer/product/ticket, *or* it is not the
  given customer's (the two must be indistinguishable);
- ``PolicyViolationError`` — the shop refused the change; ``.reason`` is one of
  ``models.Refusal`` where it fits;
- ``CommerceUnavailableError`` / ``CommerceTimeoutError`` — the system is down,
  failing or slow (for a write, a timeout means the outcome is unknown).

Reads that take ``customer_id`` must answer ``NotFoundError`` for data of any
other customer. Writes take an ``idempotency_key``: a second call with the same
key must not change anything again and must return the first result.
See ``README.md`` beside this file for how to plug a shop in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date

from assistant.connectors.aftersales import Appointment, CashbackRecord, Invoice
from assistant.connectors.models import (
    Address,
    Customer,
    NewNote,
    NewTicket,
    Note,
    Order,
    OrderSummary,
    PaymentMethod,
    Product,
    ProductSummary,
    Ticket,
    TicketUpdate,
    Tracking,
    Variant,
)
from assistant.connectors.requests import InvoiceRequest, NewOrder


class OrdersConnector(ABC):
    """Orders and the product catalogue."""

    @abstractmethod
    async def get_order(self, order_id: str, *, customer_id: str | None = None) -> Order: ...

    @abstractmethod
    async def list_orders(self, customer_id: str) -> list[OrderSummary]: ...

    @abstractmethod
    async def list_products(self) -> list[ProductSummary]: ...

    @abstractmethod
    async def get_product(self, product_id: str) -> Product: ...

    @abstractmethod
    async def get_item(self, item_id: str) -> Variant: ...

    @abstractmethod
    async def cancel_order(self, order_id: str, *, reason: str, customer_id: str, idempotency_key: str) -> Order: ...

    @abstractmethod
    async def modify_order_address(self, order_id: str, address: Address, *, customer_id: str, idempotency_key: str) -> Order: ...

    @abstractmethod
    async def modify_order_payment(
        self, order_id: str, payment_method_id: str, *, customer_id: str, idempotency_key: str
    ) -> Order: ...

    @abstractmethod
    async def modify_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        idempotency_key: str,
    ) -> Order: ...

    @abstractmethod
    async def return_items(
        self, order_id: str, item_ids: list[str], payment_method_id: str, *, customer_id: str, idempotency_key: str
    ) -> Order: ...

    @abstractmethod
    async def exchange_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        idempotency_key: str,
    ) -> Order: ...

    # The writes of shops whose policy offers them (assistant/shops/policy.py): a shop that does not offer one may
    # implement it by raising PolicyViolationError(reason="action_not_offered").

    @abstractmethod
    async def modify_order_phone(self, order_id: str, phone: str, *, customer_id: str, idempotency_key: str) -> Order: ...

    @abstractmethod
    async def return_order(self, order_id: str, *, reason: str, customer_id: str, idempotency_key: str) -> Order:
        """Return the whole order (shops whose policy returns orders, not items)."""

    @abstractmethod
    async def exchange_order_product(
        self, order_id: str, product_id: str, new_product_id: str, *, customer_id: str, idempotency_key: str
    ) -> Order:
        """Every line of `product_id` becomes `new_product_id`, a product it lists as exchangeable."""

    @abstractmethod
    async def place_order(self, order: NewOrder, *, customer_id: str, idempotency_key: str) -> Order: ...

    @abstractmethod
    async def claim_price_protection(self, order_id: str, *, customer_id: str, idempotency_key: str) -> Order:
        """Refund, per unit, what was paid above today's price (价保)."""


class LogisticsConnector(ABC):
    """Shipments, tracking events and delivery changes."""

    @abstractmethod
    async def get_tracking(self, order_id: str, *, customer_id: str) -> Tracking: ...

    @abstractmethod
    async def request_expedite(self, order_id: str, *, reason: str, customer_id: str, idempotency_key: str) -> Tracking: ...

    @abstractmethod
    async def change_delivery_address(
        self, order_id: str, address: Address, *, customer_id: str, idempotency_key: str
    ) -> Tracking: ...


class CRMConnector(ABC):
    """Customers, their notes and contact history, and tickets."""

    # ``within``: the one customer the conversation may be about; a match on anyone else is NotFoundError.
    @abstractmethod
    async def find_customer_by_email(self, email: str, *, within: str | None = None) -> str: ...

    @abstractmethod
    async def find_customer_by_name_zip(
        self, first_name: str, last_name: str, zip_code: str, *, within: str | None = None
    ) -> str: ...

    @abstractmethod
    async def find_customer_by_phone(self, phone: str, *, within: str | None = None) -> str: ...

    @abstractmethod
    async def get_customer(self, customer_id: str) -> Customer: ...

    @abstractmethod
    async def modify_customer_address(self, customer_id: str, address: Address, *, idempotency_key: str) -> Customer: ...

    @abstractmethod
    async def list_gift_cards(self, customer_id: str) -> list[PaymentMethod]:
        """The customer's gift cards (京东E卡 included) with their balances."""

    @abstractmethod
    async def list_notes(self, customer_id: str) -> list[Note]: ...

    @abstractmethod
    async def add_note(self, customer_id: str, note: NewNote, *, idempotency_key: str) -> Note: ...

    @abstractmethod
    async def list_tickets(self, customer_id: str) -> list[Ticket]: ...

    @abstractmethod
    async def get_ticket(self, ticket_id: int, *, customer_id: str) -> Ticket: ...

    @abstractmethod
    async def create_ticket(self, ticket: NewTicket, *, idempotency_key: str) -> Ticket: ...

    @abstractmethod
    async def update_ticket(self, ticket_id: int, update: TicketUpdate, *, customer_id: str, idempotency_key: str) -> Ticket: ...


class AfterSalesConnector(ABC):
    """An order's invoice, home-service appointments (installation, repair) and review cash-back record."""

    @abstractmethod
    async def get_invoice(self, order_id: str, *, customer_id: str) -> Invoice: ...

    @abstractmethod
    async def issue_invoice(self, order_id: str, request: InvoiceRequest, *, customer_id: str, idempotency_key: str) -> Invoice:
        """Issue the order's invoice, or re-issue it (the new one names the one it `replaces`)."""

    @abstractmethod
    async def list_appointments(self, customer_id: str, *, order_id: str | None = None) -> list[Appointment]: ...

    @abstractmethod
    async def book_appointment(
        self, order_id: str, service_type: str, day: date, *, customer_id: str, idempotency_key: str
    ) -> Appointment: ...

    @abstractmethod
    async def change_appointment(
        self, appointment_id: int, day: date, *, customer_id: str, idempotency_key: str
    ) -> Appointment: ...

    @abstractmethod
    async def get_cashback_record(self, order_id: str, *, customer_id: str) -> CashbackRecord: ...


@dataclass
class Connectors:
    """The connectors a tool context carries; built once per shop, shared by every request of that shop."""

    orders: OrdersConnector
    logistics: LogisticsConnector
    crm: CRMConnector
    aftersales: AfterSalesConnector

    async def aclose(self) -> None:
        """Close whatever the connectors hold open (HTTP pools); each closer is called once."""
        closed: set[int] = set()
        for connector in (self.orders, self.logistics, self.crm, self.aftersales):
            closer = getattr(connector, "aclose", None)
            owner = getattr(connector, "client", connector)
            if closer is not None and id(owner) not in closed:
                closed.add(id(owner))
                await closer()
