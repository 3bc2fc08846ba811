"""Drafted replies for human agents (`Authorization: Bearer <agent token>`).

- `POST /v1/agent/drafts` `{"conversation_id"}` or `{"ticket_text", "customer_id"?}`, optional
  `"tones": ["concise" | "empathetic" | "formal", ...]` (default concise) → 201, the draft: one variant per
  tone in the customer's language, its sources, the customer's context and the suggested next actions.
- `GET /v1/agent/drafts/{id}` → the draft, with what was sent and what the actions did.
- `POST /v1/agent/drafts/{id}/send` `{"text", "tone"}` → the draft with `sent` (edited or not, similarity to the
  variant); a conversation's draft is posted to the conversation as the agent's message.
- `POST /v1/agent/drafts/{id}/actions/{index}/run` → the action, executed once with the agent's approval.

An agent drafts for their own shop: another shop's conversation or draft is 404, exactly like a missing one.

Errors are `{"error": reason, "message": text}`: 401 (token), 404 (unknown draft, conversation or action),
409 (`already_sent`, `action_done`, `conversation_ended`), 422 (bad body: neither or both of conversation and
ticket, an empty ticket, an unknown tone, empty text), 503 (the model or the commerce service is down).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status

from assistant.drafts.models import DraftRequest, DraftView, SendRequest, SuggestedAction
from assistant.drafts.service import DraftService
from assistant.server.agents.auth import AgentDep
from assistant.server.body import parse_body

drafts_router = APIRouter(prefix="/v1/agent/drafts", tags=["drafts"])


def _service(request: Request) -> DraftService:
    return request.app.state.draft_service  # type: ignore[no-any-return]


ServiceDep = Annotated[DraftService, Depends(_service)]


def _body(model: type[DraftRequest] | type[SendRequest]) -> dict[str, Any]:
    # The body is parsed by the service's models (clear 422 messages), so its schema is declared for the docs here.
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


@drafts_router.post("", status_code=status.HTTP_201_CREATED, response_model=DraftView, openapi_extra=_body(DraftRequest))
async def create_draft(request: Request, agent: AgentDep, service: ServiceDep) -> DraftView:
    """Draft a reply to a conversation or a pasted ticket."""
    body = DraftRequest.parse(parse_body(await request.body()))
    return await service.create(body, agent=agent)


@drafts_router.get("/{draft_id}", response_model=DraftView)
async def get_draft(draft_id: str, agent: AgentDep, service: ServiceDep) -> DraftView:
    return await service.get(draft_id, agent=agent)


@drafts_router.post("/{draft_id}/send", response_model=DraftView, openapi_extra=_body(SendRequest))
async def send_draft(draft_id: str, request: Request, agent: AgentDep, service: ServiceDep) -> DraftView:
    """Record what the agent sends (edited or not) and post it to the draft's conversation."""
    body = SendRequest.parse(parse_body(await request.body()))
    return await service.send(draft_id, body, agent=agent)


@drafts_router.post("/{draft_id}/actions/{index}/run", response_model=SuggestedAction)
async def run_action(draft_id: str, index: int, agent: AgentDep, service: ServiceDep) -> SuggestedAction:
    """Run a suggested action: the agent's call is the approval; it runs once."""
    return await service.run_action(draft_id, index, agent=agent)
