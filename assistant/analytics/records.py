"""Plain records the analytics read: one conversation with what happened in it, flattened from the tables.

`repository.py` loads them from the database; tests build them by hand, so every metric
definition can be checked against figures computed on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TurnFacts:
    """One customer message and what the assistant did with it."""

    id: str
    created_at: datetime
    prompt_version: str = "v1"
    language: str = "en"
    route: str = "answer"
    status: str = "ok"  # ok | failed
    # answered | unanswered (no knowledge, a write that failed) | failed | handoff | waiting (for a human)
    outcome: str = "answered"
    seconds: float = 0.0
    first_token_seconds: float | None = None
    intent: str | None = None
    sentiment: str | None = None  # negative | neutral | positive
    sentiment_score: float | None = None
    escalated: bool = False
    escalation_reason: str | None = None
    signals: tuple[str, ...] = ()  # rule signals of the customer's message: small_talk, complaint, ...
    text: str = ""
    replied: bool = True  # an assistant message was stored (not when the turn waits for a human)
    tokens_in: int = 0
    tokens_out: int = 0
    tool_calls: int = 0
    tool_failures: int = 0
    # Best cosine similarity of the retrieved knowledge (None: nothing was retrieved in the turn).
    best_dense_score: float | None = None
    thumb: str | None = None  # the latest thumb on the turn's answer: up | down

    @property
    def small_talk(self) -> bool:
        return "small_talk" in self.signals


@dataclass(frozen=True)
class HandoffFacts:
    id: str
    reason: str
    status: str  # queued | assigned | claimed | resolved | returned
    created_at: datetime


@dataclass(frozen=True)
class ConversationFacts:
    id: str
    created_at: datetime
    customer_id: str = "customer"
    shop: str = "shop"
    channel: str = "api"
    status: str = "open"  # open | ended
    ended_at: datetime | None = None
    turns: tuple[TurnFacts, ...] = ()
    handoffs: tuple[HandoffFacts, ...] = ()
    agent_message_times: tuple[datetime, ...] = ()
    csat: int | None = None  # the latest score, 1..5
    # When the same customer (same shop) started their next conversation, if ever.
    next_contact_at: datetime | None = None

    @property
    def last_activity_at(self) -> datetime:
        times = [self.created_at, *(turn.created_at for turn in self.turns), *self.agent_message_times]
        return max(times)

    @property
    def finished_at(self) -> datetime:
        """When the conversation ended: its end, or else its last message."""
        return self.ended_at or self.last_activity_at
