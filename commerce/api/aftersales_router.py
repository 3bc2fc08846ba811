"""After-sales: an order's invoice, home-service appointments, and its review cash-back record."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.connectors.aftersales import Appointment, CashbackRecord, Invoice
from assistant.connectors.requests import AppointmentChange, AppointmentRequest, InvoiceRequest
from commerce.api.deps import ActingFor, ReadSession, Rules, WriteDep, same_customer
from commerce.services.aftersales import AfterSales

router = APIRouter(tags=["after-sales"])


@router.get("/orders/{order_id}/invoice")
def get_invoice(order_id: str, session: ReadSession, customer_id: ActingFor, rules: Rules) -> Invoice:
    return AfterSales(session, rules).invoice(order_id, customer_id)


@router.post("/orders/{order_id}/invoice", response_model=Invoice, status_code=201)
def issue_invoice(order_id: str, body: InvoiceRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    """Issue the order's invoice, or re-issue it: the current one is then marked `replaced` and named in `replaces`."""
    return write.run(lambda s: AfterSales(s, rules).issue_invoice(order_id, body, write.customer_id), body, status_code=201)


@router.get("/customers/{customer_id}/appointments")
def list_appointments(
    customer_id: str, session: ReadSession, acting_for: ActingFor, rules: Rules, order_id: str | None = None
) -> list[Appointment]:
    same_customer(customer_id, acting_for)
    return AfterSales(session, rules).appointments(customer_id, order_id)


@router.post("/orders/{order_id}/appointments", response_model=Appointment, status_code=201)
def book_appointment(order_id: str, body: AppointmentRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: AfterSales(s, rules).book(order_id, body, write.customer_id), body, status_code=201)


@router.patch("/appointments/{appointment_id}", response_model=Appointment)
def change_appointment(appointment_id: int, body: AppointmentChange, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: AfterSales(s, rules).change(appointment_id, body.date, write.customer_id), body)


@router.get("/orders/{order_id}/cashback")
def get_cashback_record(order_id: str, session: ReadSession, customer_id: ActingFor, rules: Rules) -> CashbackRecord:
    return AfterSales(session, rules).cashback(order_id, customer_id)
