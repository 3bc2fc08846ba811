"""Customer ratings and agents' corrections: input checked here, stored by the feedback store."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from assistant.chat.service import Caller
from assistant.errors import BadInputError
from assistant.feedback.models import (
    ConversationFeedback,
    CorrectionRequest,
    CorrectionView,
    CsatRequest,
    CsatView,
    PublishRequest,
    RatingRequest,
    RatingView,
)
from assistant.feedback.publish import CorrectionPublisher, PublishedCorrection
from assistant.feedback.store import FeedbackStore
from assistant.handoff.models import AgentView
from assistant.server.body import parse_body

Body = TypeVar("Body", bound=BaseModel)


def read_body(raw: bytes, model: type[Body], *, optional: bool = False) -> Body:
    """The JSON body as `model`, or a 422 that names every field that is wrong."""
    if optional and not raw.strip():
        return model()
    data = parse_body(raw)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise BadInputError(problems, reason="bad_feedback") from None


class FeedbackService:
    def __init__(self, *, store: FeedbackStore, publisher: CorrectionPublisher) -> None:
        self._store = store
        self._publisher = publisher

    async def rate_message(self, caller: Caller, conversation_id: str, message_id: int, raw: bytes) -> RatingView:
        body = read_body(raw, RatingRequest)
        return await asyncio.to_thread(
            self._store.rate_message, shop=caller.shop, customer_id=caller.customer_id, conversation_id=conversation_id,
            message_id=message_id, thumb=body.thumb, comment=body.comment,
        )  # fmt: skip

    async def rate_conversation(self, caller: Caller, conversation_id: str, raw: bytes) -> CsatView:
        body = read_body(raw, CsatRequest)
        return await asyncio.to_thread(
            self._store.rate_conversation, shop=caller.shop, customer_id=caller.customer_id, conversation_id=conversation_id,
            score=body.score, comment=body.comment,
        )  # fmt: skip

    async def correct(self, agent: AgentView, message_id: int, raw: bytes) -> CorrectionView:
        body = read_body(raw, CorrectionRequest)
        return await asyncio.to_thread(
            self._store.add_correction, message_id=message_id, shop=agent.shop, agent_id=agent.id,
            correct_answer=body.correct_answer, note=body.note,
        )  # fmt: skip

    async def publish(self, agent: AgentView, correction_id: str, raw: bytes) -> PublishedCorrection:
        body = read_body(raw, PublishRequest, optional=True)
        # Embedding and writing the document take a while: off the event loop.
        return await asyncio.to_thread(
            self._publisher.publish, correction_id=correction_id, shop=agent.shop, agent_id=agent.id, question=body.question
        )

    async def corrections(self, agent: AgentView, status: str | None) -> list[CorrectionView]:
        if status not in (None, "open", "published"):
            raise BadInputError(f"status must be open or published, not {status!r}", reason="bad_status")
        return await asyncio.to_thread(self._store.list_corrections, shop=agent.shop, status=status)

    async def conversation_feedback(self, agent: AgentView, conversation_id: str) -> ConversationFeedback:
        return await asyncio.to_thread(self._store.conversation_feedback, conversation_id=conversation_id, shop=agent.shop)
