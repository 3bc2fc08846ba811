"""Handing a turn over to a person: the decision recorded, the handoff prepared, the customer told.

The handoff itself is opened after the turn is stored (see turn.py), so the
queue never shows a conversation whose last turn is missing.
"""

from __future__ import annotations

from assistant.agent.handoff_brief import handoff_brief
from assistant.agent.turn_context import Turn, TurnDeps
from assistant.conversations.records import DecisionRecord, PendingConfirmation, ResolvedPending, TurnRecord
from assistant.escalation import EscalationDecision
from assistant.handoff.models import NewHandoff


def note_decision(record: TurnRecord, decision: EscalationDecision) -> None:
    record.decisions.append(
        DecisionRecord(step=len(record.decisions), kind="escalation", payload=decision.model_dump(mode="json"))
    )


async def hand_off(
    deps: TurnDeps,
    turn: Turn,
    decision: EscalationDecision,
    *,
    pending: PendingConfirmation | None = None,
    after_reply: bool = False,
    announce: bool = True,
) -> None:
    """Queue the conversation for a person (once the turn is stored) and tell the customer."""
    record = turn.record
    understanding = turn.known_understanding()
    note_decision(record, decision)
    record.escalated, record.escalation_reason = True, decision.reason or "reply_promise"
    if not after_reply:
        record.route = "human_agent" if record.route in ("answer", "human_agent") else record.route
    record.outcome = "handoff"
    earlier = turn.context.earlier
    request = turn.request
    turn.handoff = NewHandoff(
        conversation_id=request.conversation_id,
        shop=request.shop,
        customer_id=request.customer_id,
        reason=record.escalation_reason,
        confidence=decision.confidence,
        summary=handoff_brief(
            decision=decision,
            understanding=understanding,
            text=turn.text,
            record=record,
            earlier=earlier,
            earlier_customer_texts=[earlier_turn.customer_text for earlier_turn in earlier if earlier_turn.customer_text],
            conversation_summary=turn.summary,
            pending=pending,
        ),
        sentiment_score=understanding.sentiment_score,
        vip=turn.vip,
        language=record.language,
        intent=understanding.intent,
        pending_action_id=pending.id if pending is not None else None,
    )
    turn.handed_off = True
    if announce and not (after_reply and decision.reply_promised_transfer):
        await turn.say(("\n\n" if turn.parts else "") + turn.phrase("handoff"))


async def await_approval(deps: TurnDeps, turn: Turn, pending: PendingConfirmation, decision: EscalationDecision) -> None:
    """The customer confirmed a write that needs an agent's approval: it waits for one, and the conversation with it."""
    turn.record.resolved.append(ResolvedPending(id=pending.id, status="awaiting_approval"))
    await turn.say(turn.phrase("approval_needed"))
    await hand_off(deps, turn, decision, pending=pending, announce=False)
