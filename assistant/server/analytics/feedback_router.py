"""Feedback endpoints.

Customers (shop key + `X-Customer-Id`, as for the chat API):
- `POST /v1/conversations/{id}/messages/{message_id}/rating` `{"thumb": "up"|"down", "comment"?: "..."}` → 201,
  the rating. Only the assistant's answers of the customer's own conversations; rating again replaces the
  thumb (the earlier one is kept as history and named in `replaced`).
- `POST /v1/conversations/{id}/csat` `{"score": 1..5, "comment"?: "..."}` → 201. One score per conversation:
  rating again replaces it (kept as history, named in `replaced`). Ended conversations can be rated.

Agents (`Authorization: Bearer <agent token>`; their own shop's conversations and corrections only):
- `POST /v1/agent/messages/{message_id}/correction` `{"correct_answer": "...", "note"?: "..."}` → 201.
- `GET /v1/agent/corrections?status=open|published` → the latest corrections.
- `POST /v1/agent/corrections/{id}/publish` `{"question"?: "..."}` → the knowledge-base document it became
  (ingested at once into the shop's own collection, so retrieval finds it). 409 `already_published` the second time.
- `GET /v1/agent/conversations/{id}/feedback` → current thumbs, CSAT and corrections of a conversation.

Errors: `{"error": reason, "message": text}`: 401, 404 (unknown or another customer's conversation or
message), 422 `bad_feedback` / `bad_json` / `not_an_answer` / `bad_id`, 409 `already_published`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from assistant.errors import BadInputError
from assistant.feedback.models import ConversationFeedback, CorrectionView, CsatView, RatingView
from assistant.feedback.publish import PublishedCorrection
from assistant.server.agents.auth import AgentDep
from assistant.server.analytics.feedback_service import FeedbackService
from assistant.server.chat.auth import CallerDep


def _service(request: Request) -> FeedbackService:
    return request.app.state.feedback_service  # type: ignore[no-any-return]


ServiceDep = Annotated[FeedbackService, Depends(_service)]
customer_feedback_router = APIRouter(prefix="/v1/conversations", tags=["feedback"])
agent_feedback_router = APIRouter(prefix="/v1/agent", tags=["feedback"])


def message_number(text: str) -> int:
    if not text.isdigit():
        raise BadInputError(f"message ids are whole numbers, not {text!r}", reason="bad_id")
    return int(text)


def _body(schema: dict[str, object]) -> dict[str, object]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


RATING_BODY = _body(
    {"type": "object", "required": ["thumb"], "properties": {"thumb": {"enum": ["up", "down"]}, "comment": {"type": "string"}}}
)
CSAT_BODY = _body(
    {
        "type": "object",
        "required": ["score"],
        "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": "string"}},
    }
)
CORRECTION_BODY = _body(
    {
        "type": "object",
        "required": ["correct_answer"],
        "properties": {"correct_answer": {"type": "string"}, "note": {"type": "string"}},
    }
)


@customer_feedback_router.post(
    "/{conversation_id}/messages/{message_id}/rating", status_code=201, response_model=RatingView,
    summary="Rate an answer (thumbs)", openapi_extra=RATING_BODY,
)  # fmt: skip
async def rate_message(
    conversation_id: str, message_id: str, request: Request, caller: CallerDep, service: ServiceDep
) -> RatingView:
    return await service.rate_message(caller, conversation_id, message_number(message_id), await request.body())


@customer_feedback_router.post(
    "/{conversation_id}/csat", status_code=201, response_model=CsatView, summary="Rate the conversation (CSAT 1-5)",
    openapi_extra=CSAT_BODY,
)  # fmt: skip
async def rate_conversation(conversation_id: str, request: Request, caller: CallerDep, service: ServiceDep) -> CsatView:
    return await service.rate_conversation(caller, conversation_id, await request.body())


@agent_feedback_router.post(
    "/messages/{message_id}/correction", status_code=201, response_model=CorrectionView,
    summary="Flag a bad answer with the correct one", openapi_extra=CORRECTION_BODY,
)  # fmt: skip
async def correct_answer(message_id: str, request: Request, agent: AgentDep, service: ServiceDep) -> CorrectionView:
    return await service.correct(agent, message_number(message_id), await request.body())


@agent_feedback_router.get("/corrections", response_model=list[CorrectionView], summary="Answer corrections, newest first")
async def list_corrections(agent: AgentDep, service: ServiceDep, status: str | None = None) -> list[CorrectionView]:
    return await service.corrections(agent, status)


@agent_feedback_router.post(
    "/corrections/{correction_id}/publish", response_model=PublishedCorrection,
    summary="Turn a correction into a knowledge-base document",
)  # fmt: skip
async def publish_correction(correction_id: str, request: Request, agent: AgentDep, service: ServiceDep) -> PublishedCorrection:
    return await service.publish(agent, correction_id, await request.body())


@agent_feedback_router.get(
    "/conversations/{conversation_id}/feedback", response_model=ConversationFeedback, summary="Feedback on a conversation"
)
async def conversation_feedback(conversation_id: str, agent: AgentDep, service: ServiceDep) -> ConversationFeedback:
    return await service.conversation_feedback(agent, conversation_id)
