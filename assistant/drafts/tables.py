"""The drafts table: every draft with its context, and what the agent finally sent (the data for better drafts).

Suggested actions get their own rows so that running one is a single conditional
update (`suggested` → `executing`): two agents clicking at once cannot run a write twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Engine, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.components.database.base import Base
from assistant.components.database.columns import LEGACY_DEFAULT
from assistant.conversations.tables import new_id, now
from assistant.shops import LEGACY_SHOP


class DraftRow(Base):
    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # The shop of its conversation (or of the agent who pasted the ticket): only that shop's agents read it.
    shop: Mapped[str] = mapped_column(String(100), index=True, info={LEGACY_DEFAULT: LEGACY_SHOP})
    # Not a foreign key: a draft outlives nothing it points at, and tickets have no conversation.
    conversation_id: Mapped[str | None] = mapped_column(String(32), index=True)
    ticket_text: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String(200), index=True)
    language: Mapped[str] = mapped_column(String(8))
    prompt_version: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(200))
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    customer_context: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    seconds: Mapped[float] = mapped_column(Float)
    # What the agent sent, next to what was drafted: the pair is the training and evaluation data of drafts.
    sent_text: Mapped[str | None] = mapped_column(Text)
    sent_tone: Mapped[str | None] = mapped_column(String(20))
    sent_edited: Mapped[bool | None] = mapped_column(Boolean)
    sent_similarity: Mapped[float | None] = mapped_column(Float)
    sent_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_message_id: Mapped[int | None] = mapped_column(Integer)


class DraftActionRow(Base):
    __tablename__ = "draft_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tool: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # read | write
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # The tools' ProposedAction (a write), handed back unchanged to execute it.
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # suggested → executing → executed | failed (back to suggested when the commerce service was unreachable)
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text)
    run_by: Mapped[str | None] = mapped_column(String(100))
    run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def create_tables(engine: Engine) -> None:
    """Create the drafts tables that do not exist yet (idempotent; called at app start)."""
    Base.metadata.create_all(engine, tables=[DraftRow.__table__, DraftActionRow.__table__])  # type: ignore[list-item]
