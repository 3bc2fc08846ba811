"""Inputs and output of the escalation decision made on every turn."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.settings import EscalationReason
from assistant.understanding.models import Understanding

TurnOutcome = Literal["answered", "failed", "pending"]


class PastTurn(BaseModel):
    """An earlier customer turn: what was understood, and whether the assistant managed to help."""

    understanding: Understanding
    outcome: TurnOutcome = Field(
        "answered", description="`failed`: no answer, a tool error or an 'I don't know' reply; `pending`: not known yet."
    )


class EscalationInput(BaseModel):
    """Everything the decision reads for one turn; the caller fills what it knows."""

    current: Understanding
    history: list[PastTurn] = Field(default_factory=list, description="Earlier customer turns, oldest first.")
    current_outcome: TurnOutcome = Field("pending", description="Set to `failed` when deciding after a failed answer.")
    policy_question: bool = Field(False, description="This turn was answered from the knowledge base.")
    retrieval_confidence: float | None = Field(None, description="Best retrieval score of this turn (policy questions).")
    customer_tags: set[str] = Field(default_factory=set, description="CRM profile tags (e.g. `vip`).")


class Trigger(BaseModel):
    """One reason that fired, with how sure the rule is."""

    reason: EscalationReason
    confidence: float = Field(ge=0, le=1)
    explanation: str


class EscalationDecision(BaseModel):
    """Whether this conversation goes to a human now, and why."""

    escalate: bool
    reason: EscalationReason | None = Field(
        None, description="The first enabled reason that fired; None when not escalating or forced by the reply alone."
    )
    confidence: float = Field(ge=0, le=1, description="Confidence in the decision (to escalate, or not to).")
    explanation: str
    triggers: list[Trigger] = Field(default_factory=list, description="Every reason that fired, in priority order.")
    reply_promised_transfer: bool = Field(False, description="Forced because the assistant's reply promised a human.")
