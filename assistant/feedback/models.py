"""Feedback at the boundary: what customers and agents send, and what they get back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Thumb = Literal["up", "down"]
COMMENT_MAX = 2000
ANSWER_MAX = 8000


def _clean(text: str | None) -> str | None:
    """Surrounding blanks removed; an empty comment is no comment."""
    if text is None:
        return None
    text = text.strip()
    return text or None


class RatingRequest(BaseModel):
    """A customer's thumb on one of the assistant's answers."""

    model_config = ConfigDict(extra="forbid")

    thumb: Thumb = Field(description="`up` (helpful) or `down` (not helpful).")
    comment: str | None = Field(None, max_length=COMMENT_MAX, description="What was good or wrong, in the customer's words.")

    _clean_comment = field_validator("comment")(_clean)


class CsatRequest(BaseModel):
    """A customer's satisfaction with the whole conversation."""

    model_config = ConfigDict(extra="forbid")

    # strict: "5" or 4.5 are refused rather than coerced, so what is stored is what the widget meant.
    score: int = Field(ge=1, le=5, strict=True, description="1 (very unsatisfied) to 5 (very satisfied).")
    comment: str | None = Field(None, max_length=COMMENT_MAX, description="Optional free text.")

    _clean_comment = field_validator("comment")(_clean)


class CorrectionRequest(BaseModel):
    """An agent's flag on a bad answer, with the answer that should have been given."""

    model_config = ConfigDict(extra="forbid")

    correct_answer: str = Field(min_length=1, max_length=ANSWER_MAX, description="The answer the customer should have got.")
    note: str | None = Field(None, max_length=COMMENT_MAX, description="Why the answer was wrong (for reviewers).")

    _clean_note = field_validator("note")(_clean)

    @field_validator("correct_answer")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        text = text.strip()
        if not text:
            raise ValueError("the corrected answer is empty")
        return text


class PublishRequest(BaseModel):
    """Optional edits when a correction becomes a knowledge-base document."""

    model_config = ConfigDict(extra="forbid")

    question: str | None = Field(
        None,
        max_length=COMMENT_MAX,
        description="The question as the document should state it (default: the customer's message, personal data removed).",
    )

    _clean_question = field_validator("question")(_clean)


class RatingView(BaseModel):
    message_id: int
    conversation_id: str
    thumb: Thumb
    comment: str | None = None
    created_at: datetime
    replaced: Thumb | None = Field(None, description="The thumb this rating replaced, if the answer was rated before.")


class CsatView(BaseModel):
    conversation_id: str
    score: int
    comment: str | None = None
    created_at: datetime
    replaced: int | None = Field(None, description="The score this rating replaced, if the conversation was rated before.")


class CorrectionView(BaseModel):
    id: str
    conversation_id: str
    message_id: int
    agent_id: str
    question: str
    original_answer: str
    correct_answer: str
    note: str | None = None
    status: Literal["open", "published"]
    document_id: str | None = None
    published_by: str | None = None
    published_at: datetime | None = None
    created_at: datetime


class ConversationFeedback(BaseModel):
    """Everything said about one conversation: the current thumbs, the current CSAT and the corrections."""

    conversation_id: str
    ratings: list[RatingView] = Field(default_factory=list, description="The latest thumb of each rated answer.")
    csat: CsatView | None = None
    corrections: list[CorrectionView] = Field(default_factory=list)
