"""The customer profile an agent sees: the CRM record from the real commerce service plus the assistant's data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from assistant.analytics.profile import sentiment_trend
from assistant.conversations.store import ConversationStore
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.tables import HandoffRow
from assistant.settings import Settings
from tests.analytics.conftest import SHOP, analytics_client, record_turn, set_conversation_times
from tests.commerce.service import RunningCommerce, acquire, release
from tests.shops import shop_settings

CUSTOMER = "yusuf_rossi_9620"  # in the retail seed


@pytest.fixture(scope="module")
def retail() -> Iterator[RunningCommerce]:
    service = acquire("retail")
    yield service
    release("retail")


@pytest.fixture
def profile_settings(make_settings: Callable[..., Settings], retail: RunningCommerce) -> Settings:
    retail.reset()
    return make_settings(
        shops=shop_settings(SHOP, base_url=retail.base_url, commerce_key=retail.api_key, api_key="test-shop-key", retries=0),
    )


def _agent(app: object) -> dict[str, str]:
    _, token = AgentRegistry(app.state.components.engine).register(
        shop=SHOP, name="ana", skills=[], languages=["en"], max_active=3
    )  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {token}"}


async def test_a_complaining_customer_is_flagged_with_the_signals_that_fired(
    profile_settings: Settings, retail: RunningCommerce
) -> None:
    retail.client().put(f"/customers/{CUSTOMER}/tags", json={"tags": ["frequent_complainer"]}).raise_for_status()
    client = analytics_client(profile_settings)
    engine = client.app.state.components.engine
    store = ConversationStore(engine)
    now = datetime.now(UTC)
    # Three conversations this week, getting angrier; the last one is with a human (queued handoff).
    moods = [("check_refund_policy", "neutral", 0.1), ("track_refund", "negative", -0.5), ("complaint", "negative", -0.9)]
    conversations = []
    for days_ago, (intent, sentiment, score) in zip((5, 3, 1), moods, strict=True):
        conversation = store.create_conversation(shop=SHOP, customer_id=CUSTOMER).id
        set_conversation_times(engine, conversation, created=now - timedelta(days=days_ago))
        for minute in (1, 2):
            record_turn(engine, conversation, f"message about {intent}", "reply", intent=intent, sentiment=sentiment,
                        score=score, at=now - timedelta(days=days_ago) + timedelta(minutes=minute))  # fmt: skip
        conversations.append(conversation)
    with Session(engine) as session, session.begin():
        session.add(HandoffRow(conversation_id=conversations[-1], shop=SHOP, customer_id=CUSTOMER, status="queued",
                               reason="complaint", confidence=0.9, summary={}))  # fmt: skip
    old = store.create_conversation(shop=SHOP, customer_id=CUSTOMER).id  # outside the 30-day window: not read
    set_conversation_times(engine, old, created=now - timedelta(days=45))
    record_turn(engine, old, "another complaint", "reply", intent="complaint", at=now - timedelta(days=45))

    async with client as http:
        response = await http.get(f"/v1/agent/customers/{CUSTOMER}/profile", headers=_agent(client.app))
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["crm_status"] == "ok" and profile["crm"]["name"]["first_name"] == "Yusuf"
    assert profile["crm"]["tags"] == ["frequent_complainer"]
    assert profile["contact"]["conversations_7d"] == 3 and profile["contact"]["conversations_in_window"] == 3
    assert profile["contact"]["mean_days_between"] == pytest.approx(2.0, abs=0.01)
    assert profile["intents"] == {"check_refund_policy": 2, "track_refund": 2, "complaint": 2}
    assert profile["complaints"] == 2
    assert [point["mean_score"] for point in profile["sentiment_trend"]] == [0.1, -0.5, -0.9]
    assert profile["trend"] == "worsening"
    assert [(h["conversation_id"], h["status"]) for h in profile["open_handoffs"]] == [(conversations[-1], "queued")]
    assert profile["risk"]["flagged"] is True
    assert set(profile["risk"]["signals"]) == {
        "complaint", "negative_sentiment", "worsening_sentiment", "open_handoff", "repeat_contact", "complainer_tag",
    }  # fmt: skip


async def test_a_calm_customer_is_not_flagged_and_unknown_customers_are_404(profile_settings: Settings) -> None:
    client = analytics_client(profile_settings)
    engine = client.app.state.components.engine
    conversation = ConversationStore(engine).create_conversation(shop=SHOP, customer_id=CUSTOMER).id
    record_turn(engine, conversation, "what is your return policy?", "30 days.", intent="check_refund_policy")
    async with client as http:
        agent = _agent(client.app)
        calm = (await http.get(f"/v1/agent/customers/{CUSTOMER}/profile", headers=agent)).json()
        assert calm["risk"] == {"flagged": False, "signals": [], "min_signals": 2}
        assert calm["trend"] == "unknown" and calm["complaints"] == 0 and calm["open_tickets"] is not None
        missing = await http.get("/v1/agent/customers/nobody_at_all/profile", headers=agent)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        assert (await http.get(f"/v1/agent/customers/{CUSTOMER}/profile")).status_code == 401


async def test_the_profile_still_shows_the_assistants_data_when_the_crm_is_down(analytics_settings: Settings) -> None:
    client = analytics_client(analytics_settings)  # its commerce URL is a closed port
    engine = client.app.state.components.engine
    conversation = ConversationStore(engine).create_conversation(shop=SHOP, customer_id="someone").id
    record_turn(engine, conversation, "this is a complaint", "sorry", intent="complaint", sentiment="negative", score=-0.7)
    async with client as http:
        response = await http.get("/v1/agent/customers/someone/profile", headers=_agent(client.app))
    assert response.status_code == 200, response.text
    assert response.json()["crm_status"] == "unavailable" and response.json()["complaints"] == 1


def test_sentiment_trend_rule() -> None:
    assert sentiment_trend([0.5, 0.4, -0.2, -0.4]) == "worsening"  # later half -0.3, earlier 0.45
    assert sentiment_trend([-0.6, -0.2, 0.2, 0.1]) == "improving"
    assert sentiment_trend([0.1, -0.1, 0.0, 0.1]) == "stable"
    assert sentiment_trend([0.9, -0.9, -0.9]) == "unknown"
