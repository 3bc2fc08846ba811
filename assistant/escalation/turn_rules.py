"""The reasons that need more than one message: streaks, failures, retrieval confidence, CRM tags.

Each is a small check over the recent turns and the turn's context, with its threshold in settings
(`escalation.anger_turns`, `negative_turns`, `failed_attempts`, `out_of_scope_turns`, ...). Labelled
single messages cannot calibrate them, so they stay rules.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.escalation.models import EscalationInput, Trigger
from assistant.settings import EscalationReason, EscalationSettings
from assistant.understanding.models import Understanding

TurnRule = Callable[[EscalationInput], Trigger | None]


class TurnRules:
    def __init__(self, settings: EscalationSettings, *, min_retrieval_confidence: float) -> None:
        self._settings = settings
        self._min_retrieval = min_retrieval_confidence
        self.checks: dict[EscalationReason, TurnRule] = {
            "anger": self._anger_streak,
            "repeated_failure": self._repeated_failure,
            "repeated_negative": self._repeated_negative,
            "low_retrieval_confidence": self._low_retrieval,
            "vip_or_complainer": self._tagged_customer,
            "out_of_scope": self._out_of_scope,
        }

    def fired(self, turn: EscalationInput) -> list[Trigger]:
        return [trigger for reason, check in self.checks.items() if (trigger := check(turn))]

    def _anger_streak(self, turn: EscalationInput) -> Trigger | None:
        if "anger" not in turn.current.emotions:
            return None
        streak = 1 + _streak(turn, lambda u: "anger" in u.emotions)
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


def _streak(turn: EscalationInput, holds: Callable[[Understanding], bool]) -> int:
    """How many of the latest earlier turns, counting back, satisfy `holds` without a break."""
    count = 0
    for record in reversed(turn.history):
        if not holds(record.understanding):
            break
        count += 1
    return count
