"""Reading and writing feedback (keyword-only functions over one engine).

A customer may rate only answers of their own conversations; an agent may correct
only answers of their own shop's conversations and read only its corrections;
anything else is "not found", exactly like a conversation that does not exist.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from assistant.conversations.tables import ConversationRow, MessageRow, now
from assistant.errors import BadInputError, ConflictError, NotFoundError
from assistant.feedback.models import ConversationFeedback, CorrectionView, CsatView, RatingView, Thumb
from assistant.feedback.tables import AnswerCorrectionRow, CsatRatingRow, MessageRatingRow


class FeedbackStore:
    """Thumbs, CSAT scores and answer corrections."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def rate_message(
        self, *, shop: str, customer_id: str, conversation_id: str, message_id: int, thumb: Thumb, comment: str | None
    ) -> RatingView:
        with Session(self._engine) as session, session.begin():
            _owned_conversation(session, conversation_id, shop, customer_id)
            message = session.get(MessageRow, message_id)
            if message is None or message.conversation_id != conversation_id:
                raise NotFoundError(f"message {message_id} not found in conversation {conversation_id}")
            if message.role != "assistant":
                raise BadInputError(
                    f"message {message_id} was written by the {message.role}; only the assistant's answers can be rated",
                    reason="not_an_answer",
                )
            previous = session.scalars(
                select(MessageRatingRow.thumb)
                .where(MessageRatingRow.message_id == message_id)
                .order_by(MessageRatingRow.id.desc())
            ).first()
            row = MessageRatingRow(conversation_id=conversation_id, message_id=message_id, thumb=thumb, comment=comment)
            session.add(row)
            session.flush()
            return _rating(row, replaced=previous)

    def rate_conversation(
        self, *, shop: str, customer_id: str, conversation_id: str, score: int, comment: str | None
    ) -> CsatView:
        with Session(self._engine) as session, session.begin():
            _owned_conversation(session, conversation_id, shop, customer_id)
            previous = session.scalars(
                select(CsatRatingRow.score)
                .where(CsatRatingRow.conversation_id == conversation_id)
                .order_by(CsatRatingRow.id.desc())
            ).first()
            row = CsatRatingRow(conversation_id=conversation_id, score=score, comment=comment)
            session.add(row)
            session.flush()
            return _csat(row, replaced=previous)

    def add_correction(
        self, *, message_id: int, shop: str, agent_id: str, correct_answer: str, note: str | None
    ) -> CorrectionView:
        """An agent flags an answer of their shop as bad and gives the right one; the customer's question is copied."""
        with Session(self._engine) as session, session.begin():
            message = session.get(MessageRow, message_id)
            conversation = session.get(ConversationRow, message.conversation_id) if message is not None else None
            if message is None or conversation is None or conversation.shop != shop:
                raise NotFoundError(f"message {message_id} not found")
            if message.role != "assistant":
                raise BadInputError(
                    f"message {message_id} was written by the {message.role}; only the assistant's answers can be corrected",
                    reason="not_an_answer",
                )
            row = AnswerCorrectionRow(
                conversation_id=message.conversation_id,
                message_id=message_id,
                agent_id=agent_id,
                question=_question_of(session, message),
                original_answer=message.content,
                correct_answer=correct_answer,
                note=note,
                status="open",
            )
            session.add(row)
            session.flush()
            return _correction(row)

    def get_correction(self, *, correction_id: str, shop: str) -> CorrectionView:
        with Session(self._engine) as session:
            return _correction(_shop_correction(session, correction_id, shop))

    def list_corrections(self, *, shop: str, status: str | None = None, limit: int = 100) -> list[CorrectionView]:
        with Session(self._engine) as session:
            query = (
                select(AnswerCorrectionRow)
                .join(ConversationRow, ConversationRow.id == AnswerCorrectionRow.conversation_id)
                .where(ConversationRow.shop == shop)
                .order_by(AnswerCorrectionRow.created_at.desc())
                .limit(limit)
            )
            if status is not None:
                query = query.where(AnswerCorrectionRow.status == status)
            return [_correction(row) for row in session.scalars(query)]

    def mark_published(self, *, correction_id: str, document_id: str, agent_id: str) -> CorrectionView:
        """Record the document a correction became; only the first of two concurrent publishers wins."""
        with Session(self._engine) as session, session.begin():
            result = session.execute(
                update(AnswerCorrectionRow)
                .where(AnswerCorrectionRow.id == correction_id, AnswerCorrectionRow.status == "open")
                .values(status="published", document_id=document_id, published_by=agent_id, published_at=now())
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                self._refuse_publish(session, correction_id)
            row = session.get(AnswerCorrectionRow, correction_id)
            if row is None:  # deleted between the update and the read: not something this schema allows
                raise NotFoundError(f"correction {correction_id} not found")
            session.refresh(row)
            return _correction(row)

    def conversation_feedback(self, *, conversation_id: str, shop: str) -> ConversationFeedback:
        with Session(self._engine) as session:
            conversation = session.get(ConversationRow, conversation_id)
            if conversation is None or conversation.shop != shop:
                raise NotFoundError(f"conversation {conversation_id} not found")
            latest: dict[int, MessageRatingRow] = {}
            for rating in session.scalars(
                select(MessageRatingRow).where(MessageRatingRow.conversation_id == conversation_id).order_by(MessageRatingRow.id)
            ):
                latest[rating.message_id] = rating
            csat = session.scalars(
                select(CsatRatingRow).where(CsatRatingRow.conversation_id == conversation_id).order_by(CsatRatingRow.id.desc())
            ).first()
            corrections = session.scalars(
                select(AnswerCorrectionRow)
                .where(AnswerCorrectionRow.conversation_id == conversation_id)
                .order_by(AnswerCorrectionRow.created_at)
            )
            return ConversationFeedback(
                conversation_id=conversation_id,
                ratings=[_rating(row) for row in sorted(latest.values(), key=lambda row: row.message_id)],
                csat=_csat(csat) if csat else None,
                corrections=[_correction(row) for row in corrections],
            )

    @staticmethod
    def _refuse_publish(session: Session, correction_id: str) -> None:
        row = session.get(AnswerCorrectionRow, correction_id)
        if row is None:
            raise NotFoundError(f"correction {correction_id} not found")
        raise ConflictError(f"correction {correction_id} is already published as {row.document_id}", reason="already_published")


def _shop_correction(session: Session, correction_id: str, shop: str) -> AnswerCorrectionRow:
    """The shop's correction (through its conversation); another shop's is "not found", like a missing one."""
    row = session.get(AnswerCorrectionRow, correction_id)
    conversation = session.get(ConversationRow, row.conversation_id) if row is not None else None
    if row is None or conversation is None or conversation.shop != shop:
        raise NotFoundError(f"correction {correction_id} not found")
    return row


def _owned_conversation(session: Session, conversation_id: str, shop: str, customer_id: str) -> ConversationRow:
    row = session.get(ConversationRow, conversation_id)
    if row is None or row.shop != shop or row.customer_id != customer_id:
        raise NotFoundError(f"conversation {conversation_id} not found")
    return row


def _question_of(session: Session, answer: MessageRow) -> str:
    """The customer's message this answer replied to: the one of its turn, else the last one before it."""
    query = select(MessageRow.content).where(
        MessageRow.conversation_id == answer.conversation_id, MessageRow.role == "customer", MessageRow.id < answer.id
    )
    if answer.turn_id is not None:
        same_turn = session.scalars(query.where(MessageRow.turn_id == answer.turn_id)).first()
        if same_turn is not None:
            return same_turn
    return session.scalars(query.order_by(MessageRow.id.desc())).first() or ""


def _rating(row: MessageRatingRow, replaced: str | None = None) -> RatingView:
    return RatingView(
        message_id=row.message_id,
        conversation_id=row.conversation_id,
        thumb=row.thumb,  # type: ignore[arg-type]
        comment=row.comment,
        created_at=row.created_at,
        replaced=replaced,  # type: ignore[arg-type]
    )


def _csat(row: CsatRatingRow, replaced: int | None = None) -> CsatView:
    return CsatView(
        conversation_id=row.conversation_id, score=row.score, comment=row.comment, created_at=row.created_at, replaced=replaced
    )


def _correction(row: AnswerCorrectionRow) -> CorrectionView:
    return CorrectionView(
        id=row.id,
        conversation_id=row.conversation_id,
        message_id=row.message_id,
        agent_id=row.agent_id,
        question=row.question,
        original_answer=row.original_answer,
        correct_answer=row.correct_answer,
        note=row.note,
        status=row.status,  # type: ignore[arg-type]
        document_id=row.document_id,
        published_by=row.published_by,
        published_at=row.published_at,
        created_at=row.created_at,
    )
