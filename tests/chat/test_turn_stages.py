"""Every stored turn says where its time went: the stages, recorded on the real path (0.5B model, Chroma, commerce)."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import create_engine, text

from assistant.conversations.records import TurnStages
from assistant.settings import Settings
from tests.chat.conftest import app_client, new_conversation, say

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]


def _stages(settings: Settings, conversation: str) -> list[tuple[TurnStages, float, float]]:
    """(stages, turn seconds, model seconds) of the conversation's turns, oldest first."""
    engine = create_engine(settings.database.url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT stages, seconds, llm_seconds FROM turns WHERE conversation_id = :c ORDER BY created_at"),
            {"c": conversation},
        ).all()
    engine.dispose()
    return [
        (TurnStages.model_validate(json.loads(row[0]) if isinstance(row[0], str) else row[0]), row[1], row[2]) for row in rows
    ]


async def test_a_question_and_an_operation_record_their_stages(client: httpx.AsyncClient, chat_settings: Settings) -> None:
    conversation = await new_conversation(client)
    question = await say(client, conversation, "What is your return policy?")
    operation = await say(client, conversation, "I'm Yusuf Rossi, zip code 19122. Where is my order #W2378156?")
    assert question["route"] == "question" and operation["route"] == "order_status"
    (asked, asked_seconds, asked_model), (looked, looked_seconds, looked_model) = _stages(chat_settings, conversation)

    # The question: understood, routed by the keyword rules (no model call), retrieved, answered by the model.
    assert asked.understanding_seconds > 0
    assert asked.routed_by == "rule" and not asked.routing_model_call and asked.routing_seconds >= 0
    assert asked.retrieval_seconds > 0
    assert asked.model_calls >= 1 and asked.prompt_tokens > 0 and asked.model_seconds == pytest.approx(asked_model)
    assert asked.reply_wait_seconds is not None and asked.reply_wait_seconds > 0
    assert asked.first_token_seconds is not None and asked.last_token_seconds is not None
    assert 0 < asked.first_token_seconds <= asked.last_token_seconds <= asked_seconds
    assert asked.overhead_seconds == pytest.approx(asked_seconds - asked_model, abs=1e-6)

    # The operation: the shop's APIs looked up, nothing retrieved, the fixed reply written without the model.
    assert looked.routed_by == "rule" and not looked.routing_model_call
    assert looked.lookups >= 2 and looked.lookup_seconds > 0  # identity, then the order
    assert looked.retrieval_seconds == 0
    assert looked.model_calls == 0 and looked.model_seconds == 0 and looked_model == 0
    assert looked.first_token_seconds is not None and looked.first_token_seconds <= looked_seconds
    assert looked.overhead_seconds == pytest.approx(looked_seconds, abs=1e-6)


def _route_calls(settings: Settings, conversation: str) -> int:
    engine = create_engine(settings.database.url)
    with engine.connect() as connection:
        count = connection.execute(
            text(
                "SELECT count(*) FROM llm_calls JOIN turns ON turns.id = llm_calls.turn_id "
                "WHERE turns.conversation_id = :c AND llm_calls.purpose = 'route'"
            ),
            {"c": conversation},
        ).scalar_one()
    engine.dispose()
    return int(count)


# A statement naming no operation: the keyword rules leave it open; the small understanding model reads
# `payment` at about 0.99, above the default threshold.
PAYMENT_OPTIONS = "I would like to know the payment options you accept."


async def test_a_confident_intent_routes_the_turn_without_a_model_call(
    client: httpx.AsyncClient, chat_settings: Settings
) -> None:
    conversation = await new_conversation(client)
    reply = await say(client, conversation, PAYMENT_OPTIONS)
    assert reply["route"] == "question"
    [(stages, _, _)] = _stages(chat_settings, conversation)
    assert stages.routed_by == "intent" and not stages.routing_model_call
    assert _route_calls(chat_settings, conversation) == 0


async def test_the_threshold_setting_sends_the_same_message_to_the_model(chat_settings: Settings) -> None:
    settings = chat_settings.model_copy(update={"agent": chat_settings.agent.model_copy(update={"route_intent_confidence": 1.0})})
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        await say(http, conversation, PAYMENT_OPTIONS)
    [(stages, _, _)] = _stages(settings, conversation)
    assert stages.routed_by in ("model", "fallback") and stages.routing_model_call
    assert _route_calls(settings, conversation) >= 1
