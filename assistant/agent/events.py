"""What a running turn reports: reply pieces as they are written, then the stored result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.conversations.records import ActionBrief, Citation, PendingConfirmation


class TurnResult(BaseModel):
    """The outcome of one turn, as stored."""

    conversation_id: str
    turn_id: str
    message_id: int | None = Field(None, description="Id of the stored reply (rate it with …/messages/{id}/rating).")
    customer_message_id: int | None = Field(None, description="Id of the stored customer message.")
    reply: str = Field(description="The full reply (authoritative, even when the streamed pieces differ).")
    language: Literal["en", "zh"]
    route: str
    status: Literal["ok", "failed"]
    citations: list[Citation]
    actions: list[ActionBrief]
    pending_confirmation: PendingConfirmation | None = Field(
        description="The first write waiting for the customer's yes (kept for clients that show one)."
    )
    pending_confirmations: list[PendingConfirmation] = Field(
        default_factory=list, description="Every write the reply asks to confirm, in the order it lists them."
    )
    handoff: bool = Field(
        description="The conversation is with the human queue: handed over in this turn, or already waiting for a person."
    )
    handoff_offered: bool = Field(False, description="The reply asked whether the customer wants a person; a yes hands over.")
    escalation_reason: str | None = Field(None, description="Why the conversation was handed over (escalation reason).")
    prompt_version: str


class TokenEvent(BaseModel):
    type: Literal["token"] = "token"
    text: str


class FinalEvent(BaseModel):
    type: Literal["final"] = "final"
    result: TurnResult


TurnEvent = TokenEvent | FinalEvent
