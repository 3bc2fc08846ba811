"""The customer's context for a draft: profile, recent orders, previous contacts. Reads only.

Everything here is best effort: a ticket without a customer, a customer the CRM
does not know, or a commerce service that is down each leave a note in the
context instead of failing the draft: an agent is better served by a draft
that says what it could not see than by no draft.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, MetaData, Table, func, inspect, select
from sqlalchemy.orm import Session

from assistant.connectors.interfaces import Connectors
from assistant.connectors.models import Customer, Order, Tracking
from assistant.conversations.tables import ConversationRow, MessageRow
from assistant.drafts.models import CustomerContext, OrderFacts, PreviousContact
from assistant.errors import AssistantError, CommerceUnavailableError, NotFoundError

SNIPPET_CHARS = 200


@dataclass
class GatheredContext:
    """The context shown to the agent, and the full orders the suggested actions are derived from."""

    context: CustomerContext
    customer: Customer | None = None
    orders: dict[str, Order] = field(default_factory=dict)


class CustomerContextReader:
    """One shop's view of a customer: its CRM and orders, and the assistant's records of that shop only."""

    def __init__(self, *, shop: str, connectors: Connectors, engine: Engine, recent_orders: int, previous_contacts: int) -> None:
        self._shop = shop
        self._connectors = connectors
        self._engine = engine
        self._recent_orders = recent_orders
        self._previous_contacts = previous_contacts

    async def gather(
        self, *, customer_id: str | None, current_conversation: str | None = None, named_orders: list[str] | None = None
    ) -> GatheredContext:
        """Profile, recent orders (and any older order the customer named), previous contacts."""
        if customer_id is None:
            return GatheredContext(
                CustomerContext(notes=["No customer id was given with the ticket: no profile, orders or earlier contacts."])
            )
        context = CustomerContext(customer_id=customer_id)
        gathered = GatheredContext(context)
        try:
            gathered.customer = await self._connectors.crm.get_customer(customer_id)
        except NotFoundError:
            context.notes.append(f"The CRM does not know customer {customer_id}.")
        except CommerceUnavailableError as exc:
            context.notes.append(f"The commerce service could not be reached for the profile: {exc.message}")
        if gathered.customer is not None:
            context.profile = _profile(gathered.customer)
            await self._orders(gathered, gathered.customer, named_orders or [])
            context.previous_contacts.extend(await self._crm_contacts(context, customer_id))
        context.previous_contacts[:0] = await asyncio.to_thread(self._assistant_contacts, customer_id, current_conversation)
        return gathered

    async def _orders(self, gathered: GatheredContext, customer: Customer, named: list[str]) -> None:
        # The CRM lists a customer's orders oldest first: the last ones are the recent ones.
        recent = list(reversed(customer.orders))[: self._recent_orders]
        # Another customer's order id in a ticket is simply not the customer's: it is not looked up.
        order_ids = recent + [order_id for order_id in named if order_id in customer.orders and order_id not in recent]
        results = await asyncio.gather(
            *(self._connectors.orders.get_order(order_id, customer_id=customer.user_id) for order_id in order_ids),
            return_exceptions=True,
        )
        orders: list[Order] = []
        for order_id, result in zip(order_ids, results, strict=True):
            if isinstance(result, Order):
                orders.append(result)
            else:
                gathered.context.notes.append(f"Order {order_id} could not be read: {_why(result)}")
        tracked = [order for order in orders if order.fulfillments]
        trackings = await asyncio.gather(
            *(self._connectors.logistics.get_tracking(order.order_id, customer_id=customer.user_id) for order in tracked),
            return_exceptions=True,
        )
        tracking_of = {order.order_id: t for order, t in zip(tracked, trackings, strict=True) if isinstance(t, Tracking)}
        for order in orders:
            gathered.orders[order.order_id] = order
            gathered.context.recent_orders.append(_facts(order, tracking_of.get(order.order_id)))

    async def _crm_contacts(self, context: CustomerContext, customer_id: str) -> list[PreviousContact]:
        notes, tickets = await asyncio.gather(
            self._connectors.crm.list_notes(customer_id), self._connectors.crm.list_tickets(customer_id), return_exceptions=True
        )
        found: list[PreviousContact] = []
        if isinstance(tickets, list):
            latest = sorted(tickets, key=lambda ticket: ticket.updated_at, reverse=True)[: self._previous_contacts]
            found += [
                PreviousContact(kind="ticket", id=str(t.ticket_id), at=t.updated_at, status=t.status, summary=t.subject)
                for t in latest
            ]
        else:
            context.notes.append(f"The CRM tickets could not be read: {_why(tickets)}")
        if isinstance(notes, list):
            latest_notes = sorted(notes, key=lambda note: note.created_at, reverse=True)[: self._previous_contacts]
            found += [
                PreviousContact(
                    kind="note", id=str(n.note_id), at=n.created_at, status=n.kind, summary=_snippet(f"{n.author}: {n.body}")
                )
                for n in latest_notes
            ]
        else:
            context.notes.append(f"The CRM notes could not be read: {_why(notes)}")
        return found

    def _assistant_contacts(self, customer_id: str, current: str | None) -> list[PreviousContact]:
        """The customer's earlier conversations with the assistant, and their handoffs to human agents."""
        with Session(self._engine) as session:
            # The same id in another shop is another person: only this shop's conversations are the customer's.
            query = select(ConversationRow).where(ConversationRow.customer_id == customer_id, ConversationRow.shop == self._shop)
            if current is not None:
                query = query.where(ConversationRow.id != current)
            rows = session.scalars(query.order_by(ConversationRow.created_at.desc()).limit(self._previous_contacts)).all()
            ids = [row.id for row in rows]
            first_messages = dict(
                session.execute(
                    select(MessageRow.conversation_id, func.min(MessageRow.id))
                    .where(MessageRow.conversation_id.in_(ids), MessageRow.role == "customer")
                    .group_by(MessageRow.conversation_id)
                ).all()
            )
            texts = dict(
                session.execute(select(MessageRow.id, MessageRow.content).where(MessageRow.id.in_(first_messages.values()))).all()
            )
            contacts = [
                PreviousContact(
                    kind="conversation",
                    id=row.id,
                    at=row.created_at.isoformat(),
                    status=row.status,
                    summary=row.summary or _snippet(texts.get(first_messages.get(row.id, -1), "")),
                )
                for row in rows
            ]
            return contacts + self._handoffs(session, customer_id, [current, *ids] if current else ids)

    def _handoffs(self, session: Session, customer_id: str, conversation_ids: list[str]) -> list[PreviousContact]:
        # The handoff queue is another package's table, and may not exist in this deployment: read what is there.
        if not inspect(self._engine).has_table("handoffs"):
            return []
        table = Table("handoffs", MetaData(), autoload_with=self._engine)
        columns = table.c
        if "customer_id" in columns:
            where = columns.customer_id == customer_id
        elif "conversation_id" in columns and conversation_ids:
            where = columns.conversation_id.in_(conversation_ids)
        else:
            return []
        if "shop" in columns:
            where = where & (columns.shop == self._shop)
        query = select(table).where(where)
        if "created_at" in columns:
            query = query.order_by(columns.created_at.desc())
        contacts = []
        for row in session.execute(query.limit(self._previous_contacts)).mappings():
            summary = row.get("summary")
            if isinstance(summary, dict):  # the handoff package's HandoffSummary
                summary = summary.get("customer_wants") or ""
            summary = " — ".join(str(part) for part in (row.get("reason"), summary) if part)
            contacts.append(
                PreviousContact(
                    kind="handoff",
                    id=str(row.get("id", "")),
                    at=_text(row.get("created_at")),
                    status=_text(row.get("status")),
                    summary=_snippet(str(summary)),
                )
            )
        return contacts


def _profile(customer: Customer) -> dict[str, Any]:
    return {
        "name": f"{customer.name.first_name} {customer.name.last_name}",
        "email": customer.email,
        "phone": customer.phone,
        "address": customer.address.one_line(),
        "tags": customer.tags,
        "locale": customer.locale,
        "payment_methods": [
            {"id": method.id, "source": method.source, "brand": method.brand, "last_four": method.last_four}
            for method in customer.payment_methods
        ],
    }


def _facts(order: Order, tracking: Tracking | None) -> OrderFacts:
    return OrderFacts(
        order_id=order.order_id,
        status=order.status,
        items=[f"{item.name} ({item.item_id})" for item in order.items],
        total=order.total,
        currency=order.currency,
        tracking_ids=[tracking_id for fulfillment in order.fulfillments for tracking_id in fulfillment.tracking_id],
        shipments=[
            {
                "tracking_id": shipment.tracking_id,
                "carrier": shipment.carrier,
                "status": shipment.status,
                "estimated_delivery": shipment.estimated_delivery,
                "delivered_at": shipment.delivered_at,
            }
            for shipment in (tracking.shipments if tracking else [])
        ],
    )


def _why(error: object) -> str:
    """The message of a domain error; anything else is a bug and is raised, not turned into a note."""
    if isinstance(error, AssistantError):
        return error.message
    if isinstance(error, BaseException):
        raise error
    return str(error)


def _snippet(text: str) -> str:
    return " ".join(text.split())[:SNIPPET_CHARS]


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
