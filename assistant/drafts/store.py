"""Reading and writing drafts and their suggested actions (keyword-only functions over one engine)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from assistant.components.database.base import json_safe
from assistant.conversations.tables import now
from assistant.drafts.models import CustomerContext, DraftView, Sent, Source, SuggestedAction, Variant
from assistant.drafts.tables import DraftActionRow, DraftRow
from assistant.errors import NotFoundError
from assistant.tools.base import ProposedAction


class DraftStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, *, draft: DraftView, model: str, proposals: list[ProposedAction | None]) -> None:
        """The draft and its suggested actions, in one transaction; `proposals[i]` is action i's ProposedAction."""
        with Session(self._engine) as session, session.begin():
            session.add(
                DraftRow(
                    id=draft.id,
                    shop=draft.shop,
                    conversation_id=draft.conversation_id,
                    ticket_text=draft.ticket_text,
                    customer_id=draft.customer_id,
                    language=draft.language,
                    prompt_version=draft.prompt_version,
                    model=model,
                    variants=[variant.model_dump(mode="json") for variant in draft.variants],
                    sources=[source.model_dump(mode="json") for source in draft.sources],
                    customer_context=draft.customer_context.model_dump(mode="json"),
                    created_by=draft.created_by,
                    created_at=draft.created_at,
                    seconds=draft.seconds,
                )
            )
            session.flush()  # the draft row first: the action rows reference it
            session.add_all(
                DraftActionRow(
                    draft_id=draft.id,
                    position=position,
                    tool=action.tool,
                    kind=action.kind,
                    arguments=json_safe(action.arguments),
                    description=action.description,
                    reason=action.reason,
                    needs_approval=action.needs_approval,
                    proposal=proposal.model_dump(mode="json") if proposal is not None else None,
                    status=action.status,
                )
                for position, (action, proposal) in enumerate(zip(draft.suggested_actions, proposals, strict=True))
            )

    def get(self, *, draft_id: str, shop: str) -> DraftView:
        """The shop's draft; another shop's is "not found", exactly like one that does not exist."""
        with Session(self._engine) as session:
            row = _row(session, draft_id, shop)
            actions = session.scalars(
                select(DraftActionRow).where(DraftActionRow.draft_id == draft_id).order_by(DraftActionRow.position)
            ).all()
            return _view(row, actions)

    def action(self, *, draft_id: str, shop: str, position: int) -> tuple[SuggestedAction, ProposedAction | None]:
        """Suggested action `position` of the shop's draft and its stored proposal (404 when there is none)."""
        with Session(self._engine) as session:
            _row(session, draft_id, shop)
            row = self._action_row(session, draft_id, position)
            if row is None:
                raise NotFoundError(f"draft {draft_id} has no suggested action {position}", reason="action_not_found")
            return _action_view(row), ProposedAction.model_validate(row.proposal) if row.proposal else None

    def claim(self, *, draft_id: str, position: int, agent_id: str) -> DraftActionClaim:
        return DraftActionClaim(self, draft_id, position, agent_id)

    def claim_action(self, *, draft_id: str, position: int, agent_id: str) -> bool:
        """`suggested` → `executing`; only one caller ever wins, so an approved action runs once."""
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                update(DraftActionRow)
                .where(
                    DraftActionRow.draft_id == draft_id,
                    DraftActionRow.position == position,
                    DraftActionRow.status == "suggested",
                )
                .values(status="executing", run_by=agent_id, run_at=now())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def finish_action(self, *, draft_id: str, position: int, status: str, result: Any = None, error: str | None = None) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(DraftActionRow)
                .where(DraftActionRow.draft_id == draft_id, DraftActionRow.position == position)
                .values(status=status, result=json_safe(result), error=error)
            )

    def claim_send(self, *, draft_id: str, sent: Sent) -> bool:
        """Record what was sent, unless something was already sent for this draft (then False)."""
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                update(DraftRow)
                .where(DraftRow.id == draft_id, DraftRow.sent_at.is_(None))
                .values(
                    sent_text=sent.text,
                    sent_tone=sent.tone,
                    sent_edited=sent.edited,
                    sent_similarity=sent.similarity,
                    sent_by=sent.sent_by,
                    sent_at=sent.sent_at,
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def set_sent_message(self, *, draft_id: str, message_id: int) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(update(DraftRow).where(DraftRow.id == draft_id).values(sent_message_id=message_id))

    def release_send(self, *, draft_id: str) -> None:
        """Undo `claim_send` when the message could not be posted, so the agent can send again."""
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(DraftRow)
                .where(DraftRow.id == draft_id)
                .values(sent_text=None, sent_tone=None, sent_edited=None, sent_similarity=None, sent_by=None, sent_at=None)
            )

    @staticmethod
    def _action_row(session: Session, draft_id: str, position: int) -> DraftActionRow | None:
        return session.scalars(
            select(DraftActionRow).where(DraftActionRow.draft_id == draft_id, DraftActionRow.position == position)
        ).first()


@dataclass(frozen=True)
class DraftActionClaim:
    """A `WriteClaim` over one suggested action of a draft (run by an agent)."""

    store: DraftStore
    draft_id: str
    position: int
    agent_id: str

    def claim(self) -> bool:
        return self.store.claim_action(draft_id=self.draft_id, position=self.position, agent_id=self.agent_id)

    def release(self) -> None:
        self.store.finish_action(draft_id=self.draft_id, position=self.position, status="suggested")

    def finish(self, status: Literal["executed", "failed"], result: Any) -> None:
        if status == "executed":
            self.store.finish_action(draft_id=self.draft_id, position=self.position, status=status, result=result)
        else:
            error = f"{result.get('error')}: {result.get('message')}" if isinstance(result, dict) else str(result)
            self.store.finish_action(draft_id=self.draft_id, position=self.position, status=status, error=error)


def _row(session: Session, draft_id: str, shop: str) -> DraftRow:
    row = session.get(DraftRow, draft_id)
    if row is None or row.shop != shop:
        raise NotFoundError(f"draft {draft_id} not found")
    return row


def _view(row: DraftRow, actions: Any) -> DraftView:
    sent = None
    if row.sent_at is not None:
        sent = Sent(
            text=row.sent_text or "",
            tone=row.sent_tone,  # type: ignore[arg-type]
            edited=bool(row.sent_edited),
            similarity=row.sent_similarity or 0.0,
            sent_by=row.sent_by or "",
            sent_at=_aware(row.sent_at),
            message_id=row.sent_message_id,
        )
    return DraftView(
        id=row.id,
        shop=row.shop,
        conversation_id=row.conversation_id,
        ticket_text=row.ticket_text,
        customer_id=row.customer_id,
        language=row.language,  # type: ignore[arg-type]
        prompt_version=row.prompt_version,
        variants=[Variant.model_validate(item) for item in row.variants],
        sources=[Source.model_validate(item) for item in row.sources],
        customer_context=CustomerContext.model_validate(row.customer_context),
        suggested_actions=[_action_view(action) for action in actions],
        created_by=row.created_by,
        created_at=_aware(row.created_at),
        seconds=row.seconds,
        sent=sent,
    )


def _action_view(row: DraftActionRow) -> SuggestedAction:
    return SuggestedAction(
        tool=row.tool,
        kind=row.kind,  # type: ignore[arg-type]
        arguments=row.arguments,
        description=row.description,
        reason=row.reason,
        needs_approval=row.needs_approval,
        status=row.status,  # type: ignore[arg-type]
        result=row.result,
        error=row.error,
        run_by=row.run_by,
        run_at=_aware(row.run_at) if row.run_at else None,
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their zone; every time stored here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
