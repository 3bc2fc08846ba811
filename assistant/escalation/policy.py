"""The escalation decision: pure, fast, and made on every turn from what was understood.

Three kinds of reason, in one decision:
- hard guarantees: an explicit request for a person always hands over — any request in a chat-length
  message, an ask in the customer's own voice in a longer one (features.py) — and a reply that
  promises a transfer forces a handoff (`enforce_reply`);
- the message's own reasons (explicit request, legal/safety/fraud, anger, complaint): their evidence
  (rule matches, intent probabilities, negative sentiment) is weighed into one calibrated probability
  that hands over at the threshold (`escalation.threshold`, else the one chosen with the weights),
  reporting the reason that contributed most;
- the turn's history and context (streaks, failures, retrieval confidence, CRM tags), as rules.
When several fire, the first in `escalation.enabled_reasons` is reported. The decision, not the
model's wording, triggers a handoff.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.escalation.features import MESSAGE_REASONS, message_evidence
from assistant.escalation.models import EscalationDecision, EscalationInput, Trigger
from assistant.escalation.scoring import EscalationWeights, Score, load_weights
from assistant.escalation.turn_rules import TurnRules
from assistant.settings import EscalationSettings, MessageReason, Settings
from assistant.understanding.signals import SignalRules, load_signal_rules

EXPLICIT_CONFIDENCE = 0.95
# A message whose only evidence is its sentiment hands over at or under this score (see _more_than_mild_sentiment).
VERY_NEGATIVE = -0.75
_READABLE = {
    "request": "asks for a person",
    "legal_threat": "a legal step",
    "safety_incident": "a safety incident",
    "fraud_report": "a fraud report",
    "security_lock": "a security lock",
    "anger": "angry words",
    "complaint": "a complaint",
}


class EscalationPolicy:
    """Decides, for one turn, whether a person must take over."""

    def __init__(
        self,
        settings: EscalationSettings,
        *,
        min_retrieval_confidence: float,
        weights: EscalationWeights | None = None,
        rules: SignalRules | None = None,
    ) -> None:
        self._settings = settings
        self._weights = weights or load_weights(settings.weights_file)
        self._rules = rules or load_signal_rules()
        self._turn_rules = TurnRules(settings, min_retrieval_confidence=min_retrieval_confidence)
        self._threshold = settings.threshold if settings.threshold is not None else self._weights.threshold
        self._enabled = set(settings.enabled_reasons)
        self._scored: set[MessageReason] = {reason for reason in MESSAGE_REASONS if reason in self._enabled}

    @classmethod
    def from_settings(cls, settings: Settings) -> EscalationPolicy:
        """The retrieval floor not set in `escalation` falls back to the agent's."""
        escalation = settings.escalation
        return cls(
            escalation,
            min_retrieval_confidence=escalation.min_retrieval_confidence
            if escalation.min_retrieval_confidence is not None
            else settings.agent.low_confidence_score,
        )

    @property
    def threshold(self) -> float:
        return self._threshold

    def score(self, turn: EscalationInput) -> Score:
        """The calibrated probability of the message's own reasons (what `threshold` is compared with)."""
        evidence = message_evidence(turn, self._settings, self._rules, long_message_chars=self._weights.long_message_chars)
        return self._weights.score(evidence.values, self._scored)

    def decide(self, turn: EscalationInput) -> EscalationDecision:
        turn = turn.model_copy(update={"history": turn.history[-self._settings.history_turns :]})
        # `risky_write` has no check here: the approval rule (assistant/tools/approval.py) decides it when the write
        # is proposed, and the turn hands over with that reason when the customer confirms such a write.
        evidence = message_evidence(turn, self._settings, self._rules, long_message_chars=self._weights.long_message_chars)
        score = self._weights.score(evidence.values, self._scored) if self._scored else None
        triggers: list[Trigger] = []
        if "explicit_request" in self._enabled and evidence.requests_a_person:
            triggers.append(
                Trigger(
                    reason="explicit_request",
                    confidence=EXPLICIT_CONFIDENCE,
                    explanation="the customer asked for a person",
                    kind="guarantee",
                )
            )
        if score is not None and score.probability >= self._threshold and _more_than_mild_sentiment(score, turn):
            triggers.append(self._scored_trigger(score, evidence.values))
        triggers += [trigger for trigger in self._turn_rules.fired(turn) if trigger.reason in self._enabled]
        triggers = _in_priority_order(_one_per_reason(triggers), self._settings.enabled_reasons)
        probability = None if score is None else round(score.probability, 4)
        contributions: dict[str, float] = {} if score is None else {str(k): v for k, v in score.contributions.items()}
        if triggers:
            first = triggers[0]
            return EscalationDecision(
                escalate=True, reason=first.reason, confidence=first.confidence, explanation=first.explanation,
                triggers=triggers, probability=probability, contributions=contributions, reply_promised_transfer=False,
            )  # fmt: skip
        return EscalationDecision(
            escalate=False,
            reason=None,
            confidence=round(1.0 - (probability or 0.0), 3),
            explanation="no escalation reason fired"
            if probability is None
            else f"message score {probability:.2f} under the threshold {self._threshold:.2f}",
            probability=probability,
            contributions=contributions,
            reply_promised_transfer=False,
        )

    def enforce_reply(self, decision: EscalationDecision, reply: str) -> EscalationDecision:
        """Hand off anyway when the assistant's reply promises a human transfer that the decision did not make."""
        if decision.escalate or not self._rules.promises_transfer(reply):
            return decision
        return EscalationDecision(
            escalate=True,
            reason=None,
            confidence=0.9,
            explanation="the assistant's reply promised a human transfer; handing off so the promise is kept",
            probability=decision.probability,
            contributions=decision.contributions,
            reply_promised_transfer=True,
        )

    def _scored_trigger(self, score: Score, values: dict[str, float]) -> Trigger:
        reason = score.top_reason
        seen = [text for feature, text in _READABLE.items() if values.get(feature, 0.0) > 0 and feature in self._weights.weights]
        if values["negativity"] > 0:
            seen.append(f"negative sentiment ({-values['negativity']:.2f})")
        return Trigger(
            reason=reason,
            confidence=round(score.probability, 3),
            explanation=f"{', '.join(seen) or 'the message'}: score {score.probability:.2f} ≥ {self._threshold:.2f}",
            kind="score",
        )


def _one_per_reason(triggers: list[Trigger]) -> list[Trigger]:
    """One trigger per reason: a guarantee over anything else (it says the threshold did not matter), else the surer."""
    best: dict[str, Trigger] = {}
    for trigger in triggers:
        rank = (trigger.kind == "guarantee", trigger.confidence)
        kept = best.get(trigger.reason)
        if kept is None or rank > (kept.kind == "guarantee", kept.confidence):
            best[trigger.reason] = trigger
    return list(best.values())


def _in_priority_order(triggers: list[Trigger], priority: Sequence[str]) -> list[Trigger]:
    return sorted(triggers, key=lambda trigger: priority.index(trigger.reason))


def reply_promises_transfer(reply: str) -> bool:
    """True when an assistant reply (zh or en) tells the customer a person will take over."""
    return load_signal_rules().promises_transfer(reply)


def reply_offers_transfer(reply: str) -> bool:
    """True when an assistant reply (zh or en) asks whether the customer wants a person."""
    return load_signal_rules().offers_transfer(reply)


def _more_than_mild_sentiment(score: Score, turn: EscalationInput) -> bool:
    """Is the score made of more than a mildly negative sentiment? With no rule and no intent behind it (every
    reason's share zero), only a very negative message hands over: the sentiment head reads plain requests as
    somewhat negative often enough ("If it is not available, cancel the whole order": -0.57), and a customer who
    stays unhappy is handed over by `repeated_negative`."""
    return any(share > 0 for share in score.contributions.values()) or turn.current.sentiment_score <= VERY_NEGATIVE
