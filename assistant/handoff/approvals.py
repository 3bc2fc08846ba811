"""Writes waiting for a human agent's approval: the `awaiting_approval` rows of `pending_actions`.

The customer confirmed such a write, and the tools refused to run it without an
approver (a refund over the limit). An agent's decision moves the row on with a
conditional update, so a write approved twice (two clicks, two agents) runs once.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from assistant.conversations.tables import PendingActionRow, now

FINAL = ("executed", "failed", "declined")


class WaitingAction(BaseModel):
    id: str
    conversation_id: str
    name: str
    arguments: dict[str, Any]
    description: str
    action: dict[str, Any]


class ApprovalStore:
    """Keyword-only reads and moves of pending actions that wait for an agent."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def waiting(self, *, conversation_id: str, pending_action_id: str | None = None) -> WaitingAction | None:
        """The named action if it waits for approval in this conversation, else the conversation's latest one that does."""
        query = select(PendingActionRow).where(
            PendingActionRow.conversation_id == conversation_id, PendingActionRow.status == "awaiting_approval"
        )
        if pending_action_id is not None:
            query = query.where(PendingActionRow.id == pending_action_id)
        with Session(self._engine) as session:
            row = session.scalars(query.order_by(PendingActionRow.created_at.desc())).first()
            if row is None and pending_action_id is not None:
                # The handoff named an older action that was decided meanwhile; a newer one may wait.
                return self.waiting(conversation_id=conversation_id)
            if row is None:
                return None
            return WaitingAction(
                id=row.id,
                conversation_id=row.conversation_id,
                name=row.name,
                arguments=row.arguments,
                description=row.description,
                action=row.action or {},
            )

    def start(self, *, pending_id: str) -> bool:
        """awaiting_approval → executing; only one caller wins."""
        return self._move(pending_id, "awaiting_approval", "executing")

    def give_back(self, *, pending_id: str) -> None:
        """executing → awaiting_approval, when the shop could not be reached and the outcome is unknown (a retry is safe)."""
        self._move(pending_id, "executing", "awaiting_approval")

    def finish(self, *, pending_id: str, status: Literal["executed", "failed"], result: Any) -> None:
        self._move(pending_id, "executing", status, result=result)

    def decline(self, *, pending_id: str, result: Any) -> bool:
        """awaiting_approval → declined; only one caller wins."""
        return self._move(pending_id, "awaiting_approval", "declined", result=result)

    def _move(self, pending_id: str, source: str, target: str, *, result: Any = None) -> bool:
        values: dict[str, Any] = {"status": target}
        if target in FINAL:
            values.update(result=result, resolved_at=now())
        with Session(self._engine) as session, session.begin():
            moved = session.execute(
                update(PendingActionRow)
                .where(PendingActionRow.id == pending_id, PendingActionRow.status == source)
                .values(**values)
            )
            return bool(moved.rowcount)  # type: ignore[attr-defined]
