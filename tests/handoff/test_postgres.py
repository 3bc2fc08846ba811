"""The queue on PostgreSQL: routing, the one-active-handoff index, and the claim → resolve path."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.conversations.store import ConversationStore
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.queue import HandoffQueue
from assistant.handoff.tables import HandoffRow, create_tables
from assistant.settings import HandoffSettings
from tests.handoff.conftest import SHOP, Clock, agent, open_for, summary


@pytest.fixture
def pg_engine(postgres_engine: Engine) -> Engine:
    create_tables(postgres_engine)
    return postgres_engine


def test_the_queue_on_postgresql(pg_engine: Engine) -> None:
    queue = HandoffQueue(pg_engine, HandoffSettings(), clock=Clock())
    store, registry = ConversationStore(pg_engine), AgentRegistry(pg_engine)
    ann = agent(registry, "ann", skills=("refunds",), languages=("en",), max_active=1)
    refund = open_for(queue, store, customer="alice", reason="risky_write", intent="return_item")
    plain = open_for(queue, store, customer="bob")
    assert (refund.status, refund.assigned_agent_id) == ("assigned", ann.id)
    assert (plain.status, plain.assigned_agent_id) == ("queued", None)  # ann is at her limit
    with pytest.raises(IntegrityError), Session(pg_engine) as session, session.begin():
        session.add(
            HandoffRow(
                conversation_id=refund.conversation_id,
                shop=SHOP,
                customer_id="alice",
                status="queued",
                reason="anger",
                confidence=1.0,
                summary=summary().model_dump(mode="json"),
            )
        )
    assert queue.claim(handoff_id=refund.id, agent=ann).status == "claimed"
    resolved = queue.close(handoff_id=refund.id, agent=ann, status="resolved", note="done")
    assert (resolved.status, resolved.note) == ("resolved", "done")
    assert queue.get(handoff_id=plain.id, shop=SHOP).assigned_agent_id == ann.id
    assert [a.load for a in registry.list(shop=SHOP)] == [1]
