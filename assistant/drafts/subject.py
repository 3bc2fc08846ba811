"""What a draft answers: a conversation of the assistant, or a ticket the agent pasted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from assistant.agent.language import reply_language
from assistant.conversations.store import ConversationStore
from assistant.conversations.tables import ConversationRow
from assistant.errors import ConflictError, NotFoundError

HISTORY_MESSAGES = 6
MESSAGE_CHARS = 600
QUERY_CHARS = 600


@dataclass
class Subject:
    language: Literal["en", "zh"]
    customer_texts: list[str] = field(default_factory=list)  # oldest first
    customer_id: str | None = None
    conversation_id: str | None = None
    ticket_text: str | None = None
    history: list[dict[str, str]] = field(default_factory=list)
    summary: str | None = None
    intents: list[str] = field(default_factory=list)

    @property
    def query(self) -> str:
        """What to search the knowledge base for: the customer's latest words."""
        return " ".join(self.customer_texts[-2:])[-QUERY_CHARS:]


def ticket_subject(text: str, customer_id: str | None) -> Subject:
    return Subject(language=reply_language(text), customer_texts=[text], customer_id=customer_id, ticket_text=text)


def conversation_subject(engine: Engine, store: ConversationStore, conversation_id: str, shop: str) -> Subject:
    """The conversation's customer, recent messages and understood intents (404 for an unknown conversation, and
    for another shop's, exactly alike)."""
    with Session(engine) as session:
        row = session.get(ConversationRow, conversation_id)
        if row is None or row.shop != shop:
            raise NotFoundError(f"conversation {conversation_id} not found")
        customer_id, summary = row.customer_id, row.summary
    messages = store.list_messages(conversation_id=conversation_id)
    customer = [message for message in messages if message.role == "customer"]
    if not customer:
        raise ConflictError(f"conversation {conversation_id} has no customer message to reply to", reason="nothing_to_answer")
    return Subject(
        language=reply_language(customer[-1].content),
        customer_texts=[message.content for message in customer],
        customer_id=customer_id,
        conversation_id=conversation_id,
        history=[{"role": message.role, "content": message.content[:MESSAGE_CHARS]} for message in messages[-HISTORY_MESSAGES:]],
        summary=summary,
        intents=[message.understanding.intent for message in customer if message.understanding is not None],
    )
