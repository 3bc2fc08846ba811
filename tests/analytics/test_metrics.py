"""Metric definitions on hand-made conversations whose figures were worked out on paper (see each comment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.analytics.definitions import Definitions, is_finished, is_reopened, is_resolved, is_transferred, transfer_reason
from assistant.analytics.metrics import compute_metrics, percentiles
from assistant.analytics.records import ConversationFacts, HandoffFacts, TurnFacts

AS_OF = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
DEFS = Definitions(
    as_of=AS_OF, idle=timedelta(minutes=30), reopen_window=timedelta(hours=24), price_in_per_1k=0.5, price_out_per_1k=1.5
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def turn(moment: datetime, **fields: object) -> TurnFacts:
    return TurnFacts(id=f"t{moment.isoformat()}", created_at=moment, **fields)  # type: ignore[arg-type]


# c1: ended, answered, nobody came back → resolved (its reopen window still runs at AS_OF).
C1 = ConversationFacts(
    id="c1", customer_id="A", channel="api", status="ended", created_at=at(10, 9), ended_at=at(10, 9, 10),
    turns=(turn(at(10, 9), intent="check_refund_policy", first_token_seconds=1.0, seconds=2.0, sentiment="neutral",
                tokens_in=100, tokens_out=20, thumb="up"),),
)  # fmt: skip
# c2: open but idle since 08:00 → finished; customer B came back at 10:00 (c3), within 24 h → reopened.
C2 = ConversationFacts(
    id="c2", customer_id="B", channel="widget", created_at=at(10, 8), next_contact_at=at(10, 10),
    turns=(turn(at(10, 8), intent="track_order", first_token_seconds=2.0, seconds=4.0, sentiment="negative", tool_calls=1),),
)  # fmt: skip
# c3: a complaint handed to a human 10 minutes ago → transferred, not finished.
C3 = ConversationFacts(
    id="c3", customer_id="B", channel="widget", created_at=at(10, 10),
    turns=(turn(at(10, 11, 50), intent="complaint", first_token_seconds=3.0, seconds=6.0, sentiment="negative",
                escalated=True, escalation_reason="complaint", outcome="handoff", tool_calls=2, tool_failures=1),),
    handoffs=(HandoffFacts(id="h1", reason="complaint", status="queued", created_at=at(10, 11, 51)),),
)  # fmt: skip
# c4: a greeting, then a request the assistant could not answer → not resolved; CSAT 2.
C4 = ConversationFacts(
    id="c4", customer_id="C", channel="api", status="ended", created_at=at(9, 15), ended_at=at(9, 15, 30), csat=2,
    turns=(
        turn(at(9, 15), intent="greeting", signals=("small_talk",), first_token_seconds=0.5, seconds=1.0,
             sentiment="positive", tokens_in=50, tokens_out=10),
        turn(at(9, 15, 5), intent="cancel_order", outcome="unanswered", first_token_seconds=1.5, seconds=3.0,
             sentiment="neutral", tokens_in=200, tokens_out=40, thumb="down"),
    ),
)  # fmt: skip
# c5: opened and ended without a word → counted as a conversation, in no rate.
C5 = ConversationFacts(id="c5", customer_id="D", status="ended", created_at=at(8, 10), ended_at=at(8, 10, 1))
# c6: answered, but a human agent wrote in it → not resolved, yet not a transfer (no handoff, no escalation); CSAT 5.
C6 = ConversationFacts(
    id="c6", customer_id="E", channel="openai", status="ended", created_at=at(9, 19, 40), ended_at=at(9, 20), csat=5,
    turns=(turn(at(9, 19, 50), intent="get_refund", seconds=5.0),), agent_message_times=(at(9, 19, 55),),
)  # fmt: skip
ALL = [C1, C2, C3, C4, C5, C6]


def test_each_definition_on_its_own() -> None:
    assert [is_finished(c, DEFS) for c in ALL] == [True, True, False, True, True, True]
    assert [is_transferred(c) for c in ALL] == [False, False, True, False, False, False]
    assert transfer_reason(C3) == "complaint"
    assert is_reopened(C2, DEFS) and not is_reopened(C1, DEFS)
    assert [is_resolved(c, DEFS) for c in ALL] == [True, False, False, False, False, False]
    # The same return 25 hours later is outside the 24-hour window: c2 would then be resolved.
    later = ConversationFacts(**{**C2.__dict__, "next_contact_at": at(11, 9)})
    assert not is_reopened(later, DEFS) and is_resolved(later, DEFS)


def test_totals_match_the_hand_computed_figures() -> None:
    total = compute_metrics(ALL, DEFS).total
    assert total.conversations == 6
    assert (total.messages.customer, total.messages.assistant, total.messages.agent, total.messages.total) == (6, 6, 1, 13)
    # finished with a message: c1, c2, c4, c6; resolved: c1 → 1/4, and c1's reopen window still runs.
    assert (total.resolution.finished, total.resolution.resolved, total.resolution.rate) == (4, 1, 0.25)
    assert total.resolution.pending_reopen_window == 1
    # conversations with a message: 5; transferred: c3 → 1/5.
    assert (total.transfer.conversations, total.transfer.transferred, total.transfer.rate) == (5, 1, 0.2)
    assert total.transfer.reasons == {"complaint": 1}
    # first response [0.5, 1, 1.5, 2, 3]: p50 1.5; p95 at rank 0.95*4 = 3.8 → 2 + 0.8 * (3 - 2) = 2.8.
    assert total.first_response_seconds.count == 5
    assert total.first_response_seconds.p50 == pytest.approx(1.5)
    assert total.first_response_seconds.p95 == pytest.approx(2.8)
    # full turn [1, 2, 3, 4, 5, 6]: p50 3.5; p95 at rank 4.75 → 5.75.
    assert (total.turn_seconds.p50, total.turn_seconds.p95) == (pytest.approx(3.5), pytest.approx(5.75))
    # tokens 350 in, 70 out: 0.35 * 0.5 + 0.07 * 1.5 = 0.28.
    assert (total.tokens.prompt, total.tokens.completion) == (350, 70)
    assert total.tokens.estimated_cost == pytest.approx(0.28)
    assert (total.csat.count, total.csat.mean) == (2, 3.5)
    assert total.csat.distribution == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert (total.thumbs.up, total.thumbs.down) == (1, 1)
    assert total.sentiment.counts == {"negative": 2, "neutral": 2, "positive": 1}
    assert total.sentiment.shares == {"negative": 0.4, "neutral": 0.4, "positive": 0.2}
    assert (total.tool_calls.total, total.tool_calls.failed) == (3, 1)
    assert total.tool_calls.failure_rate == pytest.approx(1 / 3)


def test_grouped_by_channel() -> None:
    groups = {group.key: group for group in compute_metrics(ALL, DEFS, group_by="channel").groups}
    assert set(groups) == {"api", "widget", "openai"}
    api, widget, openai = groups["api"], groups["widget"], groups["openai"]
    assert (api.conversations, api.resolution.finished, api.resolution.resolved, api.resolution.rate) == (3, 2, 1, 0.5)
    assert (widget.transfer.transferred, widget.transfer.rate, widget.resolution.rate) == (1, 0.5, 0.0)
    assert (openai.messages.agent, openai.resolution.resolved, openai.csat.mean) == (1, 0, 5.0)
    assert sum(group.messages.total for group in groups.values()) == 13


def test_grouped_by_intent_uses_the_conversations_opening_intent_and_each_turns_own() -> None:
    groups = {group.key: group for group in compute_metrics(ALL, DEFS, group_by="intent").groups}
    # c4 opened with small talk: as a conversation it counts under what it came for, cancel_order ...
    assert groups["cancel_order"].conversations == 1 and groups["cancel_order"].csat.count == 1
    # ... while its greeting turn is counted under its own intent.
    assert groups["greeting"].conversations == 0 and groups["greeting"].messages.customer == 1
    assert groups["unknown"].conversations == 1  # c5 said nothing


def test_grouped_by_day_lists_empty_days_and_uses_the_time_zone() -> None:
    report = compute_metrics(ALL, DEFS, group_by="day", period=(at(7, 0), at(11, 0)))
    assert [(group.key, group.conversations) for group in report.groups] == [
        ("2025-03-07", 0), ("2025-03-08", 1), ("2025-03-09", 2), ("2025-03-10", 3),
    ]  # fmt: skip
    shanghai = Definitions(**{**DEFS.__dict__, "timezone": ZoneInfo("Asia/Shanghai")})
    by_day = {group.key: group for group in compute_metrics(ALL, shanghai, group_by="day").groups}
    # c6 started 19:40 UTC on the 9th, 03:40 on the 10th in Shanghai; c4 (15:00 UTC) stays on the 9th (23:00).
    assert by_day["2025-03-09"].conversations == 1 and by_day["2025-03-10"].conversations == 4
    assert by_day["2025-03-10"].messages.agent == 1  # the agent wrote at 03:55 Shanghai time


def test_hourly_groups_put_each_turn_in_its_own_hour() -> None:
    groups = {group.key: group for group in compute_metrics([C3], DEFS, group_by="hour").groups}
    assert groups["2025-03-10T10:00"].conversations == 1 and groups["2025-03-10T10:00"].messages.customer == 0
    assert groups["2025-03-10T11:00"].messages.customer == 1 and groups["2025-03-10T11:00"].turn_seconds.p50 == 6.0


def test_empty_input_gives_no_rates_rather_than_zeros() -> None:
    total = compute_metrics([], DEFS).total
    assert total.conversations == 0 and total.resolution.rate is None and total.transfer.rate is None
    assert total.first_response_seconds.p50 is None and total.csat.mean is None
    assert percentiles([4.0]).model_dump() == {"count": 1, "p50": 4.0, "p95": 4.0}
