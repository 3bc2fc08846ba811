"""What drafted replies for human agents are made of: the request, the draft with its context, and what was sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import BadInputError

Tone = Literal["concise", "empathetic", "formal"]
DEFAULT_TONES: tuple[Tone, ...] = ("concise",)
ActionStatus = Literal["suggested", "executing", "executed", "failed"]
MAX_TICKET_CHARS = 8000


class DraftRequest(BaseModel):
    """Draft a reply to a conversation of the assistant, or to a ticket pasted by the agent."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str | None = Field(default=None, min_length=1, max_length=64, description="A conversation of the assistant.")
    ticket_text: str | None = Field(
        default=None, max_length=MAX_TICKET_CHARS, description="A pasted ticket (e-mail, form, chat log)."
    )
    customer_id: str | None = Field(
        None, min_length=1, max_length=200, description="The ticket's customer; a conversation's customer is its own."
    )
    tones: list[Tone] = Field(
        default_factory=lambda: list(DEFAULT_TONES), min_length=1, description="One reply variant per tone."
    )

    @field_validator("tones")
    @classmethod
    def _distinct(cls, tones: list[Tone]) -> list[Tone]:
        return list(dict.fromkeys(tones))  # a tone asked twice is drafted once

    @model_validator(mode="after")
    def _one_subject(self) -> DraftRequest:
        if self.ticket_text is not None:
            self.ticket_text = self.ticket_text.strip()
            if not self.ticket_text:
                raise ValueError("ticket_text is empty")
        if (self.conversation_id is None) == (self.ticket_text is None):
            raise ValueError("give either conversation_id or ticket_text (exactly one)")
        if self.conversation_id is not None and self.customer_id is not None:
            raise ValueError("customer_id is for tickets only: a conversation's customer is the conversation's own")
        return self

    @classmethod
    def parse(cls, body: Any) -> DraftRequest:
        """The request from a JSON body, or a BadInputError that says what is wrong, field by field."""
        try:
            return cls.model_validate(body)
        except ValidationError as exc:
            raise BadInputError(_describe(exc), reason="bad_draft_request") from None


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="What the agent sends: the drafted variant as it is, or edited.")
    tone: Tone = Field(description="The variant the agent started from.")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the text to send is empty")
        return text.strip()

    @classmethod
    def parse(cls, body: Any) -> SendRequest:
        try:
            return cls.model_validate(body)
        except ValidationError as exc:
            raise BadInputError(_describe(exc), reason="bad_send_request") from None


class Variant(BaseModel):
    tone: Tone
    text: str
    facts_appended: bool = Field(
        False, description="The model's text lacked the order facts or a source marker: a fact line was added."
    )
    model_seconds: float = Field(default=0.0, description="Time the model took to write it (queue wait included).")
    model_text: str = Field(default="", description="What the model wrote, before the checks (kept to improve drafts).")
    fallback: bool = Field(
        False, description="The model's text was unusable (a refusal, its input repeated): a fixed reply replaced it."
    )


class Source(BaseModel):
    """A knowledge-base document the draft relies on; `[n]` in the text refers to the n-th source."""

    document_id: str
    chunk_id: str
    title: str
    snippet: str
    source: str | None = None


class OrderFacts(BaseModel):
    order_id: str
    status: str
    items: list[str]
    total: float
    currency: str
    tracking_ids: list[str] = Field(default_factory=list)
    shipments: list[dict[str, Any]] = Field(default_factory=list, description="Carrier, status and ETA of each shipment.")


class PreviousContact(BaseModel):
    kind: Literal["conversation", "handoff", "note", "ticket"]
    id: str
    at: str | None = None
    status: str | None = None
    summary: str = ""


class CustomerContext(BaseModel):
    customer_id: str | None = None
    profile: dict[str, Any] | None = Field(default=None, description="Name, e-mail, phone, address, tags, payment methods.")
    recent_orders: list[OrderFacts] = Field(default_factory=list)
    previous_contacts: list[PreviousContact] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="What could not be gathered, and why.")


class SuggestedAction(BaseModel):
    """A tool run the agent may approve; write tools were checked against the policy when suggested."""

    tool: str
    arguments: dict[str, Any]
    description: str
    reason: str
    kind: Literal["read", "write"]
    needs_approval: bool = Field(
        default=False, description="A refund over the approval limit: running it is the agent's approval."
    )
    status: ActionStatus = "suggested"
    result: Any = None
    error: str | None = None
    run_by: str | None = None
    run_at: datetime | None = None


class Sent(BaseModel):
    text: str
    tone: Tone
    edited: bool
    similarity: float = Field(ge=0, le=1, description="How close the sent text is to the drafted variant (difflib ratio).")
    sent_by: str
    sent_at: datetime
    message_id: int | None = Field(default=None, description="The agent message posted to the conversation.")


class DraftView(BaseModel):
    id: str
    shop: str = Field(description="The shop of its conversation (or of the agent who pasted the ticket).")
    conversation_id: str | None
    ticket_text: str | None
    customer_id: str | None
    language: Literal["en", "zh"]
    prompt_version: str
    variants: list[Variant]
    sources: list[Source]
    customer_context: CustomerContext
    suggested_actions: list[SuggestedAction]
    created_by: str
    created_at: datetime
    seconds: float = Field(description="Time taken to draft.")
    sent: Sent | None = None


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{location}: {message}" if location else message)
    return "; ".join(lines)
