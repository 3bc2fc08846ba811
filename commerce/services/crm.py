"""CRM: finding customers, profiles and tags, notes (the contact history), and tickets."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from assistant.connectors.models import (
    Address,
    Customer,
    CustomerMatch,
    NewNote,
    NewTicket,
    Note,
    Refusal,
    Ticket,
    TicketUpdate,
)
from commerce.errors import CommerceError, not_found, refused
from commerce.models import CustomerRow, NoteRow, OrderRow, TicketRow, utcnow
from commerce.views import customer_view, note_view, ticket_view

NO_MATCH = "No customer matches these details"


class CRMService:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- customers ---

    def find(
        self, *, email: str | None, first_name: str | None, last_name: str | None, zip_code: str | None, phone: str | None
    ) -> CustomerMatch:
        query = select(CustomerRow.id).order_by(CustomerRow.id).limit(1)
        if email:
            query = query.where(func.lower(CustomerRow.email) == email.strip().lower())
        elif first_name and last_name and zip_code:
            query = query.where(
                func.lower(CustomerRow.first_name) == first_name.strip().lower(),
                func.lower(CustomerRow.last_name) == last_name.strip().lower(),
                CustomerRow.zip == zip_code.strip(),
            )
        elif phone and _digits(phone):
            query = query.where(CustomerRow.phone == _digits(phone))
        else:
            raise CommerceError(422, Refusal.BAD_REQUEST, "Give an email, a first name + last name + zip, or a phone number")
        customer_id = self.session.scalar(query)
        if customer_id is None:
            raise CommerceError(404, Refusal.CUSTOMER_NOT_FOUND, NO_MATCH)
        return CustomerMatch(user_id=customer_id)

    def get(self, customer_id: str) -> Customer:
        return self._view(self._customer(customer_id))

    def modify_address(self, customer_id: str, address: Address) -> Customer:
        customer = self._customer(customer_id, for_update=True)
        customer.address = address.model_dump()
        customer.zip = address.zip
        self.session.flush()
        return self._view(customer)

    def set_tags(self, customer_id: str, tags: list[str]) -> Customer:
        customer = self._customer(customer_id, for_update=True)
        customer.tags = sorted({tag.strip().lower() for tag in tags if tag.strip()})
        self.session.flush()
        return self._view(customer)

    # --- notes and contact history ---

    def list_notes(self, customer_id: str) -> list[Note]:
        self._customer(customer_id)
        rows = self.session.scalars(
            select(NoteRow).where(NoteRow.customer_id == customer_id).order_by(NoteRow.created_at.desc(), NoteRow.id.desc())
        )
        return [note_view(row) for row in rows]

    def add_note(self, customer_id: str, note: NewNote) -> Note:
        self._customer(customer_id)
        if note.ticket_id is not None:
            self._ticket(note.ticket_id, customer_id)
        row = NoteRow(customer_id=customer_id, ticket_id=note.ticket_id, kind=note.kind, author=note.author, body=note.body)
        self.session.add(row)
        self.session.flush()
        return note_view(row)

    # --- tickets ---

    def list_tickets(self, customer_id: str) -> list[Ticket]:
        self._customer(customer_id)
        rows = self.session.scalars(
            select(TicketRow)
            .where(TicketRow.customer_id == customer_id)
            .order_by(TicketRow.id.desc())
            .options(selectinload(TicketRow.comments))
        )
        return [ticket_view(row) for row in rows]

    def get_ticket(self, ticket_id: int, customer_id: str | None) -> Ticket:
        return ticket_view(self._ticket(ticket_id, customer_id))

    def create_ticket(self, ticket: NewTicket) -> Ticket:
        self._customer(ticket.user_id)
        if ticket.order_id is not None:
            from commerce.services.orders import load_order

            load_order(self.session, ticket.order_id, ticket.user_id)
        row = TicketRow(
            customer_id=ticket.user_id,
            order_id=ticket.order_id,
            subject=ticket.subject,
            description=ticket.description,
            priority=ticket.priority,
            category=ticket.category,
            status="open",
        )
        self.session.add(row)
        self.session.flush()
        return self.get_ticket(row.id, ticket.user_id)

    def update_ticket(self, ticket_id: int, update: TicketUpdate, customer_id: str | None) -> Ticket:
        row = self._ticket(ticket_id, customer_id, for_update=True)
        if update.status is None and update.priority is None and not update.comment:
            raise CommerceError(422, Refusal.BAD_REQUEST, "Give a new status, a new priority or a comment")
        if row.status == "closed" and update.status != "open":
            raise refused(Refusal.INVALID_TICKET_UPDATE, f"Ticket {ticket_id} is closed; reopen it first")
        if update.status is not None:
            row.status = update.status
        if update.priority is not None:
            row.priority = update.priority
        if update.comment:
            self.session.add(
                NoteRow(customer_id=row.customer_id, ticket_id=row.id, kind="note", author=update.author, body=update.comment)
            )
        row.updated_at = utcnow()
        self.session.flush()
        self.session.expire(row, ["comments"])
        return ticket_view(row)

    # --- helpers ---

    def _customer(self, customer_id: str, *, for_update: bool = False) -> CustomerRow:
        query = select(CustomerRow).where(CustomerRow.id == customer_id).options(selectinload(CustomerRow.payment_methods))
        row = self.session.scalar(query.with_for_update() if for_update else query)
        if row is None:
            raise not_found(Refusal.CUSTOMER_NOT_FOUND, "customer")
        return row

    def _view(self, customer: CustomerRow) -> Customer:
        order_ids = self.session.scalars(
            select(OrderRow.id).where(OrderRow.customer_id == customer.id).order_by(OrderRow.position, OrderRow.id)
        )
        return customer_view(customer, list(order_ids))

    def _ticket(self, ticket_id: int, customer_id: str | None, *, for_update: bool = False) -> TicketRow:
        query = select(TicketRow).where(TicketRow.id == ticket_id).options(selectinload(TicketRow.comments))
        row = self.session.scalar(query.with_for_update() if for_update else query)
        if row is None or (customer_id is not None and row.customer_id != customer_id):
            raise not_found(Refusal.TICKET_NOT_FOUND, "ticket")
        return row


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)
