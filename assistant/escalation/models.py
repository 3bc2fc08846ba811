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
        default="answered", description="`failed`: no answer, a tool error or an 'I don't know' reply; `pending`: not known yet."
    )


class EscalationInput(BaseModel):
    """Everything the decision reads for one turn; the caller fills what it knows."""

    current: Understanding
    text: str = Field(
        default="",
        description="The customer's message. The decision reads its finer rules from it (legal vs safety vs fraud, "
        "how often a rule matched, the message's length); without it, only the understanding's signals count.",
    )
    history: list[PastTurn] = Field(default_factory=list, description="Earlier customer turns, oldest first.")
    current_outcome: TurnOutcome = Field(default="pending", description="Set to `failed` when deciding after a failed answer.")
    policy_question: bool = Field(default=False, description="This turn was answered from the knowledge base.")
    retrieval_confidence: float | None = Field(default=None, description="Best retrieval score of this turn (policy questions).")
    customer_tags: set[str] = Field(default_factory=set, description="CRM profile tags (e.g. `vip`).")


class Trigger(BaseModel):
    """One reason that fired, with how sure the rule is."""

    reason: EscalationReason
    confidence: float = Field(ge=0, le=1)
    explanation: str
    kind: Literal["guarantee", "score", "rule"] = Field(
        default="rule",
        description="`guarantee`: hands over whatever the threshold (an explicit request); `score`: the message's "
        "calibrated probability reached the threshold; `rule`: a history or context rule with its own threshold.",
    )


class EscalationDecision(BaseModel):
    """Whether this conversation goes to a human now, and why."""

    escalate: bool
    reason: EscalationReason | None = Field(
        default=None, description="The first enabled reason that fired; None when not escalating or forced by the reply alone."
    )
    confidence: float = Field(ge=0, le=1, description="Confidence in the decision (to escalate, or not to).")
    explanation: str
    triggers: list[Trigger] = Field(default_factory=list, description="Every reason that fired, in priority order.")
    probability: float | None = Field(
        default=None, ge=0, le=1, description="The calibrated probability that this message needs a person (None: not scored)."
    )
    contributions: dict[str, float] = Field(
        default_factory=dict, description="Each message reason's share of the score (log-odds), largest first."
    )
    reply_promised_transfer: bool = Field(default=False, description="Forced because the assistant's reply promised a human.")
