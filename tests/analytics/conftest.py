"""Fixtures of the analytics tests: an app with the analytics wired in, recorded turns, an agent's token.

Conversations are recorded through the real `ConversationStore.save_turn` with turn records
shaped like the agent's; tests that need the model to produce them are in tests/chat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from assistant.components.container import Components
from assistant.conversations.records import LLMCallRecord, RetrievalRecord, ToolCallRecord, TurnRecord
from assistant.conversations.store import ConversationStore
from assistant.conversations.tables import ConversationRow, MessageRow, TurnRow
from assistant.settings import Settings
from assistant.understanding.models import Understanding
from tests.chat.conftest import app_client
from tests.conftest import free_port
from tests.shops import shop_settings

SHOP = "retail"
SHOP_KEY = "test-shop-key"
OPERATOR_KEY = "test-operator-key"
CUSTOMER = "yusuf_rossi_9620"


@pytest.fixture
def analytics_settings(make_settings: Callable[..., Settings]) -> Settings:
    """No model server and no commerce service (closed ports): these tests record turns directly."""
    return make_settings(
        llm={"port": free_port(), "timeout_seconds": 5.0},
        shops=shop_settings(
            SHOP,
            base_url=f"http://127.0.0.1:{free_port()}",
            commerce_key="test-commerce-key",
            api_key=SHOP_KEY,
            operator_key=OPERATOR_KEY,
            retries=0,
            timeout_seconds=2.0,
        ),
    )


def analytics_client(settings: Settings, components: Components | None = None, customer: str = CUSTOMER) -> app_client:
    """An HTTP client on a fresh app (lifespan run), with the shop key and a customer id by default."""
    return app_client(settings, customer=customer, components=components)


def understanding(intent: str, sentiment: str = "neutral", score: float = 0.0, signals: tuple[str, ...] = ()) -> Understanding:
    return Understanding(
        language="en", intent=intent, intent_confidence=0.9, out_of_scope=intent == "out_of_scope",
        sentiment=sentiment, sentiment_score=score, signals=set(signals),  # type: ignore[arg-type]
    )  # fmt: skip


def record_turn(
    engine: Engine,
    conversation_id: str,
    text: str,
    reply: str,
    *,
    intent: str = "check_refund_policy",
    sentiment: str = "neutral",
    score: float = 0.0,
    signals: tuple[str, ...] = (),
    retrieval_scores: tuple[float, ...] = (),
    tool_calls: tuple[bool, ...] = (),
    at: datetime | None = None,
    **fields: Any,
) -> tuple[str, int]:
    """Save one turn like the agent does; returns the turn id and the id of the assistant's message."""
    record = TurnRecord(
        prompt_version="v1",
        language="en",
        customer_text=text,
        reply=reply,
        seconds=fields.pop("seconds", 2.0),
        first_token_seconds=fields.pop("first_token_seconds", 0.8),
        understanding=understanding(intent, sentiment, score, signals),
        retrievals=[
            RetrievalRecord(query=text, rank=rank, chunk_id=f"chunk-{rank}", document_id="doc", score=1.0, dense_score=value)
            for rank, value in enumerate(retrieval_scores)
        ],
        llm_calls=[LLMCallRecord(purpose="reply", model="qwen", tokens_in=120, tokens_out=30, seconds=1.0, ok=True)],
        tool_calls=[ToolCallRecord(name="get_order_details", kind="read", arguments={}, ok=ok) for ok in tool_calls],
        **fields,
    )
    turn_id = ConversationStore(engine).save_turn(conversation_id=conversation_id, record=record).turn_id
    with Session(engine) as session, session.begin():
        if at is not None:
            session.execute(update(TurnRow).where(TurnRow.id == turn_id).values(created_at=at))
            session.execute(update(MessageRow).where(MessageRow.turn_id == turn_id).values(created_at=at))
        answer = session.query(MessageRow.id).filter(MessageRow.turn_id == turn_id, MessageRow.role == "assistant").scalar()
    return turn_id, int(answer or 0)


def set_conversation_times(engine: Engine, conversation_id: str, *, created: datetime, ended: datetime | None = None) -> None:
    """Move a conversation in time (the store stamps the present)."""
    with Session(engine) as session, session.begin():
        values: dict[str, Any] = {"created_at": created}
        if ended is not None:
            values.update(status="ended", ended_at=ended)
        session.execute(update(ConversationRow).where(ConversationRow.id == conversation_id).values(**values))
