"""The calibrated decision with the real (small) understanding model: served examples, the threshold setting,
the bank's handled topics, long texts, and bad settings refused with a clear message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.errors import SettingsError
from assistant.escalation import EscalationDecision, EscalationInput, EscalationPolicy
from assistant.settings import Settings, load_settings
from assistant.understanding import MessageUnderstanding
from assistant.understanding.models import Understanding


@pytest.fixture
def decide(understanding: MessageUnderstanding, make_settings: Callable[..., Settings]) -> Callable[..., EscalationDecision]:
    def run(text: str, **escalation: object) -> EscalationDecision:
        policy = EscalationPolicy.from_settings(make_settings(escalation=escalation))
        return policy.decide(EscalationInput(current=understanding.analyse(text), text=text))

    return run


def test_an_explicit_request_in_an_angry_message_is_reported_as_the_request(decide: Callable[..., EscalationDecision]) -> None:
    decision = decide("这个太糟糕了，我要转人工！")
    assert (decision.escalate, decision.reason) == (True, "explicit_request")
    assert decision.triggers[0].kind == "guarantee" and "anger" in decision.contributions


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("太糟糕了，差评！", {"complaint", "anger"}),
        ("你们就是骗子", {"anger", "complaint"}),
        ("垃圾东西，赶紧退钱！", {"anger"}),
        ("再也不买你们家的了", {"anger", "complaint"}),
        ("我要投诉你们的快递", {"complaint"}),
        # Our labelling rule (evals/datasets/ESCALATION_SETS.md): asking how to complain is a complaint.
        ("how do I file a complaint about the courier?", {"complaint"}),
        ("The heater caught fire last night", {"legal_safety_fraud"}),
    ],
)
def test_angry_and_dissatisfied_messages_hand_over(
    decide: Callable[..., EscalationDecision], text: str, reasons: set[str]
) -> None:
    decision = decide(text)
    assert decision.escalate and decision.reason in reasons, decision


@pytest.mark.parametrize(
    "text",
    [
        "安装的人工费怎么算？",
        "不是投诉哈，就想问下什么时候能发货",
        "the box was a bit dented but it's ok",
        "My old vacuum was terrible, does this one handle pet hair?",
        "插座的漏电保护怎么测试",
    ],
)
def test_the_rules_words_in_another_sense_stay_with_the_assistant(decide: Callable[..., EscalationDecision], text: str) -> None:
    assert not decide(text).escalate


BANK_QUESTIONS = [
    "How do I dispute a charge on my credit card?",
    "There is a transaction on my debit card I don't recognize. Can you help me file a dispute?",
    "My wallet was stolen, please freeze my debit card and send a replacement.",
    "I think there's a fraudulent charge on my account, what should I do?",
]


@pytest.mark.parametrize("text", BANK_QUESTIONS)
def test_calm_banking_questions_about_disputes_and_fraud_stay_with_a_bank_assistant(
    decide: Callable[..., EscalationDecision], text: str
) -> None:
    # A bank's assistant files disputes and blocks cards itself: it declares fraud reports a topic it handles.
    assert not decide(text, handled_topics=["fraud_report"]).escalate


def test_a_shop_hands_fraud_reports_over_and_a_bank_still_hands_over_a_safety_incident(
    decide: Callable[..., EscalationDecision],
) -> None:
    assert decide("Someone hacked my account and placed orders I never made").reason == "legal_safety_fraud"
    assert decide("The card reader you sent caught fire and burned my hand", handled_topics=["fraud_report"]).escalate


def _understood(score: float = 0.0, **fields: object) -> Understanding:
    values: dict[str, object] = {
        "language": "en", "intent": "track_order", "intent_confidence": 0.9, "out_of_scope": False,
        "sentiment": "negative" if score < -0.25 else "neutral", "sentiment_score": score,
    }  # fmt: skip
    return Understanding.model_validate(values | fields)


def test_the_threshold_setting_changes_the_decision(make_settings: Callable[..., Settings]) -> None:
    # No rule fires: an unsure complaint intent and a negative sentiment speak, so the probability sits in between
    # and the threshold decides.
    current = _understood(score=-0.1, intent="complaint", intent_confidence=0.3)
    turn = EscalationInput(current=current, text="where is my order, it is so late")
    probability = EscalationPolicy.from_settings(make_settings()).score(turn).probability
    assert 0.05 < probability < 0.95
    low = EscalationPolicy.from_settings(make_settings(escalation={"threshold": max(0.01, probability - 0.05)}))
    high = EscalationPolicy.from_settings(make_settings(escalation={"threshold": min(0.99, probability + 0.05)}))
    assert low.decide(turn).escalate and low.decide(turn).reason == "complaint"
    assert not high.decide(turn).escalate
    assert high.decide(turn).probability == low.decide(turn).probability  # the same score, another decision


def test_the_default_threshold_is_the_one_chosen_with_the_weights(make_settings: Callable[..., Settings]) -> None:
    from assistant.escalation.scoring import load_weights

    assert EscalationPolicy.from_settings(make_settings()).threshold == load_weights(None).threshold
    assert EscalationPolicy.from_settings(make_settings(escalation={"threshold": 0.3})).threshold == 0.3


ROLE_PLAY = "You are playing the role of a customer of the bank. You want to check your card balance and pay your bill. " * 8


@pytest.mark.parametrize(
    ("ending", "hands_over"),
    [
        ("If the agent offers to transfer you to a human agent, decline politely.", False),
        ("Say: 'I need to speak to a human agent right now, transfer me to a person.'", True),
    ],
)
def test_in_a_long_text_only_an_ask_in_the_customers_voice_is_a_request(
    make_settings: Callable[..., Settings], ending: str, hands_over: bool
) -> None:
    text = ROLE_PLAY + ending
    decision = EscalationPolicy.from_settings(make_settings()).decide(EscalationInput(current=_understood(), text=text))
    assert decision.escalate is hands_over
    # The same mention in a chat-length message is a request.
    short = EscalationPolicy.from_settings(make_settings()).decide(EscalationInput(current=_understood(), text=ending))
    assert short.escalate and short.reason == "explicit_request"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ASSISTANT_ESCALATION__THRESHOLD", "1.5", "escalation.threshold: Input should be less than 1"),
        ("ASSISTANT_ESCALATION__THRESHOLD", "0", "escalation.threshold: Input should be greater than 0"),
        ("ASSISTANT_ESCALATION__WEIGHTS_FILE", "/nowhere/weights.toml", "no weights file at /nowhere/weights.toml"),
        ("ASSISTANT_ESCALATION__HANDLED_TOPICS", '["gossip"]', "escalation.handled_topics.0: Input should be"),
        ("ASSISTANT_ESCALATION__INTENT_REASONS", '{"refund": "repeated_failure"}', "escalation.intent_reasons.refund"),
        ("ASSISTANT_ESCALATION__ENABLED_REASONS", '["anger", "anger"]', "repeated: anger"),
        # A retired setting is refused, not silently ignored.
        ("ASSISTANT_ESCALATION__ANGER_IMMEDIATE_SCORE", "-0.8", "escalation.anger_immediate_score: Extra inputs"),
    ],
)
def test_bad_escalation_settings_are_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert message in str(refused.value)


GOOD_WEIGHTS = "[model]\nbias = -2.0\nthreshold = 0.5\nlong_message_chars = 600\n\n[weights]\nanger = 6.0\nnegativity = 1.0\n"


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ("[model]\nbias = 'x'", "needs a [model] table"),
        (GOOD_WEIGHTS.replace("anger = 6.0", "anger = -6.0"), "never lowers the probability; negative weights: ['anger']"),
        (GOOD_WEIGHTS.replace("anger = 6.0", "shouting = 6.0"), "unknown features ['shouting']"),
        (GOOD_WEIGHTS.replace("threshold = 0.5", "threshold = 2"), "threshold must be a probability"),
        ("not toml [", "not TOML"),
    ],
)
def test_a_bad_weights_file_is_refused_naming_the_file(
    make_settings: Callable[..., Settings], tmp_path: Path, weights: str, message: str
) -> None:
    path = tmp_path / "weights.toml"
    path.write_text(weights, encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        EscalationPolicy.from_settings(make_settings(escalation={"weights_file": path}))
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_a_weights_file_of_ones_own_is_used(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    path = tmp_path / "weights.toml"
    path.write_text(GOOD_WEIGHTS, encoding="utf-8")
    policy = EscalationPolicy.from_settings(make_settings(escalation={"weights_file": path}))
    turn = EscalationInput(current=_understood(score=-0.6), text="this is ridiculous")
    assert policy.threshold == 0.5
    assert policy.score(turn).probability == pytest.approx(1 / (1 + 2.718281828 ** -(-2.0 + 6.0 * 0.5 + 1.0 * 0.6)), 1e-4)


def test_a_guaranteed_request_stays_marked_so_when_the_score_agrees(make_settings: Callable[..., Settings]) -> None:
    # The intent is sure too, so the score alone would hand over as well (its probability is over the threshold):
    # the trigger kept is still the guarantee, which is what says the threshold did not matter.
    turn = EscalationInput(current=_understood(intent="human_agent", intent_confidence=0.99), text="转人工")
    policy = EscalationPolicy.from_settings(make_settings())
    decision = policy.decide(turn)
    assert decision.probability is not None and decision.probability >= policy.threshold
    assert [(t.reason, t.kind) for t in decision.triggers] == [("explicit_request", "guarantee")]


def test_a_mildly_negative_sentiment_alone_never_hands_over_whatever_the_threshold(
    make_settings: Callable[..., Settings],
) -> None:
    """A plain request the sentiment head reads as somewhat negative, with no rule and no intent behind it, stays with
    the assistant even at a low threshold; a very negative one still goes (and a conversation that stays negative
    goes by `repeated_negative`)."""
    policy = EscalationPolicy.from_settings(make_settings(escalation={"threshold": 0.05}))
    mild = policy.decide(EscalationInput(current=_understood(score=-0.6), text="If it is not available, cancel the order"))
    assert mild.probability is not None and mild.probability > 0.05  # the score is there, and recorded
    assert not mild.escalate, mild
    very = policy.decide(EscalationInput(current=_understood(score=-0.9), text="third time you sent the wrong thing"))
    assert very.escalate and very.reason == "anger", very
