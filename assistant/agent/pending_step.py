"""The customer's answer to a proposed write: confirm (run it once), decline, or move on to something else."""

from __future__ import annotations

from assistant.agent.confirmation import is_confirmation, is_refusal
from assistant.agent.escalation_step import needs_approval
from assistant.agent.handoff_step import await_approval
from assistant.agent.turn_context import Turn, TurnDeps
from assistant.conversations.records import PendingConfirmation


async def resolve_pending(deps: TurnDeps, turn: Turn, pending: PendingConfirmation) -> bool:
    """Execute, decline or set aside the proposed write; True when that was the whole turn."""
    record = turn.record
    # Set only once it is decided: a turn that fails before (the shop unreachable) leaves the proposal as it was.
    decided = pending.id
    if is_confirmation(turn.text):
        record.route = "confirm"
        action = pending.action
        if action.status == "awaiting_approval":
            # Decided when it was proposed (tools/approval.py): confirmed now, it waits for an agent; nothing runs yet.
            explanation = deps.tools.toolbox.approval.explanation(action.tool, action.refund_amount)
            record.resolved_pending_id = decided
            await await_approval(deps, turn, pending, needs_approval(action.tool, explanation))
            return True
        # The shop unreachable raises (the turn fails with the apology) and puts the proposal back: a later
        # "yes" runs it then, with the same idempotency key.
        outcome = await turn.turn_tools().execute(pending, deps.pending.claim(pending, waiting="pending"))
        if outcome.status == "taken":  # another request already executed it
            await turn.say(turn.phrase(deps, "executed", description=pending.description.rstrip("。. ")))
            return True
        record.resolved_pending_id, record.resolved_pending_status = decided, outcome.status
        record.resolved_pending_result = outcome.recorded
        if outcome.status == "executed":
            await turn.say(turn.phrase(deps, "executed", description=pending.description.rstrip("。. ")))
        else:
            record.outcome, turn.offered = "unanswered", True
            await turn.say(turn.phrase(deps, "execute_failed", reason=outcome.refusal.rstrip(". ")))
        return True
    if is_refusal(turn.text):
        record.route = "declined"
        record.resolved_pending_id, record.resolved_pending_status = decided, "declined"
        await turn.say(turn.phrase(deps, "declined"))
        return True
    # Anything else is a new request: the proposal lapses and is never executed later.
    record.resolved_pending_id, record.resolved_pending_status = decided, "superseded"
    return False
