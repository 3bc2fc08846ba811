"""The queue order follows the documented formula (hand-computed here with the default weights)."""

from __future__ import annotations

import pytest

from assistant.conversations.store import ConversationStore
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.priority import priority_parts, required_skills
from assistant.handoff.queue import HandoffQueue
from assistant.settings import HandoffSettings
from tests.handoff.conftest import Clock, agent, open_for


def test_default_weights_are_the_documented_ones(settings: HandoffSettings) -> None:
    # The hand-computed expectations below rely on these; a changed default must change them too.
    assert (settings.sentiment_weight, settings.vip_weight, settings.wait_weight, settings.wait_cap_minutes) == (3, 2, 2, 30)
    weights = settings.reason_weights
    assert (weights["anger"], weights["complaint"], weights["explicit_request"], weights["out_of_scope"]) == (2, 1, 0.5, 0)


def test_the_parts_of_one_priority(settings: HandoffSettings) -> None:
    parts = priority_parts(settings, sentiment_score=-0.8, vip=True, waited_seconds=5 * 60, reason="anger")
    assert parts == pytest.approx({"sentiment": 2.4, "vip": 2.0, "waiting": 2 * 5 / 30, "reason": 2.0}, abs=1e-3)
    happy = priority_parts(settings, sentiment_score=0.9, vip=False, waited_seconds=3 * 3600, reason="no_such_reason")
    assert happy == {"sentiment": 0.0, "vip": 0.0, "waiting": 2.0, "reason": 0.0}  # waiting is capped, unknown reason adds 0


def test_angry_vip_first_then_by_formula_and_waiting_is_capped(
    queue: HandoffQueue, store: ConversationStore, registry: AgentRegistry, clock: Clock
) -> None:
    calm = open_for(queue, store, customer="calm", reason="explicit_request", sentiment_score=0.2)
    clock.advance(minutes=10)
    complaint = open_for(queue, store, customer="complainer", reason="complaint", sentiment_score=-0.5, intent="complaint")
    clock.advance(minutes=15)
    angry_vip = open_for(queue, store, customer="angry-vip", reason="anger", sentiment_score=-0.8, vip=True)
    clock.advance(minutes=4)
    odd_vip = open_for(queue, store, customer="odd-vip", reason="out_of_scope", sentiment_score=None, vip=True, intent=None)
    clock.advance(minutes=1)  # now: 30, 20, 5 and 1 minutes of waiting
    reader = agent(registry, "reader", skills=("complaints",), max_active=10)

    listed = queue.list_queue(agent=reader)
    expected = {
        angry_vip.id: 3 * 0.8 + 2 + 2 * 5 / 30 + 2,  # 6.733
        complaint.id: 3 * 0.5 + 0 + 2 * 20 / 30 + 1,  # 3.833
        calm.id: 0 + 0 + 2 * 30 / 30 + 0.5,  # 2.5
        odd_vip.id: 0 + 2 + 2 * 1 / 30 + 0,  # 2.067
    }
    assert [h.id for h in listed] == [angry_vip.id, complaint.id, calm.id, odd_vip.id]
    assert {h.id: h.priority for h in listed} == pytest.approx(expected, abs=1e-3)
    assert {h.id: h.waiting_seconds for h in listed} == pytest.approx(
        {angry_vip.id: 300, complaint.id: 1200, calm.id: 1800, odd_vip.id: 60}
    )

    clock.advance(minutes=60)  # every wait is past the 30-minute cap: the VIP overtakes the calm customer
    listed = queue.list_queue(agent=reader)
    assert [h.id for h in listed] == [angry_vip.id, complaint.id, odd_vip.id, calm.id]
    assert [h.priority for h in listed] == pytest.approx([8.4, 4.5, 4.0, 2.5], abs=1e-3)


def test_equal_priorities_keep_arrival_order(
    queue: HandoffQueue, store: ConversationStore, registry: AgentRegistry, clock: Clock
) -> None:
    first = open_for(queue, store, customer="first", reason="out_of_scope", intent=None)
    second = open_for(queue, store, customer="second", reason="out_of_scope", intent=None)  # same moment, same terms
    listed = queue.list_queue(agent=agent(registry, "reader"))
    assert [h.id for h in listed] == [first.id, second.id]
    assert listed[0].priority == listed[1].priority == 0


def test_required_skills_come_from_language_reason_and_intent(settings: HandoffSettings) -> None:
    assert required_skills(settings, language="zh", reason="risky_write", intent="return_item") == ["lang:zh", "refunds"]
    assert required_skills(settings, language="en", reason="complaint", intent="payment") == [
        "complaints",
        "lang:en",
        "payments",
    ]
    assert required_skills(settings, language="other", reason="explicit_request", intent=None) == []
