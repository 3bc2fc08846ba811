"""Feedback tables, stored beside the conversation they are about.

Ratings are appended, never overwritten: a customer who changes a thumb or a CSAT score
adds a row, the latest row is the one that counts, and the earlier ones stay as the record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Engine, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.components.database.base import Base
from assistant.conversations.tables import new_id, now


class MessageRatingRow(Base):
    __tablename__ = "message_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    thumb: Mapped[str] = mapped_column(String(4))  # up | down
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class CsatRatingRow(Base):
    __tablename__ = "csat_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)  # 1 (very unsatisfied) .. 5 (very satisfied)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AnswerCorrectionRow(Base):
    __tablename__ = "answer_corrections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    agent_id: Mapped[str] = mapped_column(String(100))
    # The customer's message the bad answer replied to, copied so the correction reads on its own.
    question: Mapped[str] = mapped_column(Text)
    original_answer: Mapped[str] = mapped_column(Text)
    correct_answer: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | published
    # The knowledge-base document the correction became (set when published).
    document_id: Mapped[str | None] = mapped_column(String(500))
    published_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


FEEDBACK_TABLES = (MessageRatingRow, CsatRatingRow, AnswerCorrectionRow)


def create_feedback_tables(engine: Engine) -> None:
    """Create the feedback tables that do not exist yet (the conversation tables must exist first)."""
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[table.__tablename__] for table in FEEDBACK_TABLES])
