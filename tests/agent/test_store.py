"""The conversation store on SQLite and PostgreSQL: whole turns, ownership, a pending write claimed once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.components.database.engine import build_engine
from assistant.conversations.pending import PendingActions
from assistant.conversations.records import (
    ActionBrief,
    Citation,
    LLMCallRecord,
    ResolvedPending,
    RetrievalRecord,
    ToolCallRecord,
    TurnRecord,
)
from assistant.conversations.store import ConversationStore, create_tables
from assistant.conversations.tables import LLMCallRow, MessageRow, PendingActionRow, RetrievalRow, ToolCallRow, TurnRow
from assistant.errors import ConflictError, NotFoundError
from assistant.tools.base import ProposedAction
from tests.conftest import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'store.db'}")
        create_tables(engine)
        yield engine
        engine.dispose()
        return
    with postgres_schema("store") as (server, schema):
        engine = server.execution_options(schema_translate_map={None: schema})
        create_tables(engine)
        yield engine


def _turn(**overrides: object) -> TurnRecord:
    values: dict[str, object] = {
        "prompt_version": "v1", "language": "en", "customer_text": "cancel #W1", "reply": "Shall I?", "route": "cancel_order",
        "citations": [Citation(document_id="policy", chunk_id="policy#0", title="Policy", snippet="...")],
        "actions": [ActionBrief(name="get_order_details", kind="read", arguments={"order_id": "#W1"}, ok=True, brief="pending")],
        "retrievals": [RetrievalRecord(query="q", rank=1, chunk_id="policy#0", document_id="policy", score=1.0, dense_score=0.5)],
        "llm_calls": [LLMCallRecord(purpose="route", model="m", tokens_in=10, tokens_out=2, seconds=0.1, ok=True)],
        "tool_calls": [ToolCallRecord(name="get_order_details", kind="read", arguments={"order_id": "#W1"}, ok=True, result={})],
        "proposals": [ProposedAction(tool="cancel_pending_order", arguments={"order_id": "#W1"}, description="cancel #W1",
                                     idempotency_key=uuid.uuid4().hex, conversation_id="c", customer_id="c1",
                                     status="awaiting_confirmation")],
    }  # fmt: skip
    values.update(overrides)
    return TurnRecord(**values)  # type: ignore[arg-type]


def test_a_turn_is_stored_whole(engine: Engine) -> None:
    store = ConversationStore(engine)
    conversation = store.create_conversation(shop="s", customer_id="c1")
    saved = store.save_turn(conversation_id=conversation.id, record=_turn())
    turn_id = saved.turn_id
    with Session(engine) as session:
        assert session.get(TurnRow, turn_id).prompt_version == "v1"  # type: ignore[union-attr]
        for table in (RetrievalRow, LLMCallRow, ToolCallRow):
            assert session.scalar(select(func.count()).select_from(table).where(table.turn_id == turn_id)) == 1
    messages = store.list_messages(conversation_id=conversation.id)
    assert [m.role for m in messages] == ["customer", "assistant"]
    assert messages[1].citations[0].document_id == "policy"
    pending = PendingActions(engine).latest(conversation_id=conversation.id)
    assert pending is not None and pending.name == "cancel_pending_order" and [pending] == saved.pending
    assert [saved.customer_message_id, saved.assistant_message_id] == [m.id for m in messages]


def test_a_turn_that_fails_to_save_leaves_nothing(engine: Engine) -> None:
    store = ConversationStore(engine)
    conversation = store.create_conversation(shop="s", customer_id="c1")
    store.save_turn(conversation_id=conversation.id, record=_turn())
    # A reply the database refuses (NOT NULL) fails the insert after the turn row and the customer message.
    broken = TurnRecord.model_construct(**{**_turn().__dict__, "reply": None})
    with pytest.raises(IntegrityError):
        store.save_turn(conversation_id=conversation.id, record=broken)
    # The second turn's messages, retrievals and calls were rolled back with it.
    assert len(store.list_messages(conversation_id=conversation.id)) == 2
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(TurnRow)) == 1
        assert session.scalar(select(func.count()).select_from(MessageRow)) == 2


def test_other_customers_see_not_found(engine: Engine) -> None:
    store = ConversationStore(engine)
    conversation = store.create_conversation(shop="s", customer_id="c1")
    for shop, customer in (("s", "c2"), ("other", "c1")):
        with pytest.raises(NotFoundError):
            store.get_conversation(conversation_id=conversation.id, shop=shop, customer_id=customer)
    with pytest.raises(NotFoundError):
        store.get_conversation(conversation_id="nope", shop="s", customer_id="c1")


def test_ended_conversation_refuses_and_drops_pending(engine: Engine) -> None:
    store = ConversationStore(engine)
    conversation = store.create_conversation(shop="s", customer_id="c1")
    store.save_turn(conversation_id=conversation.id, record=_turn())
    store.end_conversation(conversation_id=conversation.id, shop="s", customer_id="c1")
    with pytest.raises(ConflictError, match="ended"):
        store.require_open(conversation_id=conversation.id, shop="s", customer_id="c1")
    assert PendingActions(engine).latest(conversation_id=conversation.id) is None


def test_pending_is_claimed_once(engine: Engine) -> None:
    store = ConversationStore(engine)
    conversation = store.create_conversation(shop="s", customer_id="c1")
    store.save_turn(conversation_id=conversation.id, record=_turn())
    pending = PendingActions(engine).latest(conversation_id=conversation.id)
    assert pending is not None
    claim = PendingActions(engine).claim(pending, waiting="pending")
    assert claim.claim() is True
    assert claim.claim() is False
    store.save_turn(
        conversation_id=conversation.id,
        record=_turn(proposals=[], resolved=[ResolvedPending(id=pending.id, status="executed", result={"ok": 1})]),
    )
    with Session(engine) as session:
        row = session.get(PendingActionRow, pending.id)
        assert row is not None and row.status == "executed" and row.resolved_in_turn is not None
