"""CRM: customer look-up and profile, tags, notes (contact history) and tickets."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.connectors.models import (
    GIFT_CARD,
    Address,
    Customer,
    CustomerMatch,
    NewNote,
    NewTicket,
    Note,
    PaymentMethod,
    Refusal,
    TagsUpdate,
    Ticket,
    TicketUpdate,
)
from commerce.api.deps import ActingFor, ReadSession, WriteDep, same_customer
from commerce.errors import CommerceError
from commerce.services.crm import NO_MATCH, CRMService

router = APIRouter(tags=["crm"])


@router.get("/customers/lookup")
def find_customer(
    session: ReadSession,
    acting_for: ActingFor,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    zip: str | None = None,  # noqa: A002 - the query parameter's public name
    phone: str | None = None,
) -> CustomerMatch:
    match = CRMService(session).find(email=email, first_name=first_name, last_name=last_name, zip_code=zip, phone=phone)
    if acting_for is not None and match.user_id != acting_for:
        # A caller acting for one customer learns nothing about whether others exist.
        raise CommerceError(404, Refusal.CUSTOMER_NOT_FOUND, NO_MATCH)
    return match


@router.get("/customers/{customer_id}")
def get_customer(customer_id: str, session: ReadSession, acting_for: ActingFor) -> Customer:
    same_customer(customer_id, acting_for)
    return CRMService(session).get(customer_id)


@router.get("/customers/{customer_id}/gift-cards")
def list_gift_cards(customer_id: str, session: ReadSession, acting_for: ActingFor) -> list[PaymentMethod]:
    """The customer's gift cards (京东E卡 included) with their balances."""
    same_customer(customer_id, acting_for)
    return [method for method in CRMService(session).get(customer_id).payment_methods if method.source == GIFT_CARD]


@router.put("/customers/{customer_id}/address", response_model=Customer)
def modify_customer_address(customer_id: str, body: Address, write: WriteDep) -> JSONResponse:
    same_customer(customer_id, write.customer_id)
    return write.run(lambda s: CRMService(s).modify_address(customer_id, body), body)


@router.put("/customers/{customer_id}/tags", response_model=Customer)
def set_customer_tags(customer_id: str, body: TagsUpdate, write: WriteDep) -> JSONResponse:
    same_customer(customer_id, write.customer_id)
    return write.run(lambda s: CRMService(s).set_tags(customer_id, body.tags), body)


@router.get("/customers/{customer_id}/notes")
def list_notes(customer_id: str, session: ReadSession, acting_for: ActingFor) -> list[Note]:
    same_customer(customer_id, acting_for)
    return CRMService(session).list_notes(customer_id)


@router.post("/customers/{customer_id}/notes", response_model=Note, status_code=201)
def add_note(customer_id: str, body: NewNote, write: WriteDep) -> JSONResponse:
    same_customer(customer_id, write.customer_id)
    return write.run(lambda s: CRMService(s).add_note(customer_id, body), body, status_code=201)


@router.get("/customers/{customer_id}/tickets")
def list_tickets(customer_id: str, session: ReadSession, acting_for: ActingFor) -> list[Ticket]:
    same_customer(customer_id, acting_for)
    return CRMService(session).list_tickets(customer_id)


@router.post("/tickets", response_model=Ticket, status_code=201)
def create_ticket(body: NewTicket, write: WriteDep) -> JSONResponse:
    same_customer(body.user_id, write.customer_id)
    return write.run(lambda s: CRMService(s).create_ticket(body), body, status_code=201)


@router.get("/tickets/{ticket_id}")
def get_ticket(ticket_id: int, session: ReadSession, customer_id: ActingFor) -> Ticket:
    return CRMService(session).get_ticket(ticket_id, customer_id)


@router.patch("/tickets/{ticket_id}", response_model=Ticket)
def update_ticket(ticket_id: int, body: TicketUpdate, write: WriteDep) -> JSONResponse:
    return write.run(lambda s: CRMService(s).update_ticket(ticket_id, body, write.customer_id), body)
