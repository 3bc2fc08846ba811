"""The service's figures over a set of conversations, in total and per group (time bucket, channel, ...).

Each figure is grouped by its own record's value of the key: conversation figures
(conversations, resolution, transfer, CSAT) by the conversation's, turn figures
(messages, latency, tokens, sentiment, tool calls, thumbs) by the turn's, an agent's
message by its own time or else its conversation's. A conversation's language and prompt
version are its first turn's; its intent is that of its first message that is not small
talk (`definitions.opening_turn_intent`). Time buckets are in the shop's time zone (its profile's `time_zone`).
Percentiles interpolate linearly between the closest ranks (numpy's default).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.analytics.definitions import (
    Definitions,
    is_finished,
    is_resolved,
    is_transferred,
    opening_turn_intent,
    reopen_window_running,
    transfer_reason,
)
from assistant.analytics.records import ConversationFacts, TurnFacts

GroupBy = Literal["none", "day", "hour", "channel", "language", "intent", "prompt_version"]
GROUP_BY: tuple[GroupBy, ...] = ("none", "day", "hour", "channel", "language", "intent", "prompt_version")
SENTIMENTS = ("negative", "neutral", "positive")
UNKNOWN = "unknown"


class Percentiles(BaseModel):
    count: int = 0
    p50: float | None = None
    p95: float | None = None


class MessageCounts(BaseModel):
    customer: int = 0
    assistant: int = 0
    agent: int = 0
    total: int = 0


class Resolution(BaseModel):
    finished: int = Field(0, description="Finished conversations with at least one customer message (the denominator).")
    resolved: int = 0
    rate: float | None = None
    pending_reopen_window: int = Field(0, description="Resolved ones whose reopen window is still running.")


class Transfer(BaseModel):
    conversations: int = Field(0, description="Conversations with at least one customer message (the denominator).")
    transferred: int = 0
    rate: float | None = None
    reasons: dict[str, int] = Field(default_factory=dict)


class Tokens(BaseModel):
    prompt: int = 0
    completion: int = 0
    estimated_cost: float = 0.0


class Csat(BaseModel):
    count: int = 0
    mean: float | None = None
    distribution: dict[str, int] = Field(default_factory=lambda: {str(score): 0 for score in range(1, 6)})


class Thumbs(BaseModel):
    up: int = 0
    down: int = 0


class Sentiment(BaseModel):
    counts: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(SENTIMENTS, 0))
    shares: dict[str, float | None] = Field(default_factory=lambda: dict.fromkeys(SENTIMENTS))


class ToolCalls(BaseModel):
    total: int = 0
    failed: int = 0
    failure_rate: float | None = None


class GroupMetrics(BaseModel):
    key: str
    conversations: int = 0
    messages: MessageCounts = Field(default_factory=MessageCounts)
    resolution: Resolution = Field(default_factory=Resolution)
    transfer: Transfer = Field(default_factory=Transfer)
    first_response_seconds: Percentiles = Field(default_factory=Percentiles)
    turn_seconds: Percentiles = Field(default_factory=Percentiles)
    tokens: Tokens = Field(default_factory=Tokens)
    csat: Csat = Field(default_factory=Csat)
    thumbs: Thumbs = Field(default_factory=Thumbs)
    sentiment: Sentiment = Field(default_factory=Sentiment)
    tool_calls: ToolCalls = Field(default_factory=ToolCalls)


class MetricsReport(BaseModel):
    group_by: GroupBy
    total: GroupMetrics
    groups: list[GroupMetrics]


def percentiles(values: Iterable[float]) -> Percentiles:
    data = np.asarray(list(values), dtype=float)
    if data.size == 0:
        return Percentiles()
    p50, p95 = np.percentile(data, [50, 95])
    return Percentiles(count=int(data.size), p50=float(p50), p95=float(p95))


def compute_metrics(
    conversations: Iterable[ConversationFacts],
    definitions: Definitions,
    *,
    group_by: GroupBy = "none",
    period: tuple[datetime, datetime] | None = None,
) -> MetricsReport:
    """Totals and per-group figures; with a time grouping and a `period`, empty buckets are listed too."""
    conversations = list(conversations)
    total = _Accumulator("all", definitions)
    groups: dict[str, _Accumulator] = {}

    def group(key: str) -> _Accumulator:
        if key not in groups:
            groups[key] = _Accumulator(key, definitions)
        return groups[key]

    for conversation in conversations:
        total.add_conversation(conversation)
        for turn in conversation.turns:
            total.add_turn(turn)
        total.add_agent_messages(len(conversation.agent_message_times))
        if group_by == "none":
            continue
        group(_conversation_key(conversation, group_by, definitions)).add_conversation(conversation)
        for turn in conversation.turns:
            group(_turn_key(conversation, turn, group_by, definitions)).add_turn(turn)
        for written_at in conversation.agent_message_times:
            group(_agent_message_key(conversation, written_at, group_by, definitions)).add_agent_messages(1)
    if group_by in ("day", "hour") and period is not None:
        for key in _time_buckets(period, group_by, definitions):
            group(key)
    return MetricsReport(group_by=group_by, total=total.result(), groups=[groups[key].result() for key in sorted(groups)])


class _Accumulator:
    def __init__(self, key: str, definitions: Definitions) -> None:
        self.key = key
        self.definitions = definitions
        self.conversations = 0
        self.with_turns = 0
        self.finished = 0
        self.resolved = 0
        self.pending = 0
        self.transferred = 0
        self.reasons: Counter[str] = Counter()
        self.csat: list[int] = []
        self.customer = self.assistant = self.agent = 0
        self.first_response: list[float] = []
        self.turn_seconds: list[float] = []
        self.tokens_in = self.tokens_out = 0
        self.thumbs: Counter[str] = Counter()
        self.sentiment: Counter[str] = Counter()
        self.tool_calls = self.tool_failures = 0

    def add_conversation(self, conversation: ConversationFacts) -> None:
        self.conversations += 1
        if conversation.csat is not None:
            self.csat.append(conversation.csat)
        if not conversation.turns:
            return
        self.with_turns += 1
        if is_transferred(conversation):
            self.transferred += 1
            self.reasons[transfer_reason(conversation) or "unspecified"] += 1
        if is_finished(conversation, self.definitions):
            self.finished += 1
            if is_resolved(conversation, self.definitions):
                self.resolved += 1
                self.pending += reopen_window_running(conversation, self.definitions)

    def add_turn(self, turn: TurnFacts) -> None:
        self.customer += 1
        self.assistant += turn.replied
        if turn.first_token_seconds is not None:
            self.first_response.append(turn.first_token_seconds)
        self.turn_seconds.append(turn.seconds)
        self.tokens_in += turn.tokens_in
        self.tokens_out += turn.tokens_out
        if turn.thumb:
            self.thumbs[turn.thumb] += 1
        if turn.sentiment in SENTIMENTS:
            self.sentiment[turn.sentiment] += 1
        self.tool_calls += turn.tool_calls
        self.tool_failures += turn.tool_failures

    def add_agent_messages(self, count: int) -> None:
        self.agent += count

    def result(self) -> GroupMetrics:
        d = self.definitions
        cost = self.tokens_in / 1000 * d.price_in_per_1k + self.tokens_out / 1000 * d.price_out_per_1k
        sentiment_total = sum(self.sentiment.values())
        distribution = Counter(self.csat)
        return GroupMetrics(
            key=self.key,
            conversations=self.conversations,
            messages=MessageCounts(
                customer=self.customer, assistant=self.assistant, agent=self.agent,
                total=self.customer + self.assistant + self.agent,
            ),
            resolution=Resolution(
                finished=self.finished, resolved=self.resolved, rate=_ratio(self.resolved, self.finished),
                pending_reopen_window=self.pending,
            ),
            transfer=Transfer(
                conversations=self.with_turns, transferred=self.transferred, rate=_ratio(self.transferred, self.with_turns),
                reasons=dict(sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))),
            ),
            first_response_seconds=percentiles(self.first_response),
            turn_seconds=percentiles(self.turn_seconds),
            tokens=Tokens(prompt=self.tokens_in, completion=self.tokens_out, estimated_cost=round(cost, 6)),
            csat=Csat(
                count=len(self.csat),
                mean=float(np.mean(self.csat)) if self.csat else None,
                distribution={str(score): distribution.get(score, 0) for score in range(1, 6)},
            ),
            thumbs=Thumbs(up=self.thumbs["up"], down=self.thumbs["down"]),
            sentiment=Sentiment(
                counts={label: self.sentiment[label] for label in SENTIMENTS},
                shares={label: _ratio(self.sentiment[label], sentiment_total) for label in SENTIMENTS},
            ),
            tool_calls=ToolCalls(
                total=self.tool_calls, failed=self.tool_failures, failure_rate=_ratio(self.tool_failures, self.tool_calls)
            ),
        )  # fmt: skip


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def time_key(moment: datetime, group_by: GroupBy, definitions: Definitions) -> str:
    local = moment.astimezone(definitions.timezone)
    return local.strftime("%Y-%m-%d") if group_by == "day" else local.strftime("%Y-%m-%dT%H:00")


def _time_buckets(period: tuple[datetime, datetime], group_by: GroupBy, definitions: Definitions) -> list[str]:
    start, end = period
    step = timedelta(days=1) if group_by == "day" else timedelta(hours=1)
    keys, moment = [], start
    while moment < end:
        keys.append(time_key(moment, group_by, definitions))
        moment += step
    if end > start:
        keys.append(time_key(end - timedelta(microseconds=1), group_by, definitions))
    return keys


def _conversation_key(conversation: ConversationFacts, group_by: GroupBy, definitions: Definitions) -> str:
    if group_by in ("day", "hour"):
        return time_key(conversation.created_at, group_by, definitions)
    if group_by == "channel":
        return conversation.channel
    first = min(conversation.turns, key=lambda turn: turn.created_at) if conversation.turns else None
    if group_by == "intent":
        return opening_turn_intent(conversation) or UNKNOWN
    if group_by == "language":
        return first.language if first else UNKNOWN
    return first.prompt_version if first else UNKNOWN  # prompt_version


def _turn_key(conversation: ConversationFacts, turn: TurnFacts, group_by: GroupBy, definitions: Definitions) -> str:
    if group_by in ("day", "hour"):
        return time_key(turn.created_at, group_by, definitions)
    if group_by == "channel":
        return conversation.channel
    if group_by == "intent":
        return turn.intent or UNKNOWN
    if group_by == "language":
        return turn.language or UNKNOWN
    return turn.prompt_version or UNKNOWN


def _agent_message_key(conversation: ConversationFacts, written_at: datetime, group_by: GroupBy, definitions: Definitions) -> str:
    if group_by in ("day", "hour"):
        return time_key(written_at, group_by, definitions)
    return _conversation_key(conversation, group_by, definitions)
