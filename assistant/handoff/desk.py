"""The agent desk: what a human agent does with a handoff, over the queue, the conversations and the tools.

Claim, reply, resolve, hand back, and approve or decline a write that waits for
approval. The queue keeps the handoff's state; the conversation store keeps the
messages; an approved write runs through the same toolbox boundary as a
customer-confirmed one (idempotency key, audit with the approving agent), with
the tools of the handoff's shop. An agent reaches only their own shop's handoffs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Literal

from assistant.conversations.pending import PendingActions
from assistant.conversations.records import MessageView, PendingConfirmation
from assistant.conversations.store import ConversationStore
from assistant.errors import ConflictError
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.models import (
    AgentCreate,
    AgentCreated,
    AgentView,
    ApprovalOutcome,
    HandoffDetail,
    HandoffView,
)
from assistant.handoff.queue import HandoffQueue
from assistant.handoff.texts import approval_text
from assistant.settings import HandoffSettings
from assistant.tools.context import ToolContext
from assistant.tools.environment import ToolEnvironment


class AgentDesk:
    """Everything the agent API does, in one service (the HTTP layer only translates)."""

    def __init__(
        self,
        *,
        settings: HandoffSettings,
        queue: HandoffQueue,
        registry: AgentRegistry,
        store: ConversationStore,
        pending: PendingActions,
        tools: Mapping[str, ToolEnvironment],
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.registry = registry
        self._store = store
        self._pending = pending
        self._tools = dict(tools)  # by shop: an approved write runs with its conversation's shop's tools

    # --- agents (operators of a shop) ------------------------------------------------------------------------------

    def register_agent(self, body: AgentCreate, *, shop: str) -> AgentCreated:
        agent, token = self.registry.register(
            shop=shop,
            name=body.name,
            skills=body.skills,
            languages=body.languages,
            max_active=body.max_active or self.settings.default_max_active,
        )
        if self.queue.route_waiting():  # a new agent may take handoffs nobody could
            agent = self.registry.get(agent_id=agent.id, shop=shop)
        return AgentCreated(agent=agent, token=token)

    def set_agent_active(self, *, agent_id: str, shop: str, active: bool) -> AgentView:
        agent = self.registry.set_active(agent_id=agent_id, shop=shop, active=active)
        if active and self.queue.route_waiting():
            agent = self.registry.get(agent_id=agent_id, shop=shop)
        return agent

    def agents(self, *, shop: str) -> list[AgentView]:
        return self.registry.list(shop=shop)

    # --- handoffs ---------------------------------------------------------------------------------------------------

    def queue_for(self, *, agent: AgentView, include_claimed: bool = True) -> list[HandoffView]:
        return self.queue.list_queue(agent=agent, include_claimed=include_claimed)

    def claim(self, *, handoff_id: str, agent: AgentView) -> HandoffView:
        return self.queue.claim(handoff_id=handoff_id, agent=agent)

    def detail(self, *, handoff_id: str, agent: AgentView) -> HandoffDetail:
        handoff = self.queue.get(handoff_id=handoff_id, shop=agent.shop)
        return HandoffDetail(handoff=handoff, messages=self._store.list_messages(conversation_id=handoff.conversation_id))

    def reply(self, *, handoff_id: str, agent: AgentView, content: str) -> MessageView:
        """The agent's message to the customer; only while the agent holds the handoff."""
        handoff = self.queue.require_claimed(handoff_id=handoff_id, agent=agent)
        return self._store.add_agent_message(conversation_id=handoff.conversation_id, agent_id=agent.id, content=content)

    def resolve(self, *, handoff_id: str, agent: AgentView, note: str | None) -> HandoffView:
        """Done: the handoff is resolved and the conversation ended (as if the customer ended it)."""
        handoff = self.queue.require_claimed(handoff_id=handoff_id, agent=agent)
        self._refuse_while_waiting(handoff, "resolving")
        # The store's own end: unconfirmed proposals lapse with it. Ending first is safe to repeat: an
        # ended conversation stays ended, so a resolve that failed half-way can simply be sent again.
        self._store.end_conversation(conversation_id=handoff.conversation_id, shop=handoff.shop, customer_id=handoff.customer_id)
        return self.queue.close(handoff_id=handoff_id, agent=agent, status="resolved", note=note)

    def hand_back(self, *, handoff_id: str, agent: AgentView, note: str | None, message: str | None) -> HandoffView:
        """The assistant answers the customer's next message again; `message` is a last word from the agent."""
        handoff = self.queue.require_claimed(handoff_id=handoff_id, agent=agent)
        self._refuse_while_waiting(handoff, "handing back")
        if message and message.strip():
            self._store.add_agent_message(conversation_id=handoff.conversation_id, agent_id=agent.id, content=message.strip())
        return self.queue.close(handoff_id=handoff_id, agent=agent, status="returned", note=note)

    # --- approvals --------------------------------------------------------------------------------------------------

    async def approve(self, *, handoff_id: str, agent: AgentView) -> ApprovalOutcome:
        """Run the write the customer confirmed and that waits for approval; runs once however often it is approved.

        The shop unreachable: 503, and the write still waits (approving again is safe, by its idempotency key).
        """
        handoff, waiting = await asyncio.to_thread(self._waiting_action, handoff_id, agent)
        tools = self._tools_of(handoff)
        context = await asyncio.to_thread(self._context, handoff)
        outcome = await tools.run_confirmed(
            waiting.action, context, self._pending.claim(waiting, waiting="awaiting_approval"), approved_by=agent.id
        )
        if outcome.status == "taken":
            raise ConflictError("this action was decided a moment ago by someone else", reason="approval_decided")
        status: Literal["executed", "failed"] = outcome.status
        text_key = "approved" if status == "executed" else "failed"
        text = approval_text(tools.texts, handoff.language, text_key, waiting.action, reason=outcome.refusal.rstrip(". "))
        message = await asyncio.to_thread(self._tell, handoff, agent, text)
        return ApprovalOutcome(
            handoff_id=handoff.id, pending_action_id=waiting.id, status=status, result=outcome.recorded, message=message
        )

    async def decline(self, *, handoff_id: str, agent: AgentView, reason: str | None) -> ApprovalOutcome:
        """Refuse the waiting write: it never runs, the refusal is audited, and the customer is told why."""
        handoff, waiting = await asyncio.to_thread(self._waiting_action, handoff_id, agent)
        recorded = {"declined_by": agent.id, "reason": reason}
        if not await asyncio.to_thread(self._pending.decline, pending_id=waiting.id, result=recorded):
            raise ConflictError("this action was decided a moment ago by someone else", reason="approval_decided")
        action = waiting.action
        tools = self._tools_of(handoff)
        await tools.audit.record(
            conversation_id=handoff.conversation_id,
            customer_id=action.customer_id,
            tool=action.tool,
            arguments=action.arguments,
            outcome="refused",
            reason="declined_by_agent",
            result=recorded,
            idempotency_key=action.idempotency_key,
        )
        text = approval_text(tools.texts, handoff.language, "declined", action, reason=(reason or "").strip().rstrip("."))
        message = await asyncio.to_thread(self._tell, handoff, agent, text)
        return ApprovalOutcome(
            handoff_id=handoff.id, pending_action_id=waiting.id, status="declined", result=recorded, message=message
        )

    # --- internals --------------------------------------------------------------------------------------------------

    def _waiting_action(self, handoff_id: str, agent: AgentView) -> tuple[HandoffView, PendingConfirmation]:
        handoff = self.queue.require_claimed(handoff_id=handoff_id, agent=agent)
        waiting = self._pending.awaiting_approval(
            conversation_id=handoff.conversation_id, pending_action_id=handoff.pending_action_id
        )
        if waiting is None:
            raise ConflictError("nothing in this conversation waits for an agent's approval", reason="no_pending_approval")
        if handoff.pending_action_id != waiting.id:
            self.queue.set_pending_action(handoff_id=handoff.id, shop=handoff.shop, pending_action_id=waiting.id)
        return handoff, waiting

    def _refuse_while_waiting(self, handoff: HandoffView, doing: str) -> None:
        waiting = self._pending.awaiting_approval(
            conversation_id=handoff.conversation_id, pending_action_id=handoff.pending_action_id
        )
        if waiting is not None:
            raise ConflictError(
                f"a write waits for your approval ({waiting.name}): approve or decline it before {doing}",
                reason="approval_pending",
            )

    def _context(self, handoff: HandoffView) -> ToolContext:
        """The tools act for the conversation's customer, with the identity the conversation verified."""
        verified, _summary, _upto = self._store.conversation_state(conversation_id=handoff.conversation_id)
        return self._tools_of(handoff).context(
            conversation_id=handoff.conversation_id,
            authenticated_customer_id=handoff.customer_id,
            verified_customer_id=verified,
            language=handoff.language,
        )

    def _tools_of(self, handoff: HandoffView) -> ToolEnvironment:
        tools = self._tools.get(handoff.shop)
        if tools is None:  # a handoff of a shop this server no longer serves: nothing can run for it here
            raise ConflictError(f"shop {handoff.shop!r} of handoff {handoff.id} is not served here", reason="shop_not_served")
        return tools

    def _tell(self, handoff: HandoffView, agent: AgentView, text: str) -> MessageView | None:
        try:
            return self._store.add_agent_message(conversation_id=handoff.conversation_id, agent_id=agent.id, content=text)
        except ConflictError:
            return None  # the customer ended the conversation meanwhile; the decision stands and is recorded
