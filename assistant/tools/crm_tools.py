"""CRM tools: the customer's tickets and notes, and the hand-over to a human agent."""

from __future__ import annotations

from typing import Literal

from assistant.connectors.models import NewNote, NewTicket, Note, Ticket, TicketUpdate
from assistant.errors import BadInputError
from assistant.tools.access import own_order, own_ticket
from assistant.tools.base import HandoffRequest, Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer

Priority = Literal["low", "normal", "high", "urgent"]
TicketStatus = Literal["open", "pending", "resolved", "closed"]


class CRMTools:
    @tool(ToolKind.READ)
    async def list_tickets(self, ctx: ToolContext) -> list[Ticket]:
        """List the verified customer's support tickets, newest first, with their comments."""
        return await ctx.connectors.crm.list_tickets(ctx.customer_id)

    @tool(ToolKind.WRITE, executor="_create_ticket")
    async def create_ticket(
        self, ctx: ToolContext, subject: str, description: str, order_id: str | None = None, priority: Priority = "normal"
    ) -> Proposal:
        """Open a support ticket for the verified customer, for an issue the tools cannot solve now.

        Args:
            subject: A short title, such as 'Damaged blender'.
            description: What happened and what the customer wants, in a few sentences.
            order_id: The order it concerns, as the shop writes it, such as '{example_order_id}', or null.
            priority: low, normal, high or urgent.
        """
        if order_id is not None:
            await own_order(ctx, order_id)
        ctx.customer_id  # noqa: B018 - identity must be verified before anything is proposed
        text = Describer(ctx.language, ctx.texts).render(
            "create_ticket", subject=subject, description=description, order_id=order_id, priority=priority
        )
        return Proposal(description=text)

    async def _create_ticket(
        self,
        ctx: ToolContext,
        key: str,
        subject: str,
        description: str,
        order_id: str | None = None,
        priority: Priority = "normal",
    ) -> Ticket:
        if order_id is not None:
            await own_order(ctx, order_id)
        ticket = NewTicket(
            user_id=ctx.customer_id, subject=subject, description=description, order_id=order_id, priority=priority
        )
        return await ctx.connectors.crm.create_ticket(ticket, idempotency_key=key)

    @tool(ToolKind.WRITE, executor="_update_ticket")
    async def update_ticket(
        self, ctx: ToolContext, ticket_id: int, status: TicketStatus | None = None, comment: str | None = None
    ) -> Proposal:
        """Add a comment to one of the verified customer's tickets, or change its status (e.g. close it).

        Args:
            ticket_id: The ticket number, such as 12.
            status: The new status (open, pending, resolved or closed), or null to keep it.
            comment: A comment to add, or null.
        """
        if status is None and not comment:
            raise BadInputError("Give a new status or a comment.")
        await own_ticket(ctx, ticket_id)
        text = Describer(ctx.language, ctx.texts).render(
            "update_ticket", ticket_id=ticket_id, status=status, priority=None, comment=comment
        )
        return Proposal(description=text)

    async def _update_ticket(
        self, ctx: ToolContext, key: str, ticket_id: int, status: TicketStatus | None = None, comment: str | None = None
    ) -> Ticket:
        await own_ticket(ctx, ticket_id)
        update = TicketUpdate(status=status, comment=comment)
        return await ctx.connectors.crm.update_ticket(ticket_id, update, customer_id=ctx.customer_id, idempotency_key=key)

    @tool(ToolKind.WRITE, executor="_add_note")
    async def add_note(self, ctx: ToolContext, body: str) -> Proposal:
        """Record a note in the verified customer's contact history, such as what was agreed in this conversation.

        Args:
            body: The note, one or two sentences.
        """
        if not body.strip():
            raise BadInputError("The note is empty.")
        ctx.customer_id  # noqa: B018 - identity must be verified before anything is proposed
        return Proposal(description=Describer(ctx.language, ctx.texts).render("add_note", body=body))

    async def _add_note(self, ctx: ToolContext, key: str, body: str) -> Note:
        note = NewNote(kind="chat", author="assistant", body=body)
        return await ctx.connectors.crm.add_note(ctx.customer_id, note, idempotency_key=key)

    @tool(ToolKind.READ)
    async def transfer_to_human_agents(self, ctx: ToolContext, summary: str, reason: str = "out_of_scope") -> HandoffRequest:
        """Hand the conversation to a human agent, when the request cannot be handled with the available tools.

        Then tell the customer they are being transferred.

        Args:
            summary: What the customer wants and what was done so far, for the human agent.
            reason: Why: explicit_request, out_of_scope, policy_exception, repeated_failure, complaint or other.
        """
        return HandoffRequest(summary=summary, reason=reason)
