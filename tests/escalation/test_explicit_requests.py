"""End to end with the real classifier: an explicit request for a human hands off in one turn."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.escalation import EscalationInput, EscalationPolicy, PastTurn
from assistant.settings import Settings
from assistant.understanding import MessageUnderstanding


@pytest.fixture
def policy(make_settings: Callable[..., Settings]) -> EscalationPolicy:
    return EscalationPolicy.from_settings(make_settings())


@pytest.mark.parametrize("text", ["我要转人工", "人工客服", "let me talk to a person", "I want a real human, not a bot"])
def test_explicit_request_hands_off_in_one_turn(understanding: MessageUnderstanding, policy: EscalationPolicy, text: str) -> None:
    decision = policy.decide(EscalationInput(current=understanding.analyse(text)))
    assert (decision.escalate, decision.reason) == (True, "explicit_request")


@pytest.mark.parametrize("text", ["我想和人工客服说话", "could you put me in touch with a live agent", "I need an agent"])
def test_explicit_request_is_also_caught_by_intent(
    understanding: MessageUnderstanding, policy: EscalationPolicy, make_settings: Callable[..., Settings], text: str
) -> None:
    understood = understanding.analyse(text)
    assert understood.intent == "human_agent", understood
    without_rule = understood.model_copy(update={"signals": set()})
    decision = policy.decide(EscalationInput(current=without_rule))
    assert (decision.escalate, decision.reason) == (True, "explicit_request")


def test_three_angry_messages_hand_off(understanding: MessageUnderstanding, policy: EscalationPolicy) -> None:
    messages = [
        "This is ridiculous, my order is late again",
        "你们这是什么破服务，气死我了",
        "I am fed up with this, unacceptable!",
    ]
    history: list[PastTurn] = []
    decisions = []
    for text in messages:
        current = understanding.analyse(text)
        assert "anger" in current.emotions and current.sentiment == "negative", current
        decisions.append(policy.decide(EscalationInput(current=current, history=history)))
        history.append(PastTurn(understanding=current))
    assert decisions[-1].escalate and any(d.reason == "anger" for d in decisions)


@pytest.mark.parametrize(
    "text", ["where is my order?", "我的快递到哪了", "can I change my delivery address", "thanks, that's all"]
)
def test_ordinary_messages_stay_with_the_assistant(
    understanding: MessageUnderstanding, policy: EscalationPolicy, text: str
) -> None:
    decision = policy.decide(EscalationInput(current=understanding.analyse(text)))
    assert not decision.escalate, decision
