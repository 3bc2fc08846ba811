"""The summary a human agent reads when a conversation is handed over.

Built from what the turn and the earlier turns recorded, without a model call:
a handoff must be immediate and its summary must be true even when the model
is down (a failed turn is a common reason to hand over).
"""

from __future__ import annotations

from assistant.conversations.records import EarlierTurn, PendingConfirmation, TurnRecord
from assistant.escalation import EscalationDecision
from assistant.handoff.models import HandoffSummary
from assistant.understanding.models import Understanding

CUSTOMER_LINES = 3
TOOL_LINES = 6

# What the agent should do first, per escalation reason (agents read English; the conversation itself is shown too).
NEXT_STEPS = {
    "explicit_request": "Greet the customer, confirm what they need, and take it from there.",
    "legal_safety_fraud": "A legal, safety or fraud topic: read the conversation first and follow the shop's procedure.",
    "risky_write": "Review the pending write (below) and approve or decline it; the customer has confirmed it.",
    "anger": "Apologise, acknowledge the problem in the customer's words, and offer a concrete fix.",
    "complaint": "Acknowledge the complaint, look at the order history, and offer a remedy the policy allows.",
    "repeated_failure": "The assistant failed twice on this request: answer it, and flag the gap if it is a knowledge one.",
    "repeated_negative": "The customer has been unhappy for several messages: acknowledge it and resolve the open request.",
    "low_retrieval_confidence": "The knowledge base has nothing reliable on this policy question: answer it, then add it.",
    "vip_or_complainer": "A tagged customer (VIP or frequent complainer) is unhappy: handle with priority.",
    "out_of_scope": "The request is outside what the assistant handles: answer it or route it to the right team.",
    "reply_promise": "The assistant told the customer a person would take over: take over.",
}


def handoff_brief(
    *,
    decision: EscalationDecision,
    understanding: Understanding,
    text: str,
    record: TurnRecord,
    earlier: list[EarlierTurn],
    earlier_customer_texts: list[str],
    conversation_summary: str | None,
    pending: PendingConfirmation | None = None,
) -> HandoffSummary:
    said = [*earlier_customer_texts[-(CUSTOMER_LINES - 1) :], text] if CUSTOMER_LINES > 1 else [text]
    wants = " / ".join(line.strip() for line in said if line.strip())
    if conversation_summary:
        wants = f"{conversation_summary.strip()} — latest: {wants}"
    tried = [f"{turn.route}: {turn.outcome}" for turn in earlier]
    tried.append(f"{record.route}: {record.outcome}")
    actions = [action for turn in earlier for action in turn.actions] + list(record.actions)
    tool_results = [f"{action.name} ({'ok' if action.ok else 'failed'}): {action.brief}" for action in actions][-TOOL_LINES:]
    reason = decision.reason or "reply_promise"
    next_step = NEXT_STEPS.get(reason, "Read the conversation and take over.")
    if pending is not None:
        next_step = f"{next_step} Pending: {pending.description}"
    return HandoffSummary(
        customer_wants=wants,
        language=understanding.language if understanding.language != "other" else record.language,
        intent=None if understanding.intent in ("unknown", "") else understanding.intent,
        sentiment=understanding.sentiment,
        sentiment_score=understanding.sentiment_score,
        emotions=sorted(understanding.emotions),
        tried=tried,
        tool_results=tool_results,
        reason=reason,
        reason_explanation=decision.explanation,
        suggested_next_step=next_step,
        pending_action=pending.model_dump() | {"id": pending.id} if pending is not None else None,
    )
