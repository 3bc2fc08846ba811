"""The audit log of writes: who (customer, conversation), what (tool, arguments), when, and the result.

Every executed write is recorded, and every refused or failed one (at proposal
or at execution). Records live in the assistant's own database. A refusal over
another customer's data is recorded exactly like a request for something that
does not exist: the record holds what the caller asked, never what was found.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import JSON, DateTime, Engine, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from assistant.components.database.base import Base
from assistant.components.database.columns import LEGACY_DEFAULT
from assistant.shops import LEGACY_SHOP

Outcome = Literal["executed", "refused", "failed", "handed_off"]


class AuditRecord(Base):
    __tablename__ = "tool_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The shop whose tools wrote it (one audit log per shop's tool environment).
    shop: Mapped[str | None] = mapped_column(String(100), index=True, info={LEGACY_DEFAULT: LEGACY_SHOP})
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    tool: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(128))


class AuditEntry(BaseModel):
    at: datetime
    shop: str | None = None
    conversation_id: str
    customer_id: str | None
    tool: str
    arguments: dict[str, Any]
    idempotency_key: str | None
    outcome: Outcome
    reason: str | None
    result: Any = None
    approved_by: str | None = None


class AuditLog:
    """Appends and reads audit entries; the table is created by ``create_table`` (idempotent).

    A shop's log (`shop` set) writes its entries with the shop and reads only the shop's.
    """

    def __init__(self, engine: Engine, *, shop: str | None = None) -> None:
        self.engine = engine
        self.shop = shop

    def create_table(self) -> None:
        Base.metadata.create_all(self.engine, tables=[AuditRecord.__table__])  # type: ignore[list-item]

    async def record(
        self,
        *,
        conversation_id: str,
        customer_id: str | None,
        tool: str,
        arguments: dict[str, Any],
        outcome: Outcome,
        reason: str | None = None,
        result: Any = None,
        idempotency_key: str | None = None,
        approved_by: str | None = None,
    ) -> None:
        row = AuditRecord(
            at=datetime.now(UTC),
            shop=self.shop,
            conversation_id=conversation_id,
            customer_id=customer_id,
            tool=tool,
            arguments=arguments,
            idempotency_key=idempotency_key,
            outcome=outcome,
            reason=reason,
            result=result,
            approved_by=approved_by,
        )
        await asyncio.to_thread(self._insert, row)

    def entries(self, *, conversation_id: str | None = None, customer_id: str | None = None) -> list[AuditEntry]:
        query = select(AuditRecord).order_by(AuditRecord.id)
        if self.shop is not None:
            query = query.where(AuditRecord.shop == self.shop)
        if conversation_id is not None:
            query = query.where(AuditRecord.conversation_id == conversation_id)
        if customer_id is not None:
            query = query.where(AuditRecord.customer_id == customer_id)
        with Session(self.engine) as session:
            return [
                AuditEntry(
                    at=row.at,
                    shop=row.shop,
                    conversation_id=row.conversation_id,
                    customer_id=row.customer_id,
                    tool=row.tool,
                    arguments=row.arguments,
                    idempotency_key=row.idempotency_key,
                    outcome=row.outcome,  # type: ignore[arg-type]
                    reason=row.reason,
                    result=row.result,
                    approved_by=row.approved_by,
                )
                for row in session.scalars(query)
            ]

    def _insert(self, row: AuditRecord) -> None:
        with Session(self.engine) as session:
            session.add(row)
            session.commit()
