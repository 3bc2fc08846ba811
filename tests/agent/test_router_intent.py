"""Routing by a confident intent: no model call when the understanding model is sure, the model's decision otherwise.

The mapping is a unit over readings written here; the routing itself runs the real
small understanding model and the real 0.5B model server, and the turn's record
says whether the model was asked (a `route` call) and how the route was decided.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from assistant.agent.router import intent_route, route, rule_route
from assistant.agent.turn_llm import TurnLLM
from assistant.components.container import Components, build_components
from assistant.conversations.records import TurnRecord
from assistant.settings import AgentSettings, Settings
from assistant.understanding.models import Understanding
from assistant.understanding.service import MessageUnderstanding
from tests.shops import operations
from tests.shops import prompts as shop_prompts
from tests.understanding.small_model import understanding_settings

RETAIL = operations("retail")

REPO = Path(__file__).resolve().parents[2]
# A statement (no question form) that names no operation: the keyword rules leave it to the next step.
PAYMENT_OPTIONS = "I would like to know the payment options you accept."
QUESTION_INTENTS = AgentSettings().question_intents


def reading(intent: str, confidence: float, *, out_of_scope: bool = False) -> Understanding:
    return Understanding(
        language="en", intent=intent, intent_confidence=confidence, out_of_scope=out_of_scope,
        sentiment="neutral", sentiment_score=0.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("I want the invoice with my company name", "invoice", "question"),
        ("how long until it arrives", "delivery_question", "question"),
        ("put me through to somebody", "human_agent", "human_agent"),
        ("I want my money back for #W2378156", "return_item", "return_items"),
        ("I no longer want #W4776164", "cancel_order", "cancel_order"),
        ("where is #W4776164", "track_order", "order_status"),
        ("how do returns work?", "return_item", "question"),  # a question naming no order: the knowledge base
        ("the price dropped on #W4776164", "price_protection", None),  # a question intent naming an order: the model
        ("I want to track the refund", "refund_status", "question"),  # a knowledge-base intent, though it says refund
        ("my card keeps being declined", "payment", "question"),
        ("the blue one instead, #W4776164", "exchange_item", None),  # two operations (before/after delivery): the model
        ("this is the worst shop ever", "complaint", None),  # names no route: the model decides
    ],
)
def test_a_confident_intent_names_its_route(text: str, intent: str, expected: str | None) -> None:
    assert (
        intent_route(text, reading(intent, 0.95), min_confidence=0.8, question_intents=QUESTION_INTENTS, operations=RETAIL)
        == expected
    )


def test_an_unsure_or_out_of_scope_reading_names_no_route() -> None:
    def routed(understanding: Understanding | None, threshold: float) -> str | None:
        return intent_route("x", understanding, min_confidence=threshold, question_intents=QUESTION_INTENTS, operations=RETAIL)

    assert routed(reading("invoice", 0.8), 0.8) is None  # above the threshold, not at it
    assert routed(reading("invoice", 0.81), 0.8) == "question"
    assert routed(reading("invoice", 0.99, out_of_scope=True), 0.8) is None
    assert routed(None, 0.0) is None
    assert routed(reading("invoice", 1.0), 1.0) is None  # 1 turns it off
    assert (
        intent_route("x", reading("shop_hours", 0.99), min_confidence=0.5, question_intents=["shop_hours"], operations=RETAIL)
        == "question"
    )


@pytest.fixture
async def routing(make_settings, local_llm, understanding_model_file) -> AsyncIterator[tuple[Settings, Components]]:  # type: ignore[no-untyped-def]
    settings = make_settings(
        llm={"port": int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])},
        understanding=understanding_settings(understanding_model_file),
    )
    components = build_components(settings)
    yield settings, components
    await components.close()


@pytest.fixture(scope="session")
def understanding_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.understanding.small_model import small_model

    path = tmp_path_factory.mktemp("understanding") / "model.joblib"
    small_model().model.save(path)
    return path


async def _route(settings: Settings, components: Components, text: str, threshold: float) -> tuple[str, str, TurnRecord]:
    """Route `text` as a turn would, with the real understanding model's reading and `threshold` as the setting."""
    understanding = MessageUnderstanding.from_settings(settings, components.embedder()).analyse(text)
    record = TurnRecord(prompt_version="v1", language="en", customer_text=text, understanding=understanding)
    action, decided_by = await route(
        text, history=[], summary=None, prompts=shop_prompts("retail"), llm=TurnLLM(components.llm, record),
        operations=RETAIL,
        understanding=understanding, settings=settings.agent.model_copy(update={"route_intent_confidence": threshold}),
    )  # fmt: skip
    return action, decided_by, record


def _route_calls(record: TurnRecord) -> list[Any]:
    return [call for call in record.llm_calls if call.purpose == "route"]


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="session")
async def test_a_confident_intent_routes_without_the_model(routing) -> None:  # type: ignore[no-untyped-def]
    settings, components = routing
    assert rule_route(PAYMENT_OPTIONS, RETAIL) is None
    understood = MessageUnderstanding.from_settings(settings, components.embedder()).analyse(PAYMENT_OPTIONS)
    assert understood.intent == "payment"
    # The setting just under what the real small model is sure of for this message.
    action, decided_by, record = await _route(settings, components, PAYMENT_OPTIONS, understood.intent_confidence - 0.01)
    assert (action, decided_by) == ("question", "intent")
    assert _route_calls(record) == [] and record.llm_calls == []
    assert record.stages.routed_by == "intent" and not record.stages.routing_model_call


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="session")
async def test_an_unconfident_intent_still_asks_the_model(routing) -> None:  # type: ignore[no-untyped-def]
    settings, components = routing
    understood = MessageUnderstanding.from_settings(settings, components.embedder()).analyse(PAYMENT_OPTIONS)
    # The same message with the threshold at what the model is sure of: not above it, so the model decides.
    action, decided_by, record = await _route(settings, components, PAYMENT_OPTIONS, understood.intent_confidence)
    assert decided_by in ("model", "fallback")
    assert len(_route_calls(record)) >= 1
    assert record.stages.routing_model_call and record.stages.routing_seconds > 0


def test_the_threshold_is_a_setting(make_settings) -> None:  # type: ignore[no-untyped-def]
    assert make_settings().agent.route_intent_confidence == pytest.approx(0.7)  # bench/route_intent.py
    assert make_settings(agent={"route_intent_confidence": 0.95}).agent.route_intent_confidence == 0.95
    with pytest.raises(ValueError, match="route_intent_confidence"):
        make_settings(agent={"route_intent_confidence": 1.5})
