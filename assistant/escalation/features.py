"""The evidence one message gives for each message reason, as the numbers the calibrated weights read.

A rule that matched h times gives 1 - 0.5**h (one match 0.5, two 0.75, ...): in a chat message a
rule matches once or not at all, while in a long text (an e-mail, a scripted scenario) how often it
matches tells a passing mention from the point of the message. Intent probabilities count only for
intents mapped to a reason in settings (`escalation.intent_reasons`) and over their floor, so a
renamed intent set is a settings change. Pure functions: the decision runs twice per turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from assistant.escalation.models import EscalationInput
from assistant.settings import EscalationSettings, MessageReason, SignalPart
from assistant.understanding.signals import SignalRules

MESSAGE_REASONS: tuple[MessageReason, ...] = get_args(MessageReason)
PARTS: tuple[SignalPart, ...] = get_args(SignalPart)

# Feature name -> the reason it is evidence for; None: context that changes how much the evidence weighs
# (negative sentiment, a long text) but is no reason to hand over by itself.
FEATURE_REASONS: dict[str, MessageReason | None] = {
    "request": "explicit_request",
    "intent_explicit_request": "explicit_request",
    "legal_threat": "legal_safety_fraud",
    "safety_incident": "legal_safety_fraud",
    "fraud_report": "legal_safety_fraud",
    "security_lock": "legal_safety_fraud",
    "intent_legal_safety_fraud": "legal_safety_fraud",
    "anger": "anger",
    "intent_anger": "anger",
    "complaint": "complaint",
    "intent_complaint": "complaint",
    "negativity": None,
    "long": None,
}
# Rule categories read from the text, and the understanding's signal or emotion that stands in without it.
_RULES = {"request": "human_request", "anger": "anger", "complaint": "complaint"}


@dataclass(frozen=True)
class MessageEvidence:
    values: dict[str, float]
    long: bool  # longer than a chat message (an e-mail, a scripted scenario)
    asked: bool  # a request for a person in the customer's own voice ("let me talk to...", "transfer me to...")

    @property
    def requests_a_person(self) -> bool:
        """The hard guarantee: an ask, or in a chat-length message any request; a bare mention of a person in a
        long text ("if the agent offers to transfer you to a human agent...") is only weighed."""
        return self.values["request"] > 0 and (self.asked or not self.long)


def rule_evidence(hits: int) -> float:
    return 1.0 - 0.5**hits if hits > 0 else 0.0


def message_evidence(
    turn: EscalationInput, settings: EscalationSettings, rules: SignalRules, *, long_message_chars: int
) -> MessageEvidence:
    current, text = turn.current, turn.text
    hits = _rule_hits(turn, rules)
    for part in settings.handled_topics:
        hits[part] = 0
    values = {feature: rule_evidence(count) for feature, count in hits.items()}
    for reason in MESSAGE_REASONS:
        mapped = settings.intent_reasons.get(current.intent) == reason
        counts = mapped and current.intent_confidence >= settings.intent_min_confidence
        values[f"intent_{reason}"] = current.intent_confidence if counts else 0.0
    values["negativity"] = max(0.0, -current.sentiment_score)
    long = len(text) > long_message_chars
    values["long"] = 1.0 if long else 0.0
    asked = rules.fires("human_ask", text) if text else "human_request" in current.signals
    return MessageEvidence(values=values, long=long, asked=asked)


def _rule_hits(turn: EscalationInput, rules: SignalRules) -> dict[str, int]:
    if turn.text:
        counts = {feature: rules.hits(category, turn.text) for feature, category in _RULES.items()}
        return counts | {part: rules.hits(part, turn.text) for part in PARTS}
    # No text (an older caller, a stored turn): the understanding's signals, one match each; a legal/safety/fraud
    # signal counts for every part, since which one it was is not known.
    current = turn.current
    present = current.signals | current.emotions
    counts = {feature: int(category in present) for feature, category in _RULES.items()}
    return counts | {part: int("legal_safety_fraud" in current.signals) for part in PARTS}
