"""The tables of the human side: agents and the handoffs of conversations to them.

A handoff goes queued (no agent fits, or all that fit are busy) or assigned (routed
to an agent) → claimed (the agent took it) → resolved (conversation ended) or returned
(the assistant answers again). At most one handoff per conversation is active
(queued, assigned or claimed): a partial unique index holds that even when two
turns of one conversation escalate at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Engine, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.components.database.base import Base
from assistant.components.database.columns import LEGACY_DEFAULT, add_missing_columns
from assistant.conversations.tables import new_id, now
from assistant.shops import LEGACY_SHOP

_ACTIVE = text("status IN ('queued', 'assigned', 'claimed')")


class AgentRow(Base):
    __tablename__ = "agents"
    # A name is unique within its shop. (A database made before shops keeps its unique index on the name alone.)
    __table_args__ = (UniqueConstraint("shop", "name", name="uq_agents_shop_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # The shop the agent works for (registered with its operator key): they see only its handoffs, drafts, customers.
    shop: Mapped[str] = mapped_column(String(100), index=True, info={LEGACY_DEFAULT: LEGACY_SHOP})
    name: Mapped[str] = mapped_column(String(100))
    # Only the token's hash is kept: a leaked database does not let anyone act as an agent.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_active: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class HandoffRow(Base):
    __tablename__ = "handoffs"
    __table_args__ = (
        Index("uq_handoffs_active_conversation", "conversation_id", unique=True, sqlite_where=_ACTIVE, postgresql_where=_ACTIVE),
        Index("ix_handoffs_status_agent", "status", "assigned_agent_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    shop: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | assigned | claimed | resolved | returned
    reason: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(100))
    required_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The agent the router chose (or who claimed it); counts towards that agent's load while active.
    assigned_agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    claimed_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    # The write waiting for an agent's approval, when the handoff is about one.
    pending_action_id: Mapped[str | None] = mapped_column(ForeignKey("pending_actions.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes for timezone-aware columns; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_tables(engine: Engine) -> None:
    """Create the agent and handoff tables (and the conversation tables they refer to) that do not exist yet."""
    from assistant.conversations.store import create_tables as create_conversation_tables

    create_conversation_tables(engine)
    Base.metadata.create_all(engine, tables=[AgentRow.__table__, HandoffRow.__table__])  # type: ignore[list-item]
    add_missing_columns(engine, Base.metadata)  # an agents table of an older database gets its `shop`
