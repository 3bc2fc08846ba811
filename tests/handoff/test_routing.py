"""Routing by skills, languages and load; one active handoff per conversation; queued work flows to freed agents."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.conversations.store import ConversationStore
from assistant.errors import NotFoundError
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.queue import HandoffQueue
from assistant.handoff.tables import HandoffRow
from tests.handoff.conftest import SHOP, agent, open_for, summary


def test_routed_to_an_agent_whose_skills_and_languages_fit(
    queue: HandoffQueue, store: ConversationStore, registry: AgentRegistry
) -> None:
    ann = agent(registry, "ann", skills=("refunds",), languages=("en",))
    bo = agent(registry, "bo", skills=("refunds",), languages=("zh",))
    cara = agent(registry, "cara", languages=("en",))

    english_refund = open_for(queue, store, reason="risky_write", language="en", intent="return_item")
    chinese_refund = open_for(queue, store, reason="risky_write", language="zh", intent="return_item")
    plain = open_for(queue, store, reason="explicit_request", language="en")
    fraud = open_for(queue, store, reason="legal_safety_fraud", language="en")

    assert (english_refund.status, english_refund.assigned_agent_id, english_refund.required_skills) == (
        "assigned",
        ann.id,
        ["lang:en", "refunds"],
    )
    assert (chinese_refund.status, chinese_refund.assigned_agent_id) == ("assigned", bo.id)
    # ann and cara both fit; cara holds nothing yet, ann holds one.
    assert (plain.status, plain.assigned_agent_id) == ("assigned", cara.id)
    # Nobody has the `risk` skill: it waits, unassigned, and every agent sees it.
    assert (fraud.status, fraud.assigned_agent_id, fraud.required_skills) == ("queued", None, ["lang:en", "risk"])
    for someone in (ann, bo, cara):
        assert fraud.id in [h.id for h in queue.list_queue(agent=someone)]
    # reason weights: legal_safety_fraud 3 before risky_write 2 (same moment, same calm sentiment)
    assert [h.id for h in queue.list_queue(agent=ann)] == [fraud.id, english_refund.id]
    assert chinese_refund.id not in [h.id for h in queue.list_queue(agent=ann)]  # another agent's handoff is not listed
    assert [a.load for a in registry.list(shop=SHOP)] == [1, 1, 1]


def test_least_loaded_under_the_limit_then_queued_until_someone_has_room(
    queue: HandoffQueue, store: ConversationStore, registry: AgentRegistry
) -> None:
    ann = agent(registry, "ann", languages=("en",), max_active=1)
    dan = agent(registry, "dan", languages=("en",), max_active=2)
    first, second, third, fourth = (open_for(queue, store, customer=f"c{n}") for n in range(4))
    assert first.assigned_agent_id == ann.id  # both idle and new: by name
    assert second.assigned_agent_id == dan.id  # the less loaded
    assert third.assigned_agent_id == dan.id  # ann is at her limit of 1
    assert (fourth.status, fourth.assigned_agent_id) == ("queued", None)  # everybody is full

    queue.claim(handoff_id=first.id, agent=ann)
    queue.close(handoff_id=first.id, agent=ann, status="resolved", note="done")
    waiting = queue.get(handoff_id=fourth.id, shop=SHOP)
    assert (waiting.status, waiting.assigned_agent_id) == ("assigned", ann.id)  # routed as soon as ann had room


def test_ties_go_to_the_agent_with_fewer_handoffs_in_total(
    queue: HandoffQueue, store: ConversationStore, registry: AgentRegistry
) -> None:
    ann = agent(registry, "ann", languages=("en",))
    earlier = open_for(queue, store, customer="earlier")
    assert earlier.assigned_agent_id == ann.id
    queue.claim(handoff_id=earlier.id, agent=ann)
    queue.close(handoff_id=earlier.id, agent=ann, status="returned", note=None)
    bea = agent(registry, "bea", languages=("en",))
    later = open_for(queue, store, customer="later")
    assert later.assigned_agent_id == bea.id  # both hold nothing now; ann has had one already


def test_inactive_agents_get_nothing(queue: HandoffQueue, store: ConversationStore, registry: AgentRegistry) -> None:
    ann = agent(registry, "ann", languages=("en",))
    registry.set_active(agent_id=ann.id, shop=SHOP, active=False)
    handoff = open_for(queue, store)
    assert (handoff.status, handoff.assigned_agent_id) == ("queued", None)


def test_one_active_handoff_per_conversation(queue: HandoffQueue, store: ConversationStore, registry: AgentRegistry) -> None:
    ann = agent(registry, "ann", languages=("en",))
    first = open_for(queue, store, reason="explicit_request", sentiment_score=0.0)
    again = open_for(queue, store, conversation_id=first.conversation_id, reason="anger", sentiment_score=-0.9)
    assert again.id == first.id and again.created_at == first.created_at  # the wait counts from the first
    assert (again.reason, again.sentiment_score, again.summary.reason) == ("anger", -0.9, "anger")
    assert [h.id for h in queue.list_queue(agent=ann)] == [first.id]
    assert queue.active_for(conversation_id=first.conversation_id) == queue.get(handoff_id=first.id, shop=SHOP)

    queue.claim(handoff_id=first.id, agent=ann)
    queue.close(handoff_id=first.id, agent=ann, status="returned", note="the assistant can take the rest")
    assert queue.active_for(conversation_id=first.conversation_id) is None
    later = open_for(queue, store, conversation_id=first.conversation_id)
    assert later.id != first.id and later.status == "assigned"


def test_the_database_refuses_a_second_active_handoff(engine: Engine, queue: HandoffQueue, store: ConversationStore) -> None:
    handoff = open_for(queue, store)
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        session.add(
            HandoffRow(
                conversation_id=handoff.conversation_id,
                shop=SHOP,
                customer_id="alice",
                status="queued",
                reason="anger",
                confidence=1.0,
                summary=summary().model_dump(mode="json"),
            )
        )


def test_a_handoff_needs_the_customers_own_conversation(queue: HandoffQueue, store: ConversationStore) -> None:
    with pytest.raises(NotFoundError):
        open_for(queue, store, conversation_id="no-such-conversation")
    theirs = store.create_conversation(shop=SHOP, customer_id="bob").id
    with pytest.raises(NotFoundError):
        open_for(queue, store, customer="alice", conversation_id=theirs)
    assert queue.active_for(conversation_id=theirs) is None
