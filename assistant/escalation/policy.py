"""The escalation decision: pure, fast, and made on every turn from what was understood.

Each reason is a small check over the current message, the recent turns and the
turn's context; the first enabled reason (settings order) that fires is
reported. The decision, not the model's wording, triggers a handoff — and a reply
that promises a transfer forces one (`enforce_reply`).
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.escalation.models import EscalationDecision, EscalationInput, Trigger
from assistant.settings import EscalationReason, EscalationSettings, Settings
from assistant.understanding.models import Understanding
from assistant.understanding.signals import load_signal_rules


class EscalationPolicy:
    """Decides, for one turn, whether a person must take over."""

    def __init__(self, settings: EscalationSettings, *, min_retrieval_confidence: float) -> None:
        self._settings = settings
        self._min_retrieval = min_retrieval_confidence
        self._checks: dict[EscalationReason, Callable[[EscalationInput], Trigger | None]] = {
            "explicit_request": self._explicit_request,
            "legal_safety_fraud": self._legal_safety_fraud,
            "anger": self._anger,
            "complaint": self._complaint,
            "repeated_failure": self._repeated_failure,
            "repeated_negative": self._repeated_negative,
            "low_retrieval_confidence": self._low_retrieval,
            "vip_or_complainer": self._tagged_customer,
            "out_of_scope": self._out_of_scope,
        }

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

    def decide(self, turn: EscalationInput) -> EscalationDecision:
        turn = turn.model_copy(update={"history": turn.history[-self._settings.history_turns :]})
        # `risky_write` has no check here: the approval rule (assistant/tools/approval.py) decides it when the write
        # is proposed, and the turn hands over with that reason when the customer confirms such a write.
        checks = [self._checks[reason] for reason in self._settings.enabled_reasons if reason in self._checks]
        triggers = [trigger for check in checks if (trigger := check(turn))]
        if triggers:
            first = triggers[0]
            return EscalationDecision(
                escalate=True,
                reason=first.reason,
                confidence=first.confidence,
                explanation=first.explanation,
                triggers=triggers,
                reply_promised_transfer=False,
            )
        doubt = max(_negativity(turn.current), self._escalation_intent_probability(turn.current))
        return EscalationDecision(
            escalate=False,
            reason=None,
            confidence=round(1.0 - 0.5 * doubt, 3),
            explanation="no escalation reason fired",
            reply_promised_transfer=False,
        )

    def enforce_reply(self, decision: EscalationDecision, reply: str) -> EscalationDecision:
        """Hand off anyway when the assistant's reply promises a human transfer that the decision did not make."""
        if decision.escalate or not reply_promises_transfer(reply):
            return decision
        return EscalationDecision(
            escalate=True,
            reason=None,
            confidence=0.9,
            explanation="the assistant's reply promised a human transfer; handing off so the promise is kept",
            reply_promised_transfer=True,
        )

    # --- the checks, one per reason -------------------------------------------------------------

    def _explicit_request(self, turn: EscalationInput) -> Trigger | None:
        if "human_request" in turn.current.signals:
            return Trigger(reason="explicit_request", confidence=0.95, explanation="the customer asked for a human")
        return self._by_intent(turn.current, "explicit_request")

    def _complaint(self, turn: EscalationInput) -> Trigger | None:
        if "complaint" in turn.current.signals:
            return Trigger(reason="complaint", confidence=0.85, explanation="the customer is making a complaint")
        return self._by_intent(turn.current, "complaint")

    def _by_intent(self, current: Understanding, reason: EscalationReason) -> Trigger | None:
        wanted = {intent for intent, mapped in self._settings.intent_reasons.items() if mapped == reason}
        if current.intent in wanted and current.intent_confidence >= self._settings.intent_min_confidence:
            return Trigger(
                reason=reason,
                confidence=round(current.intent_confidence, 3),
                explanation=f"intent {current.intent} ({current.intent_confidence:.2f})",
            )
        return None

    def _legal_safety_fraud(self, turn: EscalationInput) -> Trigger | None:
        if "legal_safety_fraud" in turn.current.signals:
            return Trigger(reason="legal_safety_fraud", confidence=0.9, explanation="a legal, safety or fraud topic")
        return None

    def _anger(self, turn: EscalationInput) -> Trigger | None:
        current = turn.current
        if "anger" not in current.emotions:
            return None
        streak = 1 + _streak(turn, lambda u: "anger" in u.emotions)
        if current.sentiment_score <= self._settings.anger_immediate_score:
            return Trigger(reason="anger", confidence=0.9, explanation=f"a very angry message ({current.sentiment_score:.2f})")
        if streak >= self._settings.anger_turns:
            return Trigger(
                reason="anger", confidence=min(0.95, 0.6 + 0.1 * streak), explanation=f"{streak} angry messages in a row"
            )
        return None

    def _repeated_negative(self, turn: EscalationInput) -> Trigger | None:
        if turn.current.sentiment != "negative":
            return None
        streak = 1 + _streak(turn, lambda u: u.sentiment == "negative")
        if streak >= self._settings.negative_turns:
            return Trigger(
                reason="repeated_negative",
                confidence=min(0.95, 0.5 + 0.1 * streak),
                explanation=f"{streak} negative messages in a row",
            )
        return None

    def _repeated_failure(self, turn: EscalationInput) -> Trigger | None:
        intent = turn.current.intent
        failures = sum(1 for record in turn.history if record.outcome == "failed" and record.understanding.intent == intent)
        failures += turn.current_outcome == "failed"
        if failures >= self._settings.failed_attempts:
            return Trigger(
                reason="repeated_failure",
                confidence=min(0.95, 0.6 + 0.1 * failures),
                explanation=f"{failures} failed answers on {intent}",
            )
        return None

    def _low_retrieval(self, turn: EscalationInput) -> Trigger | None:
        score = turn.retrieval_confidence
        if not turn.policy_question or score is None or score >= self._min_retrieval:
            return None
        margin = (self._min_retrieval - score) / max(self._min_retrieval, 1e-6)
        return Trigger(
            reason="low_retrieval_confidence",
            confidence=round(min(0.95, 0.6 + 0.35 * margin), 3),
            explanation=f"retrieval score {score:.2f} under {self._min_retrieval:.2f} on a policy question",
        )

    def _tagged_customer(self, turn: EscalationInput) -> Trigger | None:
        tags = {tag.lower() for tag in turn.customer_tags}
        matched = sorted(tags & {tag.lower() for tag in [*self._settings.vip_tags, *self._settings.complainer_tags]})
        if not matched:
            return None
        if self._settings.tagged_customer_needs_negative and turn.current.sentiment != "negative":
            return None
        return Trigger(reason="vip_or_complainer", confidence=0.7, explanation=f"customer tagged {', '.join(matched)}")

    def _out_of_scope(self, turn: EscalationInput) -> Trigger | None:
        # Greetings and thanks are outside every intent set but are no reason to call a person.
        def unanswerable(understanding: Understanding) -> bool:
            return understanding.out_of_scope and "small_talk" not in understanding.signals

        # Only once the assistant has tried and failed: a product or policy question outside the intent
        # set is still answered from the knowledge base, and a person is no better at it.
        if not unanswerable(turn.current) or turn.current_outcome != "failed":
            return None
        streak = 1 + _streak(turn, unanswerable)
        if streak >= self._settings.out_of_scope_turns:
            return Trigger(reason="out_of_scope", confidence=0.6, explanation=f"{streak} out-of-scope messages in a row")
        return None

    def _escalation_intent_probability(self, current: Understanding) -> float:
        return current.intent_confidence if current.intent in self._settings.intent_reasons else 0.0


def _streak(turn: EscalationInput, holds: Callable[[Understanding], bool]) -> int:
    """How many of the latest earlier turns, counting back, satisfy `holds` without a break."""
    count = 0
    for record in reversed(turn.history):
        if not holds(record.understanding):
            break
        count += 1
    return count


def _negativity(current: Understanding) -> float:
    return max(0.0, -current.sentiment_score)


def reply_promises_transfer(reply: str) -> bool:
    """True when an assistant reply (zh or en) tells the customer a person will take over."""
    return load_signal_rules().promises_transfer(reply)


def reply_offers_transfer(reply: str) -> bool:
    """True when an assistant reply (zh or en) asks whether the customer wants a person."""
    return load_signal_rules().offers_transfer(reply)
