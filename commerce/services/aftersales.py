"""After-sales records of an order: its invoice (issue, re-issue), home-service visits (book, change the day), and
whether a review was registered for cash-back.

Everything is scoped like orders: another customer's order, invoice or
appointment answers 404 exactly like one that does not exist. Which orders may
have an invoice or a visit is the shop's policy (`invoice`, `appointment`); the
invoice and service types are the policy's words; a visit's day is today or
later in the shop's time zone, within `appointment_window_days`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.connectors.aftersales import Appointment, CashbackRecord, Invoice
from assistant.connectors.models import Refusal
from assistant.connectors.requests import AppointmentRequest, InvoiceRequest
from assistant.shops.dates import today_in
from commerce.errors import not_found
from commerce.models import AppointmentRow, CashbackRow, CustomerRow, InvoiceRow, OrderRow, utcnow
from commerce.services.orders import load_order, net_paid
from commerce.services.rules import ShopRules
from commerce.views import appointment_view, invoice_view

TAX_ID = re.compile(r"[0-9A-Z]{15,20}")


class AfterSales:
    def __init__(self, session: Session, rules: ShopRules) -> None:
        self.session = session
        self.rules = rules

    # --- invoices ---

    def invoice(self, order_id: str, customer_id: str | None) -> Invoice:
        order = load_order(self.session, order_id, customer_id)
        current = self._current_invoice(order.id)
        if current is None:
            raise not_found(Refusal.INVOICE_NOT_FOUND, f"invoice of order {order.id}")
        return invoice_view(current, order.currency)

    def issue_invoice(self, order_id: str, request: InvoiceRequest, customer_id: str | None) -> Invoice:
        """Issue the order's invoice; a second one re-issues it: the old one is marked replaced and named by the new."""
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("invoice", order)
        kinds = self.rules.policy.invoice_types
        kind = kinds.get(request.invoice_type)
        if kind is None:
            raise self.rules.refuse(422, Refusal.INVALID_INVOICE_TYPE, "invoice_type", types="、".join(kinds) or "-")
        title = request.title.strip()
        if not title:
            raise self.rules.refuse(422, Refusal.BAD_REQUEST, "invoice_title")
        tax_id = (request.tax_id or "").strip().upper() or None
        if kind.tax_id and tax_id is None:
            raise self.rules.refuse(422, Refusal.TAX_ID_REQUIRED, "tax_id_required", invoice_type=request.invoice_type)
        if not kind.tax_id and tax_id is not None:
            raise self.rules.refuse(422, Refusal.INVALID_TAX_ID, "tax_id_not_taken", invoice_type=request.invoice_type)
        if tax_id is not None and not TAX_ID.fullmatch(tax_id):
            raise self.rules.refuse(422, Refusal.INVALID_TAX_ID, "invalid_tax_id", tax_id=request.tax_id)
        previous = self._current_invoice(order.id, for_update=True)
        if previous is not None:
            previous.status = "replaced"
        row = InvoiceRow(
            order_id=order.id,
            customer_id=order.customer_id,
            invoice_type=request.invoice_type,
            title=title,
            tax_id=tax_id,
            phone=order.recipient_phone,
            amount_cents=sum(net_paid(order).values()),
            status="issued",
            issued_at=utcnow(),
            replaces=previous.id if previous is not None else None,
        )
        self.session.add(row)
        self.session.flush()
        return invoice_view(row, order.currency)

    def _current_invoice(self, order_id: str, *, for_update: bool = False) -> InvoiceRow | None:
        query = select(InvoiceRow).where(InvoiceRow.order_id == order_id, InvoiceRow.status == "issued")
        return self.session.scalar((query.with_for_update() if for_update else query).order_by(InvoiceRow.id.desc()))

    # --- home-service appointments ---

    def appointments(self, customer_id: str, order_id: str | None) -> list[Appointment]:
        query = select(AppointmentRow).where(AppointmentRow.customer_id == customer_id).order_by(AppointmentRow.id)
        if order_id is not None:
            load_order(self.session, order_id, customer_id)
            query = query.where(AppointmentRow.order_id == order_id)
        return [appointment_view(row) for row in self.session.scalars(query)]

    def book(self, order_id: str, request: AppointmentRequest, customer_id: str | None) -> Appointment:
        order = load_order(self.session, order_id, customer_id, for_update=True)
        self.rules.require("appointment", order)
        types = self.rules.policy.service_types
        if request.service_type not in types:
            raise self.rules.refuse(422, Refusal.INVALID_SERVICE_TYPE, "service_type", types="、".join(types) or "-")
        self._check_day(request.date)
        booked = self.session.scalar(
            select(AppointmentRow).where(
                AppointmentRow.order_id == order.id,
                AppointmentRow.service_type == request.service_type,
                AppointmentRow.status == "booked",
            )
        )
        if booked is not None:
            raise self.rules.refuse(
                409, Refusal.APPOINTMENT_EXISTS, "appointment_exists", order_id=order.id,
                service_type=booked.service_type, day=booked.day.isoformat(), appointment_id=booked.id,
            )  # fmt: skip
        customer = self.session.get(CustomerRow, order.customer_id)
        row = AppointmentRow(
            order_id=order.id,
            customer_id=order.customer_id,
            service_type=request.service_type,
            day=request.date,
            name=order.recipient_name or (f"{customer.last_name}{customer.first_name}" if customer else None),
            phone=order.recipient_phone or (customer.phone if customer else None),
            status="booked",
        )
        self.session.add(row)
        self.session.flush()
        return appointment_view(row)

    def change(self, appointment_id: int, day: date, customer_id: str | None) -> Appointment:
        row = self.session.scalar(select(AppointmentRow).where(AppointmentRow.id == appointment_id).with_for_update())
        if row is None or (customer_id is not None and row.customer_id != customer_id):
            raise not_found(Refusal.APPOINTMENT_NOT_FOUND, "appointment")
        order: OrderRow = load_order(self.session, row.order_id, customer_id)
        self.rules.require("appointment", order)
        self._check_day(day)
        row.day = day
        row.updated_at = utcnow()
        self.session.flush()
        return appointment_view(row)

    def _check_day(self, day: date) -> None:
        zone = self.rules.shop.profile.time_zone
        today = today_in(zone)
        if day < today:
            raise self.rules.refuse(
                422, Refusal.DATE_IN_PAST, "date_in_past", day=day.isoformat(), today=today.isoformat(), time_zone=zone
            )
        window = self.rules.policy.appointment_window_days
        if day > today + timedelta(days=window):
            raise self.rules.refuse(422, Refusal.DATE_TOO_FAR, "date_too_far", day=day.isoformat(), days=window)

    # --- review cash-back ---

    def cashback(self, order_id: str, customer_id: str | None) -> CashbackRecord:
        self.rules.require_offered("review_cashback")
        order = load_order(self.session, order_id, customer_id)
        row = self.session.get(CashbackRow, order.id)
        reviewed = bool(row is not None and row.reviewed)
        return CashbackRecord(
            order_id=order.id, recorded=row is not None, reviewed=reviewed, status="已晒单" if reviewed else "未晒单"
        )
