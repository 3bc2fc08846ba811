"""The handoff queue: opening a handoff, routing it to an agent, and its states (storage only).

States: queued (nobody fits, or all who fit are busy) or assigned (routed) → claimed
(an agent took it) → resolved or returned. Every move is a conditional update, so
two agents racing for one handoff cannot both win. Routing: among active agents
whose skills and languages cover the handoff's required skills, the least loaded
one under its `max_active`; ties go to the one with fewest handoffs in total, then
by name. A queued handoff is routed again whenever an agent's load goes down.
The queue order is `assistant/handoff/priority.py`.

Everything is per shop: a handoff is routed only to agents of its conversation's
shop, an agent's queue lists only their shop's handoffs, and another shop's
handoff is "not found" to them, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.conversations.tables import ConversationRow, now
from assistant.errors import ConflictError, NotFoundError
from assistant.handoff.agents import active_loads
from assistant.handoff.models import ACTIVE_STATUSES, AgentView, HandoffSummary, HandoffView, NewHandoff
from assistant.handoff.priority import capabilities, priority_parts, required_skills
from assistant.handoff.tables import AgentRow, HandoffRow, as_utc
from assistant.settings import HandoffSettings

Clock = Callable[[], datetime]


class HandoffQueue:
    """Handoffs of conversations to human agents."""

    def __init__(self, engine: Engine, settings: HandoffSettings, *, clock: Clock = now) -> None:
        self._engine = engine
        self._settings = settings
        self._clock = clock

    def open_handoff(self, new: NewHandoff) -> HandoffView:
        """Queue the conversation for a human (or update its active handoff: one per conversation) and route it."""
        skills = required_skills(self._settings, language=new.language, reason=new.reason, intent=new.intent)
        fields = {
            "reason": new.reason,
            "confidence": new.confidence,
            "summary": new.summary.model_dump(mode="json"),
            "sentiment_score": new.sentiment_score,
            "vip": new.vip,
            "language": new.language,
            "intent": new.intent,
            "required_skills": skills,
        }
        where = (new.conversation_id, new.shop, new.customer_id)
        try:
            return self._upsert(*where, fields, new.pending_action_id)
        except IntegrityError:
            # Another turn of this conversation opened a handoff at the same moment: update that one.
            return self._upsert(*where, fields, new.pending_action_id)

    def _upsert(
        self, conversation_id: str, shop: str, customer_id: str, fields: dict[str, Any], pending_action_id: str | None
    ) -> HandoffView:
        with Session(self._engine) as session, session.begin():
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None or (conversation.shop, conversation.customer_id) != (shop, customer_id):
                raise NotFoundError(f"conversation {conversation_id} not found")
            row = self._active_row(session, conversation_id)
            moment = self._clock()
            if row is None:
                row = HandoffRow(conversation_id=conversation_id, shop=shop, customer_id=customer_id, status="queued")
                row.created_at = moment
                session.add(row)
            for name, value in fields.items():
                setattr(row, name, value)
            if pending_action_id is not None:
                row.pending_action_id = pending_action_id
            row.updated_at = moment
            if row.status == "queued":
                self._route(session, row)
            session.flush()
            return self._view(session, row)

    def active_for(self, *, conversation_id: str) -> HandoffView | None:
        """The conversation's queued, assigned or claimed handoff: while there is one, a human answers."""
        with Session(self._engine) as session:
            row = self._active_row(session, conversation_id)
            return self._view(session, row) if row else None

    def get(self, *, handoff_id: str, shop: str) -> HandoffView:
        with Session(self._engine) as session:
            return self._view(session, self._row(session, handoff_id, shop))

    def list_queue(self, *, agent: AgentView, include_claimed: bool = True) -> list[HandoffView]:
        """What the agent may take: their shop's handoffs routed to them or to nobody, highest priority first."""
        statuses = ACTIVE_STATUSES if include_claimed else ("queued", "assigned")
        with Session(self._engine) as session:
            rows = session.scalars(
                select(HandoffRow).where(
                    HandoffRow.shop == agent.shop,
                    HandoffRow.status.in_(statuses),
                    or_(HandoffRow.assigned_agent_id.is_(None), HandoffRow.assigned_agent_id == agent.id),
                )
            ).all()
            views = [self._view(session, row) for row in rows]
        return sorted(views, key=lambda view: (-view.priority, view.created_at))

    def claim(self, *, handoff_id: str, agent: AgentView) -> HandoffView:
        """The agent takes the conversation over; 409 when it is another agent's or closed."""
        with Session(self._engine) as session, session.begin():
            row = self._row(session, handoff_id, agent.shop)
            if row.status == "claimed" and row.claimed_by == agent.id:
                return self._view(session, row)  # a repeated claim (a retried request) changes nothing
            self._check_claimable(session, row, agent)
            moment = self._clock()
            claimed = session.execute(
                update(HandoffRow)
                .where(
                    HandoffRow.id == handoff_id,
                    HandoffRow.status.in_(("queued", "assigned")),
                    or_(HandoffRow.assigned_agent_id.is_(None), HandoffRow.assigned_agent_id == agent.id),
                )
                .values(status="claimed", claimed_by=agent.id, assigned_agent_id=agent.id, claimed_at=moment, updated_at=moment)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                raise ConflictError(f"handoff {handoff_id} was just taken by another agent", reason="handoff_taken")
            session.refresh(row)
            return self._view(session, row)

    def require_claimed(self, *, handoff_id: str, agent: AgentView) -> HandoffView:
        """The handoff, if this agent holds it now (404 / 409 otherwise): replies and decisions need that."""
        with Session(self._engine) as session:
            row = self._row(session, handoff_id, agent.shop)
            _check_held(row, agent)
            return self._view(session, row)

    def close(
        self, *, handoff_id: str, agent: AgentView, status: Literal["resolved", "returned"], note: str | None
    ) -> HandoffView:
        """Resolved (the conversation is over) or returned (the assistant answers again); only by the agent holding it."""
        with Session(self._engine) as session, session.begin():
            row = self._row(session, handoff_id, agent.shop)
            _check_held(row, agent)
            moment = self._clock()
            closed = session.execute(
                update(HandoffRow)
                .where(HandoffRow.id == handoff_id, HandoffRow.status == "claimed", HandoffRow.claimed_by == agent.id)
                .values(status=status, note=note, closed_at=moment, updated_at=moment)
            )
            if not closed.rowcount:  # type: ignore[attr-defined]
                raise ConflictError(f"handoff {handoff_id} changed meanwhile; reload it", reason="handoff_changed")
            session.refresh(row)
            view = self._view(session, row)
        self.route_waiting()  # the agent has room for one more
        return view

    def set_pending_action(self, *, handoff_id: str, shop: str, pending_action_id: str) -> None:
        with Session(self._engine) as session, session.begin():
            self._row(session, handoff_id, shop).pending_action_id = pending_action_id

    def route_waiting(self) -> int:
        """Route queued handoffs, highest priority first, to agents with room; returns how many were routed."""
        routed = 0
        with Session(self._engine) as session, session.begin():
            rows = session.scalars(select(HandoffRow).where(HandoffRow.status == "queued")).all()
            for row in sorted(rows, key=lambda r: (-self._priority(r)[0], as_utc(r.created_at))):
                routed += self._route(session, row)
        return routed

    # --- internals -----------------------------------------------------------------------------------------------

    def _route(self, session: Session, row: HandoffRow) -> bool:
        """Assign the handoff to the best-fitting agent of its shop with room; leave it queued when there is none."""
        needed = set(row.required_skills or [])
        agents = session.scalars(
            select(AgentRow).where(AgentRow.active.is_(True), AgentRow.shop == row.shop).with_for_update()
        ).all()
        session.flush()  # count handoffs routed earlier in this same transaction too
        loads = active_loads(session)
        totals = dict(
            session.execute(
                select(HandoffRow.assigned_agent_id, func.count())
                .where(HandoffRow.assigned_agent_id.is_not(None))
                .group_by(HandoffRow.assigned_agent_id)
            ).all()
        )
        fitting = [
            agent
            for agent in agents
            if needed <= capabilities(skills=agent.skills, languages=agent.languages)
            and loads.get(agent.id, 0) < agent.max_active
        ]
        if not fitting:
            return False
        best = min(fitting, key=lambda agent: (loads.get(agent.id, 0), totals.get(agent.id, 0), agent.name))
        row.assigned_agent_id = best.id
        row.status = "assigned"
        return True

    def _check_claimable(self, session: Session, row: HandoffRow, agent: AgentView) -> None:
        if row.status not in ("queued", "assigned"):
            holder = " by another agent" if row.status == "claimed" else ""
            raise ConflictError(f"handoff {row.id} is {row.status}{holder}; it cannot be claimed", reason=f"handoff_{row.status}")
        if row.assigned_agent_id not in (None, agent.id):
            raise ConflictError(f"handoff {row.id} is assigned to another agent", reason="handoff_assigned_elsewhere")
        if row.assigned_agent_id is None:
            load = active_loads(session).get(agent.id, 0)
            if load >= agent.max_active:
                raise ConflictError(
                    f"you already hold {load} handoffs (your limit is {agent.max_active}); resolve or hand one back first",
                    reason="agent_at_capacity",
                )

    def _priority(self, row: HandoffRow) -> tuple[float, dict[str, float], float]:
        waited = _waited_seconds(row, self._clock())
        parts = priority_parts(
            self._settings, sentiment_score=row.sentiment_score, vip=row.vip, waited_seconds=waited, reason=row.reason
        )
        return round(sum(parts.values()), 4), parts, waited

    def _view(self, session: Session, row: HandoffRow) -> HandoffView:
        priority, parts, waited = self._priority(row)
        conversation = session.get(ConversationRow, row.conversation_id)
        return HandoffView(
            id=row.id,
            conversation_id=row.conversation_id,
            shop=row.shop,
            customer_id=row.customer_id,
            status=row.status,  # type: ignore[arg-type]
            reason=row.reason,
            confidence=row.confidence,
            summary=HandoffSummary.model_validate(row.summary),
            priority=priority,
            priority_parts=parts,
            vip=row.vip,
            sentiment_score=row.sentiment_score,
            language=row.language,
            intent=row.intent,
            required_skills=list(row.required_skills or []),
            assigned_agent_id=row.assigned_agent_id,
            claimed_by=row.claimed_by,
            pending_action_id=row.pending_action_id,
            note=row.note,
            conversation_status=conversation.status if conversation else "ended",
            created_at=as_utc(row.created_at),
            claimed_at=as_utc(row.claimed_at) if row.claimed_at else None,
            closed_at=as_utc(row.closed_at) if row.closed_at else None,
            waiting_seconds=round(waited, 3),
        )

    @staticmethod
    def _active_row(session: Session, conversation_id: str) -> HandoffRow | None:
        return session.scalars(
            select(HandoffRow).where(HandoffRow.conversation_id == conversation_id, HandoffRow.status.in_(ACTIVE_STATUSES))
        ).first()

    @staticmethod
    def _row(session: Session, handoff_id: str, shop: str) -> HandoffRow:
        """The shop's handoff; another shop's is "not found", exactly like one that does not exist."""
        row = session.get(HandoffRow, handoff_id)
        if row is None or row.shop != shop:
            raise NotFoundError(f"handoff {handoff_id} not found")
        return row


def _check_held(row: HandoffRow, agent: AgentView) -> None:
    if row.status != "claimed":
        hint = "claim it first" if row.status in ("queued", "assigned") else "it is closed"
        raise ConflictError(f"handoff {row.id} is {row.status}: {hint}", reason=f"handoff_{row.status}")
    if row.claimed_by != agent.id:
        raise ConflictError(f"handoff {row.id} is claimed by another agent", reason="handoff_claimed_elsewhere")


def _waited_seconds(row: HandoffRow, moment: datetime) -> float:
    """Time the customer waited for a human: until an agent claimed it (or it closed), else until now."""
    until = row.claimed_at or row.closed_at or moment
    return max(0.0, (as_utc(until) - as_utc(row.created_at)).total_seconds())
