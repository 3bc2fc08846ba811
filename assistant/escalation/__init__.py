"""Escalation detection: whether a conversation must go to a human now, with a reason and a confidence."""

from assistant.escalation.models import EscalationDecision, EscalationInput, PastTurn, Trigger
from assistant.escalation.policy import EscalationPolicy, reply_offers_transfer, reply_promises_transfer

__all__ = [
    "EscalationDecision",
    "EscalationInput",
    "EscalationPolicy",
    "PastTurn",
    "Trigger",
    "reply_offers_transfer",
    "reply_promises_transfer",
]
