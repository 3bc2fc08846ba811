"""The operator endpoints: figures computed from what is stored, the forecast, and bad requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from assistant.conversations.store import ConversationStore
from assistant.feedback.store import FeedbackStore
from assistant.handoff.tables import HandoffRow
from assistant.settings import DatabaseSettings, Settings
from tests.analytics.conftest import OPERATOR_KEY, SHOP, analytics_client, record_turn, set_conversation_times

OPERATOR = {"X-Operator-Key": OPERATOR_KEY}


async def test_metrics_are_the_figures_of_the_stored_records(analytics_settings: Settings) -> None:
    await check_metrics_of_stored_records(analytics_settings)


async def test_metrics_on_postgresql(analytics_settings: Settings, postgres_url: str) -> None:
    await check_metrics_of_stored_records(analytics_settings.model_copy(update={"database": DatabaseSettings(url=postgres_url)}))


async def check_metrics_of_stored_records(settings: Settings) -> None:
    client = analytics_client(settings)
    engine = client.app.state.components.engine
    store, feedback = ConversationStore(engine), FeedbackStore(engine)
    now = datetime.now(UTC)
    # Two hours ago: answered, ended, rated 4 → resolved (its reopen window still runs).
    resolved = store.create_conversation(shop=SHOP, customer_id="amy", channel="widget").id
    _, answer = record_turn(engine, resolved, "How do I return an item?", "Within 30 days.", at=now - timedelta(hours=2),
                            first_token_seconds=1.0, seconds=3.0, tool_calls=(True,))  # fmt: skip
    set_conversation_times(engine, resolved, created=now - timedelta(hours=2), ended=now - timedelta(hours=1, minutes=50))
    feedback.rate_conversation(shop=SHOP, customer_id="amy", conversation_id=resolved, score=4, comment=None)
    feedback.rate_message(shop=SHOP, customer_id="amy", conversation_id=resolved, message_id=answer, thumb="up", comment=None)
    # One hour ago: a complaint handed to a human, rated 1.
    handed = store.create_conversation(shop=SHOP, customer_id="bob").id
    record_turn(engine, handed, "This is the third broken blender!", "I am passing you to a colleague.",
                intent="complaint", sentiment="negative", score=-0.9, escalated=True, escalation_reason="complaint",
                outcome="handoff", at=now - timedelta(hours=1), first_token_seconds=3.0, seconds=5.0,
                tool_calls=(True, False))  # fmt: skip
    set_conversation_times(engine, handed, created=now - timedelta(hours=1))
    with Session(engine) as session, session.begin():
        session.add(HandoffRow(conversation_id=handed, shop=SHOP, customer_id="bob", status="queued", reason="complaint",
                               confidence=0.9, summary={}))  # fmt: skip
    feedback.rate_conversation(shop=SHOP, customer_id="bob", conversation_id=handed, score=1, comment="useless")

    async with client as http:
        response = await http.get("/v1/analytics/metrics", headers=OPERATOR)
        assert response.status_code == 200, response.text
        total = response.json()["report"]["total"]
        assert total["conversations"] == 2
        assert total["messages"] == {"customer": 2, "assistant": 2, "agent": 0, "total": 4}
        # The handed-over conversation was last active an hour ago (idle → finished) but was transferred.
        assert (total["resolution"]["finished"], total["resolution"]["resolved"], total["resolution"]["rate"]) == (2, 1, 0.5)
        assert total["transfer"] == {"conversations": 2, "transferred": 1, "rate": 0.5, "reasons": {"complaint": 1}}
        assert (total["csat"]["count"], total["csat"]["mean"]) == (2, 2.5)
        assert total["first_response_seconds"]["p50"] == pytest.approx(2.0)
        assert total["turn_seconds"]["p95"] == pytest.approx(4.9)
        assert total["tokens"]["prompt"] == 240 and total["tokens"]["estimated_cost"] == 0.0
        assert total["thumbs"] == {"up": 1, "down": 0}
        assert total["sentiment"]["counts"] == {"negative": 1, "neutral": 1, "positive": 0}
        assert total["tool_calls"] == {"total": 3, "failed": 1, "failure_rate": pytest.approx(1 / 3)}

        by_channel = await http.get("/v1/analytics/metrics", params={"group_by": "channel"}, headers=OPERATOR)
        groups = {group["key"]: group for group in by_channel.json()["report"]["groups"]}
        assert groups["widget"]["resolution"]["rate"] == 1.0 and groups["api"]["transfer"]["rate"] == 1.0
        by_hour = await http.get("/v1/analytics/metrics", params={"group_by": "hour"}, headers=OPERATOR)
        hours = by_hour.json()["report"]["groups"]
        assert len(hours) >= 7 * 24 and sum(group["conversations"] for group in hours) == 2
        earlier = await http.get(
            "/v1/analytics/metrics", params={"to": (now - timedelta(minutes=90)).isoformat()}, headers=OPERATOR
        )
        assert earlier.json()["report"]["total"]["conversations"] == 1


async def test_forecast_endpoint(analytics_settings: Settings) -> None:
    client = analytics_client(analytics_settings)
    async with client as http:
        empty = await http.get("/v1/analytics/forecast", headers=OPERATOR)
        assert empty.status_code == 200, empty.text
        assert empty.json()["method"] == "none" and len(empty.json()["points"]) == 7 * 24
        store = ConversationStore(client.app.state.components.engine)
        for hours_ago in (1, 2, 26):
            conversation = store.create_conversation(shop=SHOP, customer_id="amy").id
            set_conversation_times(
                client.app.state.components.engine, conversation, created=datetime.now(UTC) - timedelta(hours=hours_ago)
            )
        two_days = await http.get("/v1/analytics/forecast", params={"days": 2}, headers=OPERATOR)
        body = two_days.json()
        assert body["method"] == "hour_of_day_mean" and body["history_conversations"] == 3 and len(body["points"]) == 48


@pytest.mark.parametrize(
    ("path", "params", "reason"),
    [
        ("/v1/analytics/metrics", {"group_by": "weekday"}, "bad_group_by"),
        ("/v1/analytics/metrics", {"from": "yesterday"}, "bad_period"),
        ("/v1/analytics/metrics", {"from": "2025-03-02", "to": "2025-03-01"}, "bad_period"),
        ("/v1/analytics/metrics", {"from": "2020-01-01", "to": "2025-01-01"}, "bad_period"),
        ("/v1/analytics/questions", {"to": "2025-13-01"}, "bad_period"),
        ("/v1/analytics/forecast", {"days": 0}, "bad_days"),
        ("/v1/analytics/forecast", {"days": 99}, "bad_days"),
    ],
)
async def test_bad_requests_get_a_reason(analytics_settings: Settings, path: str, params: dict[str, object], reason: str) -> None:
    async with analytics_client(analytics_settings) as http:
        response = await http.get(path, params=params, headers=OPERATOR)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == reason


async def test_operator_key_is_required(analytics_settings: Settings) -> None:
    async with analytics_client(analytics_settings) as http:
        for path in ("/v1/analytics/metrics", "/v1/analytics/questions", "/v1/analytics/forecast"):
            assert (await http.get(path)).status_code == 401
            assert (await http.get(path, headers={"X-Operator-Key": "wrong"})).status_code == 401
