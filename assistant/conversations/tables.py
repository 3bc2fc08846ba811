"""The assistant's own tables for conversations and their turns.

A turn is the unit of recording: the customer's message, the reply and every
retrieval, model call, tool call and decision made in between hang off it, and
they are written in one transaction so that a turn is stored whole or not at all.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.components.database.base import Base


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    return datetime.now(UTC)


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shop: Mapped[str] = mapped_column(String(100), index=True)
    customer_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | ended
    # Where the customer wrote from: api (the chat API), widget (the chat page), openai (the compatible endpoint).
    channel: Mapped[str] = mapped_column(String(20), default="api")
    # For clients that resend the whole message list (the OpenAI-compatible endpoint): a hash of its start.
    external_key: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    # Identity checked as the store policy asks (email, or name + zip), set once verified.
    verified_customer_id: Mapped[str | None] = mapped_column(String(200))
    # Summary of the turns that no longer fit the history budget, and the last message it covers.
    summary: Mapped[str | None] = mapped_column(Text)
    summary_upto: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TurnRow(Base):
    __tablename__ = "turns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    prompt_version: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(40))  # which path answered: procedure name, answer, confirm, ...
    status: Mapped[str] = mapped_column(String(20))  # ok | failed
    failure_cause: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float)
    llm_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # Seconds from the customer's message to the first piece of the reply (first-response latency).
    first_token_seconds: Mapped[float | None] = mapped_column(Float)
    # What was understood of the customer's message, copied here so metrics group turns without JSON queries.
    intent: Mapped[str | None] = mapped_column(String(100), index=True)
    sentiment: Mapped[str | None] = mapped_column(String(20))
    # The escalation decision of the turn (the full decision is a `decisions` row of kind `escalation`).
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_reason: Mapped[str | None] = mapped_column(String(40))
    # answered | unanswered (no knowledge, a write that failed) | failed (the turn broke) | handoff | waiting (for a human)
    outcome: Mapped[str] = mapped_column(String(20), default="answered")
    # The reply asked whether the customer wants a human; a "yes" next hands the conversation over.
    handoff_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the turn's time went (records.TurnStages): understanding, routing, retrieval, lookups, model, overhead.
    stages: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class MessageRow(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    turn_id: Mapped[str | None] = mapped_column(ForeignKey("turns.id"))
    role: Mapped[str] = mapped_column(String(20))  # customer | assistant | agent (a human agent)
    # The human agent who wrote it (role agent).
    author: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    # Language, intent, sentiment and emotions of a customer message (assistant/understanding).
    understanding: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class RetrievalRow(Base):
    __tablename__ = "retrievals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    query: Mapped[str] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer)
    chunk_id: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    dense_score: Mapped[float | None] = mapped_column(Float)


class LLMCallRow(Base):
    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))  # decide | extract | reply | summarise | ...
    prompt_version: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(200))
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)


class ToolCallRow(Base):
    __tablename__ = "tool_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # read | write
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    ok: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))  # route | slots | tool_choice | procedure | fallback
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    error: Mapped[str | None] = mapped_column(Text)


class PendingActionRow(Base):
    __tablename__ = "pending_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    proposed_in_turn: Mapped[str] = mapped_column(ForeignKey("turns.id"))
    # Its place among the writes proposed in the same turn (one confirmation lists them in this order).
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text)
    action: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Not unique: the tools derive it from (conversation, tool, arguments), so a lapsed proposal made again
    # carries the same key, and the shop's idempotency is what makes the write run once.
    idempotency_key: Mapped[str] = mapped_column(String(200), index=True)
    # pending → executing → executed | failed | awaiting_approval (→ executed | declined by an agent); declined | superseded
    status: Mapped[str] = mapped_column(String(20), default="pending")
    resolved_in_turn: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
