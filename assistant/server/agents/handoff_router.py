"""The agent API: operators register agents; agents work the handoff queue.

Operators (a shop's `X-Operator-Key`; the agents are that shop's):
- `POST /v1/agents` `{"name", "skills", "languages", "max_active"}` → 201, the agent and its token (shown once).
- `GET /v1/agents` → the shop's agents with their current load; `PATCH /v1/agents/{id}` `{"active": false}` takes
  one off duty.

Agents (`Authorization: Bearer <agent token>`; their shop's handoffs only):
- `GET /v1/agent/me`; `GET /v1/agent/handoffs` → the queue, highest priority first.
- `GET /v1/agent/handoffs/{id}` → the handoff with the conversation's messages.
- `POST /v1/agent/handoffs/{id}/claim`, `/reply` `{"content"}`, `/resolve` `{"note"}`,
  `/hand-back` `{"note", "message"}`, `/approve`, `/decline` `{"reason"}`.

Unknown ids and another shop's are 404, a move the handoff's state does not allow (or another agent's
handoff) is 409, bad bodies are 422.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from assistant.conversations.records import MessageView
from assistant.handoff.models import (
    AgentCreate,
    AgentCreated,
    AgentUpdate,
    AgentView,
    ApprovalOutcome,
    CloseRequest,
    DeclineRequest,
    HandoffDetail,
    HandoffView,
    ReplyRequest,
)
from assistant.server.agents.auth import AgentDep, DeskDep, OperatorShop

handoff_router = APIRouter(tags=["agents"])


@handoff_router.post("/v1/agents", status_code=status.HTTP_201_CREATED, response_model=AgentCreated)
def register_agent(body: AgentCreate, desk: DeskDep, shop: OperatorShop) -> AgentCreated:
    """Register a human agent of the operator's shop; the response holds its bearer token, which is not shown again."""
    return desk.register_agent(body, shop=shop)


@handoff_router.get("/v1/agents", response_model=list[AgentView])
def list_agents(desk: DeskDep, shop: OperatorShop) -> list[AgentView]:
    """The shop's agents, with how many handoffs each holds now."""
    return desk.agents(shop=shop)


@handoff_router.patch("/v1/agents/{agent_id}", response_model=AgentView)
def update_agent(agent_id: str, body: AgentUpdate, desk: DeskDep, shop: OperatorShop) -> AgentView:
    """Take one of the shop's agents off duty (no new handoffs, token refused) or back on."""
    return desk.set_agent_active(agent_id=agent_id, shop=shop, active=body.active)


@handoff_router.get("/v1/agent/me", response_model=AgentView)
def me(agent: AgentDep) -> AgentView:
    """The calling agent, with their current load."""
    return agent


@handoff_router.get("/v1/agent/handoffs", response_model=list[HandoffView])
def queue(
    agent: AgentDep,
    desk: DeskDep,
    include_claimed: Annotated[bool, Query(description="Also list the handoffs you hold now.")] = True,
) -> list[HandoffView]:
    """Handoffs routed to you or to nobody, highest priority first (sentiment, VIP, waiting time, reason)."""
    return desk.queue_for(agent=agent, include_claimed=include_claimed)


@handoff_router.get("/v1/agent/handoffs/{handoff_id}", response_model=HandoffDetail)
def handoff_detail(handoff_id: str, agent: AgentDep, desk: DeskDep) -> HandoffDetail:
    """The handoff (summary, priority, state) and every message of its conversation."""
    return desk.detail(handoff_id=handoff_id, agent=agent)


@handoff_router.post("/v1/agent/handoffs/{handoff_id}/claim", response_model=HandoffView)
def claim(handoff_id: str, agent: AgentDep, desk: DeskDep) -> HandoffView:
    """Take the conversation over; from now on you answer the customer."""
    return desk.claim(handoff_id=handoff_id, agent=agent)


@handoff_router.post("/v1/agent/handoffs/{handoff_id}/reply", status_code=status.HTTP_201_CREATED, response_model=MessageView)
def reply(handoff_id: str, body: ReplyRequest, agent: AgentDep, desk: DeskDep) -> MessageView:
    """Write to the customer (only while you hold the handoff)."""
    return desk.reply(handoff_id=handoff_id, agent=agent, content=body.content)


@handoff_router.post("/v1/agent/handoffs/{handoff_id}/resolve", response_model=HandoffView)
def resolve(handoff_id: str, agent: AgentDep, desk: DeskDep, body: Annotated[CloseRequest | None, Body()] = None) -> HandoffView:
    """Close the handoff and end the conversation."""
    return desk.resolve(handoff_id=handoff_id, agent=agent, note=body.note if body else None)


@handoff_router.post("/v1/agent/handoffs/{handoff_id}/hand-back", response_model=HandoffView)
def hand_back(
    handoff_id: str, agent: AgentDep, desk: DeskDep, body: Annotated[CloseRequest | None, Body()] = None
) -> HandoffView:
    """Give the conversation back to the assistant, which answers the customer's next message."""
    return desk.hand_back(
        handoff_id=handoff_id, agent=agent, note=body.note if body else None, message=body.message if body else None
    )


@handoff_router.post("/v1/agent/handoffs/{handoff_id}/approve", response_model=ApprovalOutcome)
async def approve(handoff_id: str, agent: AgentDep, desk: DeskDep) -> ApprovalOutcome:
    """Approve the write that waits for approval (a refund over the limit): it runs now, once, and the customer is told."""
    return await desk.approve(handoff_id=handoff_id, agent=agent)


@handoff_router.post("/v1/agent/handoffs/{handoff_id}/decline", response_model=ApprovalOutcome)
async def decline(
    handoff_id: str, agent: AgentDep, desk: DeskDep, body: Annotated[DeclineRequest | None, Body()] = None
) -> ApprovalOutcome:
    """Refuse the write that waits for approval; nothing changes, and the customer is told (with your reason)."""
    return await desk.decline(handoff_id=handoff_id, agent=agent, reason=body.reason if body else None)
