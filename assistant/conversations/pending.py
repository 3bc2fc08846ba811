"""Proposed writes of a conversation (the `pending_actions` rows) and the claims that run them once.

A write the customer must confirm waits as `pending`; once confirmed above the
approval limit it waits as `awaiting_approval` for an agent. Either way it runs
through `tools.confirmed.run_confirmed` with a `PendingClaim`: a conditional
update moves it to `executing`, so two confirmations (two clicks, two agents)
run it once, and a shop that could not be reached puts it back where it waited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from assistant.components.database.base import json_safe
from assistant.conversations.records import PendingConfirmation
from assistant.conversations.tables import PendingActionRow, now
from assistant.tools.base import ProposedAction

Waiting = Literal["pending", "awaiting_approval"]
FINAL = ("executed", "failed", "declined", "superseded")


class PendingActions:
    """Keyword-only reads and moves of a conversation's proposed writes."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def latest(self, *, conversation_id: str, status: Waiting = "pending") -> PendingConfirmation | None:
        """The conversation's newest write waiting in `status`."""
        return self._first(
            select(PendingActionRow).where(PendingActionRow.conversation_id == conversation_id, PendingActionRow.status == status)
        )

    def waiting(self, *, conversation_id: str) -> list[PendingConfirmation]:
        """The writes of the conversation's open confirmation, in the order they were proposed (and listed)."""
        with Session(self._engine) as session:
            rows = session.scalars(
                select(PendingActionRow)
                .where(PendingActionRow.conversation_id == conversation_id, PendingActionRow.status == "pending")
                .order_by(PendingActionRow.position, PendingActionRow.created_at)
            ).all()
            return [pending_view(row) for row in rows]

    def awaiting_approval(self, *, conversation_id: str, pending_action_id: str | None = None) -> PendingConfirmation | None:
        """The named write if it waits for approval in this conversation, else the conversation's latest one that does."""
        if pending_action_id is not None:
            named = self._first(
                select(PendingActionRow).where(
                    PendingActionRow.conversation_id == conversation_id,
                    PendingActionRow.status == "awaiting_approval",
                    PendingActionRow.id == pending_action_id,
                )
            )
            if named is not None:
                return named
            # The handoff named an older write that was decided meanwhile; a newer one may wait.
        return self.latest(conversation_id=conversation_id, status="awaiting_approval")

    def claim(self, pending: PendingConfirmation, *, waiting: Waiting) -> PendingClaim:
        return PendingClaim(self, pending.id, waiting)

    def decline(self, *, pending_id: str, result: Any) -> bool:
        """awaiting_approval → declined; only one caller wins."""
        return self.move(pending_id, "awaiting_approval", "declined", result=result)

    def move(self, pending_id: str, source: str, target: str, *, result: Any = None) -> bool:
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

    def _first(self, query: Any) -> PendingConfirmation | None:
        with Session(self._engine) as session:
            row = session.scalars(query.order_by(PendingActionRow.created_at.desc())).first()
            return pending_view(row) if row is not None else None


@dataclass(frozen=True)
class PendingClaim:
    """A `WriteClaim` over one pending_actions row that waits in `waiting`."""

    actions: PendingActions
    pending_id: str
    waiting: Waiting

    def claim(self) -> bool:
        return self.actions.move(self.pending_id, self.waiting, "executing")

    def release(self) -> None:
        self.actions.move(self.pending_id, "executing", self.waiting)

    def finish(self, status: Literal["executed", "failed"], result: Any) -> None:
        self.actions.move(self.pending_id, "executing", status, result=json_safe(result))


def pending_view(row: PendingActionRow) -> PendingConfirmation:
    return PendingConfirmation(
        id=row.id,
        name=row.name,
        arguments=row.arguments,
        description=row.description,
        action=ProposedAction.model_validate(row.action),
    )
