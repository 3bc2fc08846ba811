"""The escalation decision over given understandings (the unit here is the decision itself)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.escalation import EscalationInput, EscalationPolicy, PastTurn
from assistant.settings import Settings
from assistant.shops import load_shop
from assistant.tools.approval import ApprovalRule
from assistant.understanding.models import Understanding


def message(
    intent: str = "track_order",
    *,
    confidence: float = 0.9,
    sentiment: str = "neutral",
    score: float = 0.0,
    emotions: set[str] | None = None,
    signals: set[str] | None = None,
    out_of_scope: bool = False,
) -> Understanding:
    return Understanding(
        language="en",
        intent="out_of_scope" if out_of_scope else intent,
        intent_confidence=confidence,
        out_of_scope=out_of_scope,
        sentiment=sentiment,  # type: ignore[arg-type]
        sentiment_score=score,
        emotions=emotions or set(),  # type: ignore[arg-type]
        signals=signals or set(),  # type: ignore[arg-type]
    )


ANGRY = {"sentiment": "negative", "score": -0.6, "emotions": {"anger"}}


@pytest.fixture
def policy(make_settings: Callable[..., Settings]) -> EscalationPolicy:
    return EscalationPolicy.from_settings(make_settings())


def test_calm_question_does_not_escalate(policy: EscalationPolicy) -> None:
    decision = policy.decide(EscalationInput(current=message()))
    assert not decision.escalate and decision.reason is None and decision.confidence > 0.9


def test_explicit_request_by_rule_or_by_intent(policy: EscalationPolicy) -> None:
    by_rule = policy.decide(EscalationInput(current=message("track_order", signals={"human_request"})))
    by_intent = policy.decide(EscalationInput(current=message("human_agent", confidence=0.8)))
    unsure = policy.decide(EscalationInput(current=message("human_agent", confidence=0.2)))
    assert (by_rule.escalate, by_rule.reason, by_rule.triggers[0].kind) == (True, "explicit_request", "guarantee")
    # The intent alone is weighed (its calibrated weight), not obeyed: a sure intent hands over, a weak one does not.
    assert (by_intent.escalate, by_intent.reason, by_intent.triggers[0].kind) == (True, "explicit_request", "score")
    assert by_intent.confidence == pytest.approx(by_intent.probability, abs=1e-3) and by_intent.probability > policy.threshold
    assert not unsure.escalate and unsure.probability is not None and unsure.probability < policy.threshold


def test_three_angry_messages_in_a_row_hand_off(make_settings: Callable[..., Settings]) -> None:
    # A threshold no single message reaches: what is measured is the streak rule.
    policy = EscalationPolicy.from_settings(make_settings(escalation={"anger_turns": 3, "threshold": 0.9999}))
    history: list[PastTurn] = []
    decisions = []
    for _ in range(3):
        current = message(**ANGRY)  # type: ignore[arg-type]
        decisions.append(policy.decide(EscalationInput(current=current, history=history)))
        history.append(PastTurn(understanding=current))
    assert [d.escalate for d in decisions] == [False, False, True]
    assert decisions[-1].reason == "anger"


def test_a_calm_turn_breaks_the_anger_streak(make_settings: Callable[..., Settings]) -> None:
    policy = EscalationPolicy.from_settings(make_settings(escalation={"anger_turns": 2, "threshold": 0.9999}))
    calm_between = [PastTurn(understanding=message(**ANGRY)), PastTurn(understanding=message())]  # type: ignore[arg-type]
    angry_before = [PastTurn(understanding=message(**ANGRY))]  # type: ignore[arg-type]
    assert not policy.decide(EscalationInput(current=message(**ANGRY), history=calm_between)).escalate  # type: ignore[arg-type]
    assert policy.decide(EscalationInput(current=message(**ANGRY), history=angry_before)).reason == "anger"  # type: ignore[arg-type]


def test_one_angry_message_hands_off_at_once(policy: EscalationPolicy) -> None:
    decision = policy.decide(EscalationInput(current=message(**ANGRY)))  # type: ignore[arg-type]
    assert (decision.escalate, decision.reason, decision.triggers[0].kind) == (True, "anger", "score")


def test_repeated_negative_sentiment(policy: EscalationPolicy) -> None:
    negative = message(sentiment="negative", score=-0.5)
    two = [PastTurn(understanding=negative)] * 2
    assert policy.decide(EscalationInput(current=negative, history=two)).reason == "repeated_negative"
    assert not policy.decide(EscalationInput(current=negative, history=two[:1])).escalate


def test_same_question_failing_twice(policy: EscalationPolicy) -> None:
    failed = PastTurn(understanding=message("return_item"), outcome="failed")
    other_failed = PastTurn(understanding=message("track_order"), outcome="failed")
    assert policy.decide(EscalationInput(current=message("return_item"), history=[failed, failed])).reason == "repeated_failure"
    assert policy.decide(EscalationInput(current=message("return_item"), history=[failed], current_outcome="failed")).escalate
    assert not policy.decide(EscalationInput(current=message("return_item"), history=[failed, other_failed])).escalate


def test_low_retrieval_confidence_only_on_policy_questions(policy: EscalationPolicy) -> None:
    low = policy.decide(EscalationInput(current=message(), policy_question=True, retrieval_confidence=0.05))
    not_policy = policy.decide(EscalationInput(current=message(), policy_question=False, retrieval_confidence=0.05))
    good = policy.decide(EscalationInput(current=message(), policy_question=True, retrieval_confidence=0.8))
    assert low.reason == "low_retrieval_confidence" and 0.6 <= low.confidence <= 0.95
    assert not not_policy.escalate and not good.escalate


def test_refund_over_the_limit_waits_for_approval(make_settings: Callable[..., Settings]) -> None:
    retail = load_shop("retail").policy
    rule = ApprovalRule.for_shop(make_settings(escalation={"refund_limit": 200.0, "approval_tools": ["exchange_items"]}), retail)
    assert rule.reason("return_delivered_order_items", 250) == "refund_over_limit"
    assert rule.reason("return_delivered_order_items", 150) is None
    assert rule.reason("exchange_items", 0) == "always_approved_tool"


def test_refund_limit_defaults_to_the_shops_policy(make_settings: Callable[..., Settings]) -> None:
    retail = load_shop("retail").policy
    assert ApprovalRule.for_shop(make_settings(), retail).refund_limit == 1000.0  # shops/retail/policy.toml
    assert ApprovalRule.for_shop(make_settings(), load_shop("jd_appliances").policy).refund_limit == 10000.0  # CNY
    rule = ApprovalRule.for_shop(make_settings(), retail.model_copy(update={"approval_refund_limit": 50.0}))
    assert rule.reason("cancel_pending_order", 60) == "refund_over_limit" and rule.reason("cancel_pending_order", 40) is None


def test_the_policy_never_decides_approval_itself(policy: EscalationPolicy) -> None:
    # The approval rule decides when a write is proposed; the policy has no second opinion on it.
    assert not policy.decide(EscalationInput(current=message())).escalate


def test_complaint_and_legal_topics(policy: EscalationPolicy) -> None:
    assert policy.decide(EscalationInput(current=message("complaint", confidence=0.9))).reason == "complaint"
    assert policy.decide(EscalationInput(current=message(signals={"complaint"}))).reason == "complaint"
    # Both in one message: one score, reported by the reason that added most to it; both shares are recorded.
    legal = policy.decide(EscalationInput(current=message(), text="I'm calling my lawyer, and I want to file a complaint"))
    assert legal.escalate and set(legal.contributions) >= {"legal_safety_fraud", "complaint"}
    assert legal.contributions["legal_safety_fraud"] > 0 and legal.contributions["complaint"] > 0
    assert legal.reason == max(legal.contributions, key=lambda reason: legal.contributions[reason])


def test_vip_tag_escalates_on_a_negative_message(policy: EscalationPolicy) -> None:
    negative = message(sentiment="negative", score=-0.4)
    assert policy.decide(EscalationInput(current=negative, customer_tags={"VIP"})).reason == "vip_or_complainer"
    assert not policy.decide(EscalationInput(current=message(), customer_tags={"vip"})).escalate


def test_out_of_scope_twice(policy: EscalationPolicy) -> None:
    oos = message(out_of_scope=True, confidence=0.2)
    assert not policy.decide(EscalationInput(current=oos)).escalate
    earlier = [PastTurn(understanding=oos)]
    # Out of scope alone is no reason: only when the assistant could not answer it either.
    assert not policy.decide(EscalationInput(current=oos, history=earlier)).escalate
    assert policy.decide(EscalationInput(current=oos, history=earlier, current_outcome="failed")).reason == "out_of_scope"


def test_disabled_reason_and_priority_come_from_settings(make_settings: Callable[..., Settings]) -> None:
    current = message("complaint", confidence=0.95, signals={"human_request"})
    only_complaint = EscalationPolicy.from_settings(make_settings(escalation={"enabled_reasons": ["complaint"]}))
    complaint_first = EscalationPolicy.from_settings(
        make_settings(escalation={"enabled_reasons": ["complaint", "explicit_request"]})
    )
    nothing = EscalationPolicy.from_settings(make_settings(escalation={"enabled_reasons": []}))
    assert only_complaint.decide(EscalationInput(current=current)).reason == "complaint"
    assert [t.reason for t in complaint_first.decide(EscalationInput(current=current)).triggers] == [
        "complaint",
        "explicit_request",
    ]
    assert not nothing.decide(EscalationInput(current=current)).escalate


def test_unknown_reason_in_settings_is_refused(make_settings: Callable[..., Settings]) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        make_settings(escalation={"enabled_reasons": ["bored"]})


def test_reply_promising_a_transfer_forces_the_handoff(policy: EscalationPolicy) -> None:
    calm = policy.decide(EscalationInput(current=message()))
    forced = policy.enforce_reply(calm, "I'll transfer you to a human agent now.")
    kept = policy.enforce_reply(calm, "Your order W123 ships tomorrow.")
    assert forced.escalate and forced.reply_promised_transfer and not kept.escalate


def test_greetings_out_of_scope_do_not_escalate(policy: EscalationPolicy) -> None:
    hello = message(out_of_scope=True, confidence=0.3, signals={"small_talk"})
    thanks = message(out_of_scope=True, confidence=0.05, signals={"small_talk"})
    assert not policy.decide(EscalationInput(current=thanks, history=[PastTurn(understanding=hello)])).escalate
