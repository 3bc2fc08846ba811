"""Escalation detection: whether a conversation must go to a human now, with a reason and a confidence."""

from assistant.escalation.models import EscalationDecision, EscalationInput, ProposedWrite, Trigger, TurnRecord
from assistant.escalation.policy import EscalationPolicy, reply_promises_transfer

__all__ = [
    "EscalationDecision",
    "EscalationInput",
    "EscalationPolicy",
    "ProposedWrite",
    "Trigger",
    "TurnRecord",
    "reply_promises_transfer",
]
