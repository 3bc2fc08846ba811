"""The definitions behind the figures, one small function each (README "Metric definitions" quotes them).

- A conversation is **finished** when it was ended, or when nothing was said in it for
  `analytics.idle_minutes` (as of the moment the figures are computed).
- It is **transferred** when a human took part or was asked for: it has a handoff record, a
  turn whose escalation decision escalated, or a turn whose outcome was a handoff or waiting for
  a human. Its transfer reason is the first handoff's reason, else the first escalated turn's.
- It is **reopened** when the same customer of the same shop started another conversation
  within `analytics.reopen_window_hours` after it finished.
- It is **resolved** when it is finished, has at least one customer message, was not
  transferred, no human agent wrote in it, its last turn was answered (outcome `answered`), and
  it was not reopened. While its reopen window is still running it counts on what is known so
  far, and is reported as `pending_reopen_window`, so a reader knows how many may still change.
- **Resolution rate** = resolved / finished conversations with at least one customer message.
- **Transfer rate** = transferred / conversations with at least one customer message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from assistant.analytics.records import ConversationFacts

TRANSFER_OUTCOMES = frozenset({"handoff", "waiting"})


@dataclass(frozen=True)
class Definitions:
    """The parameters of the definitions, and the moment they are evaluated at."""

    as_of: datetime
    idle: timedelta = timedelta(minutes=30)
    reopen_window: timedelta = timedelta(hours=24)
    price_in_per_1k: float = 0.0
    price_out_per_1k: float = 0.0
    timezone: tzinfo = UTC


def is_finished(conversation: ConversationFacts, definitions: Definitions) -> bool:
    if conversation.status == "ended":
        return True
    return definitions.as_of - conversation.last_activity_at >= definitions.idle


def is_transferred(conversation: ConversationFacts) -> bool:
    if conversation.handoffs:
        return True
    return any(turn.escalated or turn.outcome in TRANSFER_OUTCOMES for turn in conversation.turns)


def transfer_reason(conversation: ConversationFacts) -> str | None:
    if conversation.handoffs:
        return min(conversation.handoffs, key=lambda handoff: handoff.created_at).reason
    for turn in sorted(conversation.turns, key=lambda turn: turn.created_at):
        if turn.escalated or turn.outcome in TRANSFER_OUTCOMES:
            return turn.escalation_reason or "unspecified"
    return None


def is_reopened(conversation: ConversationFacts, definitions: Definitions) -> bool:
    if conversation.next_contact_at is None:
        return False
    return conversation.next_contact_at - conversation.finished_at <= definitions.reopen_window


def reopen_window_running(conversation: ConversationFacts, definitions: Definitions) -> bool:
    return definitions.as_of < conversation.finished_at + definitions.reopen_window


def is_resolved(conversation: ConversationFacts, definitions: Definitions) -> bool:
    if not conversation.turns or not is_finished(conversation, definitions):
        return False
    if is_transferred(conversation) or conversation.agent_message_times:
        return False
    last = max(conversation.turns, key=lambda turn: turn.created_at)
    if last.outcome != "answered" or last.status != "ok":
        return False
    return not is_reopened(conversation, definitions)


def opening_turn_intent(conversation: ConversationFacts) -> str | None:
    """What the customer came for: the intent of the first message that is not small talk."""
    turns = sorted(conversation.turns, key=lambda turn: turn.created_at)
    for turn in turns:
        if turn.intent and not turn.small_talk:
            return turn.intent
    return next((turn.intent for turn in turns if turn.intent), None)


def is_low_confidence(best_dense_score: float | None, threshold: float) -> bool:
    """The knowledge base had nothing close: something was retrieved, and even the best was under the threshold."""
    return best_dense_score is not None and best_dense_score < threshold
