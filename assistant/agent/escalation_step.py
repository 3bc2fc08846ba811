"""The escalation step of a turn: a decision on every turn, and the handoff when the decision says so.

The decision (assistant/escalation) reads what was understood of this message and
the earlier ones, how the turn went, and the customer's CRM tags. It runs twice:
before the turn (an explicit request, anger, a legal topic hand over at once) and
after it (a failed answer, low retrieval confidence, a reply that promised a
person). The handoff itself goes to the human queue (assistant/handoff).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from assistant.connectors.interfaces import Connectors
from assistant.conversations.records import EarlierTurn
from assistant.escalation import EscalationDecision, EscalationInput, EscalationPolicy, PastTurn, Trigger
from assistant.settings import EscalationReason
from assistant.understanding.models import Understanding

logger = logging.getLogger(__name__)

TAGS_TIMEOUT_SECONDS = 2.0
# How a recorded turn outcome counts for "the same question failing twice".
_FAILED_OUTCOMES = {"unanswered", "failed"}


@dataclass
class EscalationContext:
    """What the decision reads besides the current message: earlier turns and CRM tags."""

    earlier: list[EarlierTurn] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)

    def history(self) -> list[PastTurn]:
        return [
            PastTurn(
                understanding=Understanding.model_validate(turn.understanding),
                outcome="failed" if turn.outcome in _FAILED_OUTCOMES else "answered",
            )
            for turn in self.earlier
            if turn.understanding is not None
        ]

    @property
    def offered_handoff(self) -> bool:
        """The previous reply asked whether the customer wants a person."""
        return bool(self.earlier) and self.earlier[-1].handoff_offered


class TurnEscalation:
    def __init__(self, policy: EscalationPolicy, connectors: Connectors, *, vip_tags: list[str]) -> None:
        self._policy = policy
        self._connectors = connectors
        self._vip_tags = {tag.lower() for tag in vip_tags}

    async def customer_tags(self, customer_id: str) -> set[str]:
        """CRM tags of the customer; none when the CRM is slow, down or does not know them (never fails the turn)."""
        try:
            customer = await asyncio.wait_for(self._connectors.crm.get_customer(customer_id), TAGS_TIMEOUT_SECONDS)
        except Exception as exc:  # the tags only sharpen the decision; a turn never waits or fails for them
            logger.info("no CRM tags for %s: %s", customer_id, exc)
            return set()
        return {tag.lower() for tag in customer.tags}

    def is_vip(self, tags: set[str]) -> bool:
        return bool(tags & self._vip_tags)

    def decide(
        self,
        current: Understanding,
        context: EscalationContext,
        *,
        text: str = "",
        outcome: str = "pending",
        policy_question: bool = False,
        retrieval_confidence: float | None = None,
    ) -> EscalationDecision:
        return self._policy.decide(
            EscalationInput(
                current=current,
                text=text,
                history=context.history(),
                current_outcome="failed" if outcome in _FAILED_OUTCOMES else "pending" if outcome == "pending" else "answered",
                policy_question=policy_question,
                retrieval_confidence=retrieval_confidence,
                customer_tags=context.tags,
            )
        )

    def enforce_reply(self, decision: EscalationDecision, reply: str) -> EscalationDecision:
        return self._policy.enforce_reply(decision, reply)


def _forced(reason: EscalationReason, confidence: float, explanation: str) -> EscalationDecision:
    """A decision the turn makes itself, outside the policy's rules, recorded the same way."""
    trigger = Trigger(reason=reason, confidence=confidence, explanation=explanation)
    return EscalationDecision(
        escalate=True, reason=reason, confidence=confidence, explanation=explanation, triggers=[trigger],
        reply_promised_transfer=False,
    )  # fmt: skip


def requested_by_router() -> EscalationDecision:
    """The model's router read the message as a request for a person; the rules had missed it."""
    return _forced("explicit_request", 0.7, "the router read a request for a human")


def accepted_offer() -> EscalationDecision:
    """The customer said yes to the previous reply's offer of a person."""
    return _forced("explicit_request", 0.9, "the customer accepted the offer of a human agent")


def needs_approval(tool: str, explanation: str) -> EscalationDecision:
    """A confirmed write that the approval rule (tools/approval.py) holds for a human agent."""
    return _forced("risky_write", 1.0, explanation or f"{tool} needs an agent's approval")
