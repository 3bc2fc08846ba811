"""After-sales tools: invoices (look up; issue or re-issue), installation and repair visits (look up, book, change the day),
and the review cash-back record (look up only).

Registering a review for cash-back needs proof (a screenshot showing the review)
the assistant cannot check, so there is no write for it: the agent hands the
conversation to a person with the proof. The invoice and service types are the
shop policy's own words; a visit's day may be said as 周六 or 下周二 and is
shown as a date in the shop's time zone before the customer confirms.
"""

from __future__ import annotations

from datetime import date, timedelta

from assistant.connectors.aftersales import Appointment, CashbackRecord, Invoice
from assistant.connectors.models import Order, Refusal
from assistant.connectors.requests import InvoiceRequest
from assistant.errors import BadInputError, NotFoundError, PolicyViolationError
from assistant.shops.dates import day_of, today_in
from assistant.tools.access import own_order
from assistant.tools.base import Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer
from assistant.tools.policy import require_action


class AfterSalesTools:
    @tool(ToolKind.READ)
    async def get_invoice(self, ctx: ToolContext, order_id: str) -> Invoice:
        """Get the current invoice of one of the verified customer's orders: type, title (抬头), tax id, amount.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
        """
        await own_order(ctx, order_id)
        return await ctx.connectors.aftersales.get_invoice(order_id, customer_id=ctx.customer_id)

    @tool(ToolKind.WRITE, executor="_issue_invoice")
    async def issue_invoice(
        self, ctx: ToolContext, order_id: str, invoice_type: str, title: str, tax_id: str | None = None
    ) -> Proposal:
        """Issue an invoice for a paid order, or re-issue it: a new invoice replaces the one issued before.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            invoice_type: The invoice type, in the shop's words: '个人发票' (personal) or '企业发票' (company).
            title: The invoice title (抬头): the person's name, or the company's full name.
            tax_id: The company's tax id (税号, 15 to 20 letters and digits), required for a company invoice; else null.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "issue_invoice")
        say = Describer(ctx.language, ctx.texts)
        kinds = ctx.shop.policy.invoice_types
        kind = kinds.get(invoice_type)
        if kind is None:
            raise BadInputError(say.text("refusal", "invoice_type", types="、".join(kinds)), reason=Refusal.INVALID_INVOICE_TYPE)
        number = (tax_id or "").strip().upper() or None
        if kind.tax_id and number is None:
            message = say.text("refusal", "tax_id_required", invoice_type=invoice_type)
            raise BadInputError(message, reason=Refusal.TAX_ID_REQUIRED)
        if number is not None and (not kind.tax_id or not (15 <= len(number) <= 20 and number.isalnum())):
            key = "invalid_tax_id" if kind.tax_id else "tax_id_not_taken"
            raise BadInputError(say.text("refusal", key, tax_id=tax_id, invoice_type=invoice_type), reason=Refusal.INVALID_TAX_ID)
        if not title.strip():
            raise BadInputError(say.text("refusal", "invoice_title"))
        previous = await _current_invoice(ctx, order)
        text = say.render(
            "issue_invoice",
            order_id=order.order_id,
            amount=say.money(_paid(order), order.currency),
            invoice_type=kind.name.get(ctx.language) or invoice_type,
            title=title.strip(),
            tax_id=number,
            replaces=previous is not None,
            old_type=previous.invoice_type if previous else "",
            old_title=previous.title if previous else "",
        )
        return Proposal(description=text, arguments={"title": title.strip(), "tax_id": number})

    async def _issue_invoice(
        self, ctx: ToolContext, key: str, order_id: str, invoice_type: str, title: str, tax_id: str | None = None
    ) -> Invoice:
        request = InvoiceRequest(invoice_type=invoice_type, title=title, tax_id=tax_id)
        return await ctx.connectors.aftersales.issue_invoice(order_id, request, customer_id=ctx.customer_id, idempotency_key=key)

    @tool(ToolKind.READ)
    async def list_appointments(self, ctx: ToolContext, order_id: str | None = None) -> list[Appointment]:
        """List the verified customer's installation and repair visits, with their dates (of one order, or all).

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'; null for every order.
        """
        if order_id is not None:
            await own_order(ctx, order_id)
        return await ctx.connectors.aftersales.list_appointments(ctx.customer_id, order_id=order_id)

    @tool(ToolKind.WRITE, executor="_book_appointment")
    async def book_appointment(self, ctx: ToolContext, order_id: str, service_type: str, date: str) -> Proposal:
        """Book an installation or repair visit for a paid order, on the day the customer names.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            service_type: The service, in the shop's words: '安装' (installation) or '维修' (repair).
            date: The day, as the customer says it or as a date: '周六', '下周二', '明天', '6月21日' or '2025-06-21'.
        """
        say = Describer(ctx.language, ctx.texts)
        services = ctx.shop.policy.service_types
        if service_type not in services:
            raise BadInputError(
                say.text("refusal", "service_type", types="、".join(services)), reason=Refusal.INVALID_SERVICE_TYPE
            )
        day = _checked_day(ctx, say, date)
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "book_appointment")
        booked = await ctx.connectors.aftersales.list_appointments(ctx.customer_id, order_id=order.order_id)
        same = next((a for a in booked if a.service_type == service_type and a.status == "booked"), None)
        if same is not None:
            message = say.text(
                "refusal", "appointment_exists", order_id=order.order_id, service=_service(ctx, service_type),
                day=same.date, appointment_id=same.appointment_id,
            )  # fmt: skip
            raise PolicyViolationError(message, reason=Refusal.APPOINTMENT_EXISTS)
        text = say.render(
            "book_appointment",
            order_id=order.order_id,
            service=_service(ctx, service_type),
            day=day.isoformat(),
            weekday=say.weekday(day),
            name=order.recipient_name or "-",
            phone=order.recipient_phone or "-",
        )
        return Proposal(description=text, arguments={"date": day.isoformat()})

    async def _book_appointment(self, ctx: ToolContext, key: str, order_id: str, service_type: str, date: str) -> Appointment:
        day = day_of(date, ctx.shop.profile.time_zone)
        return await ctx.connectors.aftersales.book_appointment(
            order_id, service_type, day, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_change_appointment")
    async def change_appointment(self, ctx: ToolContext, appointment_id: int, date: str) -> Proposal:
        """Move one of the verified customer's installation or repair visits to another day.

        Args:
            appointment_id: The appointment's number, from list_appointments, such as 3.
            date: The new day, as the customer says it or as a date: '周六', '下周二', '6月21日' or '2025-06-21'.
        """
        say = Describer(ctx.language, ctx.texts)
        day = _checked_day(ctx, say, date)
        booked = await ctx.connectors.aftersales.list_appointments(ctx.customer_id)
        appointment = next((a for a in booked if a.appointment_id == appointment_id), None)
        if appointment is None:
            raise NotFoundError(
                f"No appointment {appointment_id} was found for this customer.", reason=Refusal.APPOINTMENT_NOT_FOUND
            )
        order = await own_order(ctx, appointment.order_id)
        require_action(ctx, order, "change_appointment")
        text = say.render(
            "change_appointment",
            order_id=order.order_id,
            service=_service(ctx, appointment.service_type),
            appointment_id=appointment_id,
            old=appointment.date,
            day=day.isoformat(),
            weekday=say.weekday(day),
        )
        return Proposal(description=text, arguments={"date": day.isoformat()})

    async def _change_appointment(self, ctx: ToolContext, key: str, appointment_id: int, date: str) -> Appointment:
        day = day_of(date, ctx.shop.profile.time_zone)
        return await ctx.connectors.aftersales.change_appointment(
            appointment_id, day, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.READ)
    async def get_cashback_record(self, ctx: ToolContext, order_id: str) -> CashbackRecord:
        """Get whether a review was registered for an order's review cash-back (晒单返现): 已晒单 or 未晒单.

        Registering one needs a screenshot showing the review, which a person must check: hand such a request over.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
        """
        await own_order(ctx, order_id)
        return await ctx.connectors.aftersales.get_cashback_record(order_id, customer_id=ctx.customer_id)


async def _current_invoice(ctx: ToolContext, order: Order) -> Invoice | None:
    try:
        return await ctx.connectors.aftersales.get_invoice(order.order_id, customer_id=ctx.customer_id)
    except NotFoundError:
        return None


def _checked_day(ctx: ToolContext, say: Describer, said: str) -> date:
    """The day `said` names, from today to the policy's booking window, in the shop's time zone."""
    zone = ctx.shop.profile.time_zone
    try:
        day = day_of(said, zone)
    except ValueError:
        raise BadInputError(say.text("refusal", "unreadable_date", said=said), reason="bad_date") from None
    today = today_in(zone)
    if day < today:
        message = say.text("refusal", "date_in_past", day=day.isoformat(), today=today.isoformat())
        raise BadInputError(message, reason=Refusal.DATE_IN_PAST)
    window = ctx.shop.policy.appointment_window_days
    if day > today + timedelta(days=window):
        raise BadInputError(say.text("refusal", "date_too_far", day=day.isoformat(), days=window), reason=Refusal.DATE_TOO_FAR)
    return day


def _service(ctx: ToolContext, service_type: str) -> str:
    return ctx.shop.policy.service_types.get(service_type, {}).get(ctx.language) or service_type


def _paid(order: Order) -> float:
    signed = (p.amount if p.transaction_type == "payment" else -p.amount for p in order.payment_history)
    return round(sum(signed), 2)
