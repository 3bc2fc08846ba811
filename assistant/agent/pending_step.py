"""The customer's answer to the proposed writes: confirm all or some (each runs once, in order), decline, or move on."""

from __future__ import annotations

from assistant.agent import selection
from assistant.agent.confirmation import is_refusal
from assistant.agent.escalation_step import needs_approval
from assistant.agent.handoff_step import await_approval
from assistant.agent.turn_context import Turn, TurnDeps
from assistant.conversations.records import PendingConfirmation, ResolvedPending


async def resolve_pending(deps: TurnDeps, turn: Turn, waiting: list[PendingConfirmation]) -> bool:
    """Execute, decline or set aside the proposed writes; True when that was the whole turn."""
    record = turn.record
    chosen = selection.chosen(turn.text, waiting, turn.shop.operations)
    if chosen is None or not chosen:
        if chosen is None and not is_refusal(turn.text):
            # Anything else is a new request: the proposals lapse and are never executed later.
            record.resolved.extend(ResolvedPending(id=pending.id, status="superseded") for pending in waiting)
            return False
        record.route = "declined"
        record.resolved.extend(ResolvedPending(id=pending.id, status="declined") for pending in waiting)
        await turn.say(turn.phrase("declined"))
        return True
    record.route = "confirm"
    lines: list[str] = []
    for_approval: list[PendingConfirmation] = []
    for position, pending in enumerate(waiting):
        description = pending.description.rstrip("。. ")
        if position not in chosen:
            record.resolved.append(ResolvedPending(id=pending.id, status="declined"))
            lines.append(turn.phrase("declined_line", description=description))
        elif pending.action.status == "awaiting_approval":
            # Decided when it was proposed (tools/approval.py): confirmed now, it waits for an agent; nothing runs yet.
            for_approval.append(pending)
        else:
            lines.append(await _execute(deps, turn, pending, single=len(waiting) == 1))
    if lines:
        if turn.offered and len(waiting) > 1:
            lines.append(turn.phrase("failed_offer"))
        await turn.say("\n".join(lines))
    if for_approval:
        first = for_approval[0]
        explanation = turn.shop.tools.toolbox.approval.explanation(first.action.tool, first.action.refund_amount)
        if lines:
            await turn.say("\n")
        await await_approval(deps, turn, first, needs_approval(first.action.tool, explanation))
        record.resolved.extend(ResolvedPending(id=pending.id, status="awaiting_approval") for pending in for_approval[1:])
    return True


async def _execute(deps: TurnDeps, turn: Turn, pending: PendingConfirmation, *, single: bool) -> str:
    """Run one confirmed write once; the line that reports it.

    The shop unreachable raises (the turn fails with the apology) and puts this write back, and every write
    not yet run stays proposed: a later "yes" runs them then, with the same idempotency keys.
    """
    record = turn.record
    description = pending.description.rstrip("。. ")
    outcome = await turn.turn_tools().execute(pending, deps.pending.claim(pending, waiting="pending"))
    if outcome.status == "taken":  # another request already executed it
        return turn.phrase("executed" if single else "executed_line", description=description)
    record.resolved.append(ResolvedPending(id=pending.id, status=outcome.status, result=outcome.recorded))
    if outcome.status == "executed":
        return turn.phrase("executed" if single else "executed_line", description=description)
    record.outcome, turn.offered = "unanswered", True
    reason = outcome.refusal.rstrip(". ")
    if single:
        return turn.phrase("execute_failed", reason=reason)
    return turn.phrase("failed_line", description=description, reason=reason)
