"""Reading and writing conversations and their turns (keyword-only functions over one engine).

A turn is saved in one transaction: the customer's message, the reply and every
record of the turn go in together or not at all. Ownership is checked on every
read: a conversation of another customer is reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from assistant.components.database.base import Base, json_safe
from assistant.conversations.pending import pending_view
from assistant.conversations.records import (
    ActionBrief,
    Citation,
    ConversationView,
    EarlierTurn,
    MessageView,
    PendingConfirmation,
    TurnRecord,
)
from assistant.conversations.tables import (
    ConversationRow,
    DecisionRow,
    LLMCallRow,
    MessageRow,
    PendingActionRow,
    RetrievalRow,
    ToolCallRow,
    TurnRow,
    now,
)
from assistant.errors import ConflictError, NotFoundError
from assistant.understanding.models import Understanding


def create_tables(engine: Engine) -> None:
    """Create the conversation tables that do not exist yet (called at app start)."""
    from assistant.conversations import tables  # noqa: F401  (registers the tables on Base)

    Base.metadata.create_all(engine, tables=[Base.metadata.tables[table.__tablename__] for table in _TABLES])


_TABLES = (ConversationRow, TurnRow, MessageRow, RetrievalRow, LLMCallRow, ToolCallRow, DecisionRow, PendingActionRow)


@dataclass(frozen=True)
class SavedTurn:
    turn_id: str
    customer_message_id: int
    assistant_message_id: int | None
    pending: list[PendingConfirmation]  # the writes this turn proposed, waiting for the customer's yes


class ConversationStore:
    """Conversations of the customers of one or more shops."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create_conversation(
        self, *, shop: str, customer_id: str, external_key: str | None = None, channel: str = "api"
    ) -> ConversationView:
        with Session(self._engine) as session, session.begin():
            row = ConversationRow(shop=shop, customer_id=customer_id, status="open", external_key=external_key, channel=channel)
            session.add(row)
            session.flush()
            return _view(row)

    def find_open_by_key(self, *, shop: str, customer_id: str, external_key: str) -> ConversationView | None:
        with Session(self._engine) as session:
            row = session.scalars(
                select(ConversationRow)
                .where(
                    ConversationRow.shop == shop,
                    ConversationRow.customer_id == customer_id,
                    ConversationRow.external_key == external_key,
                    ConversationRow.status == "open",
                )
                .order_by(ConversationRow.created_at.desc())
            ).first()
            return _view(row) if row else None

    def get_conversation(self, *, conversation_id: str, shop: str, customer_id: str) -> ConversationView:
        with Session(self._engine) as session:
            return _view(self._owned(session, conversation_id, shop, customer_id))

    def require_open(self, *, conversation_id: str, shop: str, customer_id: str) -> ConversationView:
        """The conversation, if it is the customer's and still open (404 / 409 otherwise)."""
        conversation = self.get_conversation(conversation_id=conversation_id, shop=shop, customer_id=customer_id)
        if conversation.status != "open":
            raise ConflictError(f"conversation {conversation_id} has ended; start a new one", reason="conversation_ended")
        return conversation

    def end_conversation(self, *, conversation_id: str, shop: str, customer_id: str) -> ConversationView:
        with Session(self._engine) as session, session.begin():
            row = self._owned(session, conversation_id, shop, customer_id)
            if row.status == "open":
                row.status = "ended"
                row.ended_at = now()
                # A write proposed and never confirmed must not be executable after the end.
                session.execute(
                    update(PendingActionRow)
                    .where(PendingActionRow.conversation_id == row.id, PendingActionRow.status == "pending")
                    .values(status="superseded", resolved_at=now())
                )
            return _view(row)

    def list_messages(self, *, conversation_id: str, after: int = 0) -> list[MessageView]:
        with Session(self._engine) as session:
            rows = session.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_id == conversation_id, MessageRow.id > after)
                .order_by(MessageRow.id)
            ).all()
            return [
                MessageView(
                    id=row.id,
                    role=row.role,  # type: ignore[arg-type]
                    author=row.author,
                    content=row.content,
                    citations=[Citation(**item) for item in row.citations or []],
                    actions=[ActionBrief(**item) for item in row.actions or []],
                    understanding=Understanding.model_validate(row.understanding) if row.understanding else None,
                    created_at=row.created_at,
                )
                for row in rows
            ]

    def add_agent_message(self, *, conversation_id: str, agent_id: str, content: str) -> MessageView:
        """A human agent's message to the customer (handoffs, sent drafts); refused once the conversation ended."""
        with Session(self._engine) as session, session.begin():
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None:
                raise NotFoundError(f"conversation {conversation_id} not found")
            if conversation.status != "open":
                raise ConflictError(f"conversation {conversation_id} has ended", reason="conversation_ended")
            row = MessageRow(conversation_id=conversation_id, role="agent", author=agent_id, content=content)
            session.add(row)
            session.flush()
            return MessageView(id=row.id, role="agent", author=agent_id, content=content, created_at=row.created_at)

    def earlier_turns(self, *, conversation_id: str, limit: int) -> list[EarlierTurn]:
        """The latest `limit` turns (oldest first): what the customer said was understood as, and how the turn went."""
        with Session(self._engine) as session:
            turns = session.scalars(
                select(TurnRow)
                .where(TurnRow.conversation_id == conversation_id)
                .order_by(TurnRow.created_at.desc(), TurnRow.id)
                .limit(limit)
            ).all()
            ids = [turn.id for turn in turns]
            messages = session.scalars(select(MessageRow).where(MessageRow.turn_id.in_(ids))).all() if ids else []
            by_turn: dict[str, dict[str, MessageRow]] = {}
            for message in messages:
                by_turn.setdefault(message.turn_id or "", {})[message.role] = message
            earlier = []
            for turn in reversed(turns):
                customer = by_turn.get(turn.id, {}).get("customer")
                assistant = by_turn.get(turn.id, {}).get("assistant")
                earlier.append(
                    EarlierTurn(
                        customer_text=customer.content if customer else "",
                        understanding=Understanding.model_validate(customer.understanding)
                        if customer and customer.understanding
                        else None,
                        outcome=turn.outcome or "answered",
                        handoff_offered=bool(turn.handoff_offered),
                        route=turn.route,
                        reply=assistant.content if assistant else "",
                        actions=[ActionBrief(**item) for item in (assistant.actions or [])] if assistant else [],
                    )
                )
            return earlier

    def conversation_state(self, *, conversation_id: str) -> tuple[str | None, str | None, int]:
        """Verified customer id, summary of older turns, and the last message id the summary covers."""
        with Session(self._engine) as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None:
                raise NotFoundError(f"conversation {conversation_id} not found")
            return row.verified_customer_id, row.summary, row.summary_upto

    def save_turn(self, *, conversation_id: str, record: TurnRecord) -> SavedTurn:
        """Write the whole turn in one transaction; returns the ids it was stored under."""
        with Session(self._engine) as session, session.begin():
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None:
                raise NotFoundError(f"conversation {conversation_id} not found")
            turn = TurnRow(
                conversation_id=conversation_id,
                prompt_version=record.prompt_version,
                language=record.language,
                route=record.route,
                status=record.status,
                failure_cause=record.failure_cause,
                seconds=record.seconds,
                llm_seconds=record.llm_seconds,
                first_token_seconds=record.first_token_seconds,
                intent=record.understanding.intent if record.understanding else None,
                sentiment=record.understanding.sentiment if record.understanding else None,
                escalated=record.escalated,
                escalation_reason=record.escalation_reason,
                outcome=record.outcome,
                handoff_offered=record.handoff_offered,
                stages=record.stages.model_dump(mode="json"),
            )
            session.add(turn)
            session.flush()
            customer = MessageRow(
                conversation_id=conversation_id,
                turn_id=turn.id,
                role="customer",
                content=record.customer_text,
                understanding=record.understanding.model_dump(mode="json") if record.understanding else None,
            )
            session.add(customer)
            reply = None
            if record.store_reply:
                reply = MessageRow(
                    conversation_id=conversation_id,
                    turn_id=turn.id,
                    role="assistant",
                    content=record.reply,
                    citations=[c.model_dump() for c in record.citations],
                    actions=[a.model_dump() for a in record.actions],
                )
                session.add(reply)
            session.add_all(RetrievalRow(turn_id=turn.id, **r.model_dump()) for r in record.retrievals)
            session.add_all(
                LLMCallRow(turn_id=turn.id, prompt_version=record.prompt_version, **c.model_dump()) for c in record.llm_calls
            )
            session.add_all(ToolCallRow(turn_id=turn.id, **json_safe(t.model_dump())) for t in record.tool_calls)
            session.add_all(DecisionRow(turn_id=turn.id, **json_safe(d.model_dump())) for d in record.decisions)
            for resolved in record.resolved:
                pending = session.get(PendingActionRow, resolved.id)
                if pending is not None:
                    pending.status = resolved.status
                    pending.resolved_in_turn = turn.id
                    pending.result = json_safe(resolved.result)
                    pending.resolved_at = now()
            proposed: list[PendingActionRow] = []
            if record.proposals:
                # One open confirmation per conversation: newer proposals replace any older ones.
                session.execute(
                    update(PendingActionRow)
                    .where(PendingActionRow.conversation_id == conversation_id, PendingActionRow.status == "pending")
                    .values(status="superseded", resolved_at=now(), resolved_in_turn=turn.id)
                )
                proposed = [
                    PendingActionRow(
                        conversation_id=conversation_id,
                        proposed_in_turn=turn.id,
                        position=position,
                        name=proposal.tool,
                        arguments=json_safe(proposal.arguments),
                        description=proposal.description,
                        action=proposal.model_dump(mode="json"),
                        idempotency_key=proposal.idempotency_key,
                    )
                    for position, proposal in enumerate(record.proposals)
                ]
                session.add_all(proposed)
            if record.verified_customer_id:
                conversation.verified_customer_id = record.verified_customer_id
            if record.summary is not None and record.summary_upto is not None:
                conversation.summary = record.summary
                conversation.summary_upto = record.summary_upto
            if conversation.language != record.language:
                conversation.language = record.language
            session.flush()
            return SavedTurn(
                turn_id=turn.id,
                customer_message_id=customer.id,
                assistant_message_id=reply.id if reply is not None else None,
                pending=[pending_view(row) for row in proposed],
            )

    @staticmethod
    def _owned(session: Session, conversation_id: str, shop: str, customer_id: str) -> ConversationRow:
        row = session.get(ConversationRow, conversation_id)
        # Another customer's conversation is reported exactly like a missing one.
        if row is None or row.shop != shop or row.customer_id != customer_id:
            raise NotFoundError(f"conversation {conversation_id} not found")
        return row


def _view(row: ConversationRow) -> ConversationView:
    return ConversationView(
        id=row.id,
        customer_id=row.customer_id,
        status=row.status,  # type: ignore[arg-type]
        channel=row.channel or "api",
        created_at=row.created_at,
        ended_at=row.ended_at,
    )
