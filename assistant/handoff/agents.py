"""Human agents: registration with a bearer token, authentication, and who is on duty.

A token is shown once at registration and kept only as its sha256. Looking a
token up by its hash compares hashes inside the database index, so the time an
attempt takes says nothing about how close a guessed token came.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.errors import ConflictError, NotFoundError, UnauthorizedError
from assistant.handoff.models import ACTIVE_STATUSES, AgentView
from assistant.handoff.tables import AgentRow, HandoffRow, as_utc

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AgentRegistry:
    """The shops' human agents. Each belongs to one shop; read by another shop's operator, it does not exist."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def register(
        self, *, shop: str, name: str, skills: list[str], languages: list[str], max_active: int
    ) -> tuple[AgentView, str]:
        """A new agent of `shop` and its bearer token (returned only here)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with Session(self._engine) as session, session.begin():
                row = AgentRow(
                    shop=shop,
                    name=name,
                    token_sha256=token_hash(token),
                    skills=sorted(set(skills)),
                    languages=sorted(set(languages)),
                    max_active=max_active,
                    active=True,
                )
                session.add(row)
                session.flush()
                return _view(row, load=0), token
        except IntegrityError:
            raise ConflictError(f"an agent named {name!r} already exists in this shop", reason="agent_exists") from None

    def authenticate(self, token: str) -> AgentView:
        """The active agent holding this token; UnauthorizedError otherwise."""
        if not token:
            raise UnauthorizedError("send the agent's token as `Authorization: Bearer <token>`")
        with Session(self._engine) as session:
            row = session.scalars(select(AgentRow).where(AgentRow.token_sha256 == token_hash(token))).first()
            if row is None:
                raise UnauthorizedError("the agent token is not valid")
            if not row.active:
                raise UnauthorizedError(f"agent {row.name} is deactivated", reason="agent_inactive")
            return _view(row, load=active_loads(session).get(row.id, 0))

    def get(self, *, agent_id: str, shop: str) -> AgentView:
        with Session(self._engine) as session:
            row = _row(session, agent_id, shop)
            return _view(row, load=active_loads(session).get(row.id, 0))

    def list(self, *, shop: str) -> list[AgentView]:
        with Session(self._engine) as session:
            loads = active_loads(session)
            rows = session.scalars(select(AgentRow).where(AgentRow.shop == shop).order_by(AgentRow.name)).all()
            return [_view(row, load=loads.get(row.id, 0)) for row in rows]

    def set_active(self, *, agent_id: str, shop: str, active: bool) -> AgentView:
        """Take an agent off duty (no new routing, token refused) or back on; their open handoffs stay theirs."""
        with Session(self._engine) as session, session.begin():
            row = _row(session, agent_id, shop)
            row.active = active
            session.flush()
            return _view(row, load=active_loads(session).get(row.id, 0))


def active_loads(session: Session) -> dict[str, int]:
    """Active handoffs per agent (assigned or claimed)."""
    rows = session.execute(
        select(HandoffRow.assigned_agent_id, func.count())
        .where(HandoffRow.status.in_(ACTIVE_STATUSES), HandoffRow.assigned_agent_id.is_not(None))
        .group_by(HandoffRow.assigned_agent_id)
    ).all()
    return {agent_id: count for agent_id, count in rows if agent_id is not None}


def _row(session: Session, agent_id: str, shop: str) -> AgentRow:
    """The shop's agent; another shop's is "not found", exactly like one that does not exist."""
    row = session.get(AgentRow, agent_id)
    if row is None or row.shop != shop:
        raise NotFoundError(f"agent {agent_id} not found")
    return row


def _view(row: AgentRow, *, load: int) -> AgentView:
    return AgentView(
        id=row.id,
        shop=row.shop,
        name=row.name,
        skills=list(row.skills or []),
        languages=list(row.languages or []),
        max_active=row.max_active,
        active=row.active,
        load=load,
        created_at=as_utc(row.created_at),
    )
