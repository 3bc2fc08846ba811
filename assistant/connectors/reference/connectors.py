"""The connectors over the reference commerce service's REST API (/v1)."""

from __future__ import annotations

from datetime import date

from pydantic import TypeAdapter

from assistant.connectors.aftersales import Appointment, CashbackRecord, Invoice
from assistant.connectors.interfaces import AfterSalesConnector, CRMConnector, LogisticsConnector, OrdersConnector
from assistant.connectors.models import (
    Address,
    Customer,
    CustomerMatch,
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
from assistant.connectors.reference.client import CommerceHTTPClient, segment
from assistant.connectors.requests import (
    AppointmentChange,
    AppointmentRequest,
    CancelOrderRequest,
    ExpediteRequest,
    InvoiceRequest,
    ItemsChangeRequest,
    NewOrder,
    OrderReturnRequest,
    PaymentChangeRequest,
    PhoneChangeRequest,
    PriceProtectionRequest,
    ProductExchangeRequest,
    ReturnRequest,
)

_summaries = TypeAdapter(list[OrderSummary])
_products = TypeAdapter(list[ProductSummary])
_notes = TypeAdapter(list[Note])
_tickets = TypeAdapter(list[Ticket])
_methods = TypeAdapter(list[PaymentMethod])
_appointments = TypeAdapter(list[Appointment])


class _Connector:
    def __init__(self, client: CommerceHTTPClient) -> None:
        self.client = client

    async def aclose(self) -> None:
        await self.client.aclose()


class HTTPOrdersConnector(_Connector, OrdersConnector):
    async def get_order(self, order_id: str, *, customer_id: str | None = None) -> Order:
        return Order.model_validate(await self.client.get(f"/orders/{segment(order_id)}", customer_id=customer_id))

    async def list_orders(self, customer_id: str) -> list[OrderSummary]:
        path = f"/customers/{segment(customer_id)}/orders"
        return _summaries.validate_python(await self.client.get(path, customer_id=customer_id))

    async def list_products(self) -> list[ProductSummary]:
        return _products.validate_python(await self.client.get("/products"))

    async def get_product(self, product_id: str) -> Product:
        return Product.model_validate(await self.client.get(f"/products/{segment(product_id)}"))

    async def get_item(self, item_id: str) -> Variant:
        return Variant.model_validate(await self.client.get(f"/items/{segment(item_id)}"))

    async def cancel_order(self, order_id: str, *, reason: str, customer_id: str, idempotency_key: str) -> Order:
        return await self._write(order_id, "cancel", CancelOrderRequest(reason=reason), customer_id, idempotency_key)

    async def modify_order_address(self, order_id: str, address: Address, *, customer_id: str, idempotency_key: str) -> Order:
        return await self._write(order_id, "address", address, customer_id, idempotency_key)

    async def modify_order_payment(
        self, order_id: str, payment_method_id: str, *, customer_id: str, idempotency_key: str
    ) -> Order:
        body = PaymentChangeRequest(payment_method_id=payment_method_id)
        return await self._write(order_id, "payment", body, customer_id, idempotency_key)

    async def modify_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        idempotency_key: str,
    ) -> Order:
        body = ItemsChangeRequest(item_ids=item_ids, new_item_ids=new_item_ids, payment_method_id=payment_method_id)
        return await self._write(order_id, "items", body, customer_id, idempotency_key)

    async def return_items(
        self, order_id: str, item_ids: list[str], payment_method_id: str, *, customer_id: str, idempotency_key: str
    ) -> Order:
        body = ReturnRequest(item_ids=item_ids, payment_method_id=payment_method_id)
        return await self._write(order_id, "return", body, customer_id, idempotency_key)

    async def exchange_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        idempotency_key: str,
    ) -> Order:
        body = ItemsChangeRequest(item_ids=item_ids, new_item_ids=new_item_ids, payment_method_id=payment_method_id)
        return await self._write(order_id, "exchange", body, customer_id, idempotency_key)

    async def modify_order_phone(self, order_id: str, phone: str, *, customer_id: str, idempotency_key: str) -> Order:
        return await self._write(order_id, "phone", PhoneChangeRequest(phone=phone), customer_id, idempotency_key)

    async def return_order(self, order_id: str, *, reason: str, customer_id: str, idempotency_key: str) -> Order:
        return await self._write(order_id, "return-order", OrderReturnRequest(reason=reason), customer_id, idempotency_key)

    async def exchange_order_product(
        self, order_id: str, product_id: str, new_product_id: str, *, customer_id: str, idempotency_key: str
    ) -> Order:
        body = ProductExchangeRequest(product_id=product_id, new_product_id=new_product_id)
        return await self._write(order_id, "exchange-product", body, customer_id, idempotency_key)

    async def place_order(self, order: NewOrder, *, customer_id: str, idempotency_key: str) -> Order:
        path = f"/customers/{segment(customer_id)}/orders"
        answer = await self.client.write("POST", path, order, idempotency_key=idempotency_key, customer_id=customer_id)
        return Order.model_validate(answer)

    async def claim_price_protection(self, order_id: str, *, customer_id: str, idempotency_key: str) -> Order:
        return await self._write(order_id, "price-protection", PriceProtectionRequest(), customer_id, idempotency_key)

    async def _write(self, order_id: str, action: str, body: object, customer_id: str, key: str) -> Order:
        path = f"/orders/{segment(order_id)}/{action}"
        answer = await self.client.write("POST", path, body, idempotency_key=key, customer_id=customer_id)  # type: ignore[arg-type]
        return Order.model_validate(answer)


class HTTPLogisticsConnector(_Connector, LogisticsConnector):
    async def get_tracking(self, order_id: str, *, customer_id: str) -> Tracking:
        return Tracking.model_validate(await self.client.get(f"/orders/{segment(order_id)}/tracking", customer_id=customer_id))

    async def request_expedite(self, order_id: str, *, reason: str, customer_id: str, idempotency_key: str) -> Tracking:
        path = f"/orders/{segment(order_id)}/expedite"
        answer = await self.client.write(
            "POST", path, ExpediteRequest(reason=reason), idempotency_key=idempotency_key, customer_id=customer_id
        )
        return Tracking.model_validate(answer)

    async def change_delivery_address(
        self, order_id: str, address: Address, *, customer_id: str, idempotency_key: str
    ) -> Tracking:
        path = f"/orders/{segment(order_id)}/delivery-address"
        answer = await self.client.write("POST", path, address, idempotency_key=idempotency_key, customer_id=customer_id)
        return Tracking.model_validate(answer)


class HTTPCRMConnector(_Connector, CRMConnector):
    async def find_customer_by_email(self, email: str, *, within: str | None = None) -> str:
        return await self._find({"email": email}, within)

    async def find_customer_by_name_zip(
        self, first_name: str, last_name: str, zip_code: str, *, within: str | None = None
    ) -> str:
        return await self._find({"first_name": first_name, "last_name": last_name, "zip": zip_code}, within)

    async def find_customer_by_phone(self, phone: str, *, within: str | None = None) -> str:
        return await self._find({"phone": phone}, within)

    async def get_customer(self, customer_id: str) -> Customer:
        path = f"/customers/{segment(customer_id)}"
        return Customer.model_validate(await self.client.get(path, customer_id=customer_id))

    async def modify_customer_address(self, customer_id: str, address: Address, *, idempotency_key: str) -> Customer:
        path = f"/customers/{segment(customer_id)}/address"
        answer = await self.client.write("PUT", path, address, idempotency_key=idempotency_key, customer_id=customer_id)
        return Customer.model_validate(answer)

    async def list_gift_cards(self, customer_id: str) -> list[PaymentMethod]:
        path = f"/customers/{segment(customer_id)}/gift-cards"
        return _methods.validate_python(await self.client.get(path, customer_id=customer_id))

    async def list_notes(self, customer_id: str) -> list[Note]:
        path = f"/customers/{segment(customer_id)}/notes"
        return _notes.validate_python(await self.client.get(path, customer_id=customer_id))

    async def add_note(self, customer_id: str, note: NewNote, *, idempotency_key: str) -> Note:
        path = f"/customers/{segment(customer_id)}/notes"
        answer = await self.client.write("POST", path, note, idempotency_key=idempotency_key, customer_id=customer_id)
        return Note.model_validate(answer)

    async def list_tickets(self, customer_id: str) -> list[Ticket]:
        path = f"/customers/{segment(customer_id)}/tickets"
        return _tickets.validate_python(await self.client.get(path, customer_id=customer_id))

    async def get_ticket(self, ticket_id: int, *, customer_id: str) -> Ticket:
        return Ticket.model_validate(await self.client.get(f"/tickets/{segment(ticket_id)}", customer_id=customer_id))

    async def create_ticket(self, ticket: NewTicket, *, idempotency_key: str) -> Ticket:
        answer = await self.client.write("POST", "/tickets", ticket, idempotency_key=idempotency_key, customer_id=ticket.user_id)
        return Ticket.model_validate(answer)

    async def update_ticket(self, ticket_id: int, update: TicketUpdate, *, customer_id: str, idempotency_key: str) -> Ticket:
        path = f"/tickets/{segment(ticket_id)}"
        answer = await self.client.write("PATCH", path, update, idempotency_key=idempotency_key, customer_id=customer_id)
        return Ticket.model_validate(answer)

    async def _find(self, params: dict[str, str], within: str | None) -> str:
        answer = await self.client.get("/customers/lookup", params=params, customer_id=within)
        return CustomerMatch.model_validate(answer).user_id


class HTTPAfterSalesConnector(_Connector, AfterSalesConnector):
    async def get_invoice(self, order_id: str, *, customer_id: str) -> Invoice:
        return Invoice.model_validate(await self.client.get(f"/orders/{segment(order_id)}/invoice", customer_id=customer_id))

    async def issue_invoice(self, order_id: str, request: InvoiceRequest, *, customer_id: str, idempotency_key: str) -> Invoice:
        path = f"/orders/{segment(order_id)}/invoice"
        answer = await self.client.write("POST", path, request, idempotency_key=idempotency_key, customer_id=customer_id)
        return Invoice.model_validate(answer)

    async def list_appointments(self, customer_id: str, *, order_id: str | None = None) -> list[Appointment]:
        path = f"/customers/{segment(customer_id)}/appointments"
        params = {"order_id": order_id} if order_id is not None else None
        return _appointments.validate_python(await self.client.get(path, params=params, customer_id=customer_id))

    async def book_appointment(
        self, order_id: str, service_type: str, day: date, *, customer_id: str, idempotency_key: str
    ) -> Appointment:
        path = f"/orders/{segment(order_id)}/appointments"
        body = AppointmentRequest(service_type=service_type, date=day)
        answer = await self.client.write("POST", path, body, idempotency_key=idempotency_key, customer_id=customer_id)
        return Appointment.model_validate(answer)

    async def change_appointment(self, appointment_id: int, day: date, *, customer_id: str, idempotency_key: str) -> Appointment:
        path = f"/appointments/{segment(appointment_id)}"
        body = AppointmentChange(date=day)
        answer = await self.client.write("PATCH", path, body, idempotency_key=idempotency_key, customer_id=customer_id)
        return Appointment.model_validate(answer)

    async def get_cashback_record(self, order_id: str, *, customer_id: str) -> CashbackRecord:
        path = f"/orders/{segment(order_id)}/cashback"
        return CashbackRecord.model_validate(await self.client.get(path, customer_id=customer_id))
