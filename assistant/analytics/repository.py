"""Loads `ConversationFacts` from the assistant's tables: a period's conversations, or one customer's.

Everything a conversation's figures need is read in a few grouped queries (turns, their
messages, token and tool-call sums, the best retrieval score, the latest ratings, handoffs,
and the customer's next conversation), never one query per conversation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from assistant.analytics.records import ConversationFacts, HandoffFacts, TurnFacts
from assistant.conversations.tables import ConversationRow, LLMCallRow, MessageRow, RetrievalRow, ToolCallRow, TurnRow
from assistant.feedback.tables import CsatRatingRow, MessageRatingRow
from assistant.handoff.tables import HandoffRow

T = TypeVar("T")
BATCH = 500  # ids per IN (...) list, well under SQLite's bound parameter limit


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class AnalyticsRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def conversations_between(self, *, start: datetime, end: datetime, shop: str | None = None) -> list[ConversationFacts]:
        """Conversations started in [start, end), with everything that happened in them."""
        query = select(ConversationRow).where(ConversationRow.created_at >= start, ConversationRow.created_at < end)
        if shop is not None:
            query = query.where(ConversationRow.shop == shop)
        return self._load(query)

    def conversations_of_customer(
        self, *, customer_id: str, since: datetime | None = None, shop: str | None = None
    ) -> list[ConversationFacts]:
        query = select(ConversationRow).where(ConversationRow.customer_id == customer_id)
        if since is not None:
            query = query.where(ConversationRow.created_at >= since)
        if shop is not None:
            query = query.where(ConversationRow.shop == shop)
        return self._load(query)

    def conversation_starts(self, *, start: datetime, end: datetime, shop: str | None = None) -> list[datetime]:
        """When each conversation in [start, end) started (the forecast's history)."""
        query = select(ConversationRow.created_at).where(ConversationRow.created_at >= start, ConversationRow.created_at < end)
        if shop is not None:
            query = query.where(ConversationRow.shop == shop)
        with Session(self._engine) as session:
            return [as_utc(moment) for moment in session.scalars(query)]

    def _load(self, query: Any) -> list[ConversationFacts]:  # a select of ConversationRow
        with Session(self._engine) as session:
            conversations: list[ConversationRow] = list(session.scalars(query.order_by(ConversationRow.created_at)))
            ids = [row.id for row in conversations]
            turns = _entities_in(session, select(TurnRow), TurnRow.conversation_id, ids)
            turn_ids = [turn.id for turn in turns]
            messages = _entities_in(session, select(MessageRow), MessageRow.conversation_id, ids)
            tokens = {
                turn_id: (int(tokens_in or 0), int(tokens_out or 0))
                for turn_id, tokens_in, tokens_out in _tuples_in(
                    session,
                    select(LLMCallRow.turn_id, func.sum(LLMCallRow.tokens_in), func.sum(LLMCallRow.tokens_out)).group_by(
                        LLMCallRow.turn_id
                    ),
                    LLMCallRow.turn_id,
                    turn_ids,
                )
            }
            tools = {
                turn_id: (int(total), int(failed or 0))
                for turn_id, total, failed in _tuples_in(
                    session,
                    select(ToolCallRow.turn_id, func.count(), func.sum(case((ToolCallRow.ok.is_(False), 1), else_=0))).group_by(
                        ToolCallRow.turn_id
                    ),
                    ToolCallRow.turn_id,
                    turn_ids,
                )
            }
            best_scores = {
                turn_id: float(best)
                for turn_id, best in _tuples_in(
                    session,
                    select(RetrievalRow.turn_id, func.max(func.coalesce(RetrievalRow.dense_score, RetrievalRow.score))).group_by(
                        RetrievalRow.turn_id
                    ),
                    RetrievalRow.turn_id,
                    turn_ids,
                )
                if best is not None
            }
            thumbs: dict[int, str] = {}
            for rating in _entities_in(
                session, select(MessageRatingRow).order_by(MessageRatingRow.id), MessageRatingRow.conversation_id, ids
            ):
                thumbs[rating.message_id] = rating.thumb  # ordered by id: the latest rating wins
            csat: dict[str, int] = {}
            for rating in _entities_in(
                session, select(CsatRatingRow).order_by(CsatRatingRow.id), CsatRatingRow.conversation_id, ids
            ):
                csat[rating.conversation_id] = rating.score
            handoffs = _entities_in(session, select(HandoffRow), HandoffRow.conversation_id, ids)
            next_contact = self._next_contacts(session, conversations)

        by_turn: dict[str, dict[str, MessageRow]] = defaultdict(dict)
        agent_times: dict[str, list[datetime]] = defaultdict(list)
        for message in messages:
            if message.role == "agent":
                agent_times[message.conversation_id].append(as_utc(message.created_at))
            elif message.turn_id is not None:
                by_turn[message.turn_id][message.role] = message
        turns_of: dict[str, list[TurnFacts]] = defaultdict(list)
        for turn in turns:
            customer = by_turn[turn.id].get("customer")
            answer = by_turn[turn.id].get("assistant")
            understanding: dict[str, Any] = (customer.understanding if customer else None) or {}
            tokens_in, tokens_out = tokens.get(turn.id, (0, 0))
            tool_total, tool_failed = tools.get(turn.id, (0, 0))
            turns_of[turn.conversation_id].append(
                TurnFacts(
                    id=turn.id,
                    created_at=as_utc(turn.created_at),
                    prompt_version=turn.prompt_version,
                    language=turn.language,
                    route=turn.route,
                    status=turn.status,
                    outcome=turn.outcome or ("failed" if turn.status == "failed" else "answered"),
                    seconds=turn.seconds,
                    first_token_seconds=turn.first_token_seconds,
                    intent=turn.intent,
                    sentiment=turn.sentiment,
                    sentiment_score=understanding.get("sentiment_score"),
                    escalated=bool(turn.escalated),
                    escalation_reason=turn.escalation_reason,
                    signals=tuple(sorted(understanding.get("signals") or [])),
                    text=customer.content if customer else "",
                    replied=answer is not None,
                    tokens_in=tokens_in,
                    tokens_out=tokens_out,
                    tool_calls=tool_total,
                    tool_failures=tool_failed,
                    best_dense_score=best_scores.get(turn.id),
                    thumb=thumbs.get(answer.id) if answer is not None else None,
                )
            )
        handoffs_of: dict[str, list[HandoffFacts]] = defaultdict(list)
        for handoff in handoffs:
            handoffs_of[handoff.conversation_id].append(
                HandoffFacts(id=handoff.id, reason=handoff.reason, status=handoff.status, created_at=as_utc(handoff.created_at))
            )
        return [
            ConversationFacts(
                id=row.id,
                created_at=as_utc(row.created_at),
                customer_id=row.customer_id,
                shop=row.shop,
                channel=row.channel or "api",
                status=row.status,
                ended_at=as_utc(row.ended_at) if row.ended_at else None,
                turns=tuple(sorted(turns_of[row.id], key=lambda turn: turn.created_at)),
                handoffs=tuple(handoffs_of[row.id]),
                agent_message_times=tuple(sorted(agent_times[row.id])),
                csat=csat.get(row.id),
                next_contact_at=next_contact.get(row.id),
            )
            for row in conversations
        ]

    @staticmethod
    def _next_contacts(session: Session, conversations: Sequence[ConversationRow]) -> dict[str, datetime]:
        """For each conversation, when its customer (in its shop) started the next one, looking past the period too."""
        if not conversations:
            return {}
        earliest = min(row.created_at for row in conversations)
        customers = sorted({row.customer_id for row in conversations})
        starts: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
        for shop, customer_id, created_at, conversation_id in _tuples_in(
            session,
            select(ConversationRow.shop, ConversationRow.customer_id, ConversationRow.created_at, ConversationRow.id).where(
                ConversationRow.created_at >= earliest
            ),
            ConversationRow.customer_id,
            customers,
        ):
            starts[(shop, customer_id)].append((as_utc(created_at), conversation_id))
        following: dict[str, datetime] = {}
        for history in starts.values():
            history.sort()
            for (_, conversation_id), (next_start, _) in zip(history, history[1:], strict=False):
                following[conversation_id] = next_start
        return following


def _entities_in(session: Session, query: Any, column: Any, values: Sequence[Any]) -> list[Any]:
    """Rows of one table whose `column` is in `values` (queried in batches)."""
    return [row for batch in _batched(values, BATCH) for row in session.scalars(query.where(column.in_(batch)))]


def _tuples_in(session: Session, query: Any, column: Any, values: Sequence[Any]) -> list[Any]:
    """Tuples of a multi-column query whose `column` is in `values` (queried in batches)."""
    return [row for batch in _batched(values, BATCH) for row in session.execute(query.where(column.in_(batch))).tuples()]


def _batched(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
