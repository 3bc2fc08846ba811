"""The customer profile an agent sees beside a conversation: the CRM record plus the assistant's own history.

Complaint-risk rule (README "Customer profile"): over the last `analytics.risk_window_days`,
these signals are checked, and the customer is flagged when at least
`analytics.risk_min_signals` of them hold together:
- `complaint`: a customer message classified as a complaint (intent in
  `analytics.complaint_intents`, or the complaint keyword signal);
- `negative_sentiment`: at least half of the last 10 customer messages with a sentiment are negative
  (and at least two are);
- `worsening_sentiment`: the sentiment trend is worsening (below);
- `open_handoff`: a handoff of the customer is queued, assigned or claimed;
- `repeat_contact`: `analytics.risk_repeat_contacts` or more conversations in the last 7 days;
- `complainer_tag`: the CRM tags the customer as a frequent complainer (`escalation.complainer_tags`).
Sentiment trend: over the last 10 customer messages with a sentiment score, the mean of the later
half minus the mean of the earlier half; ≤ -0.3 is worsening, ≥ 0.3 improving, else stable
(unknown under 4 messages).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.analytics.records import ConversationFacts, TurnFacts
from assistant.connectors.models import Customer

ACTIVE_HANDOFF = frozenset({"queued", "assigned", "claimed"})
SCORE_OF_LABEL = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
TREND_MESSAGES = 10
TREND_STEP = 0.3
Trend = Literal["improving", "stable", "worsening", "unknown"]


@dataclass(frozen=True)
class RiskRule:
    window: timedelta
    min_signals: int
    repeat_contacts: int
    complaint_intents: frozenset[str]
    complainer_tags: frozenset[str]


class ContactFrequency(BaseModel):
    conversations_7d: int
    conversations_30d: int
    conversations_in_window: int
    first_contact: datetime | None
    last_contact: datetime | None
    mean_days_between: float | None = Field(description="Mean days between the starts of consecutive conversations.")


class SentimentPoint(BaseModel):
    conversation_id: str
    started_at: datetime
    mean_score: float | None = Field(description="Mean sentiment score of the customer's messages, -1 .. 1.")


class OpenHandoff(BaseModel):
    id: str
    conversation_id: str
    status: str
    reason: str
    created_at: datetime


class ComplaintRisk(BaseModel):
    flagged: bool
    signals: list[str] = Field(description="The risk signals that hold (see the rule).")
    min_signals: int


class CustomerProfile(BaseModel):
    customer_id: str
    crm_status: Literal["ok", "not_found", "unavailable"]
    crm: Customer | None = None
    open_tickets: int | None = None
    contact: ContactFrequency
    intents: dict[str, int] = Field(description="Intents of the customer's messages in the window, most frequent first.")
    sentiment_trend: list[SentimentPoint]
    trend: Trend
    complaints: int
    open_handoffs: list[OpenHandoff]
    risk: ComplaintRisk


def score_of(turn: TurnFacts) -> float | None:
    if turn.sentiment_score is not None:
        return turn.sentiment_score
    return SCORE_OF_LABEL.get(turn.sentiment or "")


def is_complaint(turn: TurnFacts, complaint_intents: frozenset[str]) -> bool:
    return (turn.intent in complaint_intents) or "complaint" in turn.signals


def sentiment_trend(scores: Sequence[float]) -> Trend:
    recent = list(scores)[-TREND_MESSAGES:]
    if len(recent) < 4:
        return "unknown"
    half = len(recent) // 2
    change = float(np.mean(recent[half:]) - np.mean(recent[:half]))
    if change <= -TREND_STEP:
        return "worsening"
    if change >= TREND_STEP:
        return "improving"
    return "stable"


def build_profile(
    *,
    customer_id: str,
    conversations: Sequence[ConversationFacts],
    now: datetime,
    rule: RiskRule,
    crm: Customer | None,
    crm_status: Literal["ok", "not_found", "unavailable"],
    open_tickets: int | None = None,
) -> CustomerProfile:
    """Everything computed from the customer's conversations of the window (the caller loads them)."""
    conversations = sorted(conversations, key=lambda conversation: conversation.created_at)
    turns = [turn for conversation in conversations for turn in conversation.turns]
    starts = [conversation.created_at for conversation in conversations]
    gaps = np.diff([moment.timestamp() for moment in starts]) / 86400 if len(starts) > 1 else np.array([])
    contact = ContactFrequency(
        conversations_7d=sum(moment >= now - timedelta(days=7) for moment in starts),
        conversations_30d=sum(moment >= now - timedelta(days=30) for moment in starts),
        conversations_in_window=len(starts),
        first_contact=starts[0] if starts else None,
        last_contact=max((conversation.last_activity_at for conversation in conversations), default=None),
        mean_days_between=float(gaps.mean()) if gaps.size else None,
    )
    scores = [score for turn in turns if (score := score_of(turn)) is not None]
    labelled = [turn.sentiment for turn in turns if turn.sentiment][-TREND_MESSAGES:]
    trend = sentiment_trend(scores)
    complaints = sum(is_complaint(turn, rule.complaint_intents) for turn in turns)
    open_handoffs = [
        OpenHandoff(
            id=handoff.id, conversation_id=conversation.id, status=handoff.status, reason=handoff.reason,
            created_at=handoff.created_at,
        )
        for conversation in conversations
        for handoff in conversation.handoffs
        if handoff.status in ACTIVE_HANDOFF
    ]  # fmt: skip
    signals = []
    if complaints:
        signals.append("complaint")
    negatives = labelled.count("negative")
    if negatives >= 2 and negatives * 2 >= len(labelled):
        signals.append("negative_sentiment")
    if trend == "worsening":
        signals.append("worsening_sentiment")
    if open_handoffs:
        signals.append("open_handoff")
    if contact.conversations_7d >= rule.repeat_contacts:
        signals.append("repeat_contact")
    if crm is not None and rule.complainer_tags & set(crm.tags):
        signals.append("complainer_tag")
    return CustomerProfile(
        customer_id=customer_id,
        crm_status=crm_status,
        crm=crm,
        open_tickets=open_tickets,
        contact=contact,
        intents=dict(Counter(turn.intent for turn in turns if turn.intent).most_common()),
        sentiment_trend=[_sentiment_point(conversation) for conversation in conversations],
        trend=trend,
        complaints=complaints,
        open_handoffs=open_handoffs,
        risk=ComplaintRisk(flagged=len(signals) >= rule.min_signals, signals=signals, min_signals=rule.min_signals),
    )


def _sentiment_point(conversation: ConversationFacts) -> SentimentPoint:
    scores = [score for turn in conversation.turns if (score := score_of(turn)) is not None]
    return SentimentPoint(
        conversation_id=conversation.id,
        started_at=conversation.created_at,
        mean_score=round(float(np.mean(scores)), 3) if scores else None,
    )
