"""The customer chat: conversations of a shop's customers, checked input, rate limit, turns.

The HTTP routers (chat, OpenAI-compatible) and the evals both talk to customers through it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from assistant.agent.events import FinalEvent, TurnEvent, TurnResult
from assistant.agent.service import AgentService
from assistant.conversations.records import ConversationView, MessageView
from assistant.conversations.store import ConversationStore
from assistant.errors import BadInputError, RateLimitedError, UnauthorizedError
from assistant.settings import AgentSettings


@dataclass(frozen=True)
class Caller:
    """A shop, calling on behalf of one of its customers (the shop authenticated the customer)."""

    shop: str
    customer_id: str


class ChatService:
    def __init__(self, *, settings: AgentSettings, store: ConversationStore, agent: AgentService, shops: frozenset[str]) -> None:
        self._settings = settings
        self._store = store
        self._agent = agent
        self._shops = shops  # the shops served: a caller of any other is refused before anything is stored
        self._limit = parse(settings.rate_limit)
        # In-process window: with several API replicas, point `limits` at a shared storage (Redis) instead.
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def create(self, caller: Caller) -> ConversationView:
        self._check_shop(caller)
        return await asyncio.to_thread(self._store.create_conversation, shop=caller.shop, customer_id=caller.customer_id)

    async def get(self, caller: Caller, conversation_id: str) -> tuple[ConversationView, list[MessageView]]:
        conversation = await asyncio.to_thread(
            self._store.get_conversation, conversation_id=conversation_id, shop=caller.shop, customer_id=caller.customer_id
        )
        messages = await asyncio.to_thread(self._store.list_messages, conversation_id=conversation_id)
        return conversation, messages

    async def end(self, caller: Caller, conversation_id: str) -> ConversationView:
        return await asyncio.to_thread(
            self._store.end_conversation, conversation_id=conversation_id, shop=caller.shop, customer_id=caller.customer_id
        )

    async def conversation_for(self, caller: Caller, *, explicit: str | None, first_message: str) -> str:
        """The conversation an OpenAI-style request continues (see the openai_compat router)."""
        self._check_shop(caller)
        if explicit:
            return explicit  # ownership and state are checked by `send`
        key = hashlib.sha256(first_message.strip().encode("utf-8", "replace")).hexdigest()
        found = await asyncio.to_thread(
            self._store.find_open_by_key, shop=caller.shop, customer_id=caller.customer_id, external_key=key
        )
        if found is not None:
            return found.id
        created = await asyncio.to_thread(
            self._store.create_conversation, shop=caller.shop, customer_id=caller.customer_id, external_key=key
        )
        return created.id

    async def send(self, caller: Caller, conversation_id: str, content: str) -> AsyncIterator[TurnEvent]:
        """Check everything that can be wrong with the request, then start the turn.

        Every check runs before anything is stored, so a refused message leaves no trace.
        """
        text = self.check_message(content)
        await asyncio.to_thread(
            self._store.require_open, conversation_id=conversation_id, shop=caller.shop, customer_id=caller.customer_id
        )
        self.check_rate(caller)
        return self._agent.run_turn(conversation_id=conversation_id, shop=caller.shop, customer_id=caller.customer_id, text=text)

    async def send_and_wait(self, caller: Caller, conversation_id: str, content: str) -> TurnResult:
        events = await self.send(caller, conversation_id, content)
        return await final_result(events)

    def _check_shop(self, caller: Caller) -> None:
        if caller.shop not in self._shops:
            raise UnauthorizedError(f"shop {caller.shop!r} is not served here")

    def check_message(self, content: object) -> str:
        if not isinstance(content, str):
            raise BadInputError("`content` must be a string", reason="bad_message")
        try:
            content.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInputError(
                "the message is not valid UTF-8 text (it contains unpaired surrogates)", reason="bad_encoding"
            ) from None
        text = content.strip()
        if not text:
            raise BadInputError("the message is empty", reason="empty_message")
        if len(text) > self._settings.max_message_chars:
            raise BadInputError(
                f"the message has {len(text)} characters; the limit is {self._settings.max_message_chars}",
                reason="message_too_long",
            )
        return text

    def check_rate(self, caller: Caller) -> None:
        if not self._limiter.hit(self._limit, caller.shop, caller.customer_id):
            stats = self._limiter.get_window_stats(self._limit, caller.shop, caller.customer_id)
            raise RateLimitedError(
                f"too many messages: the limit is {self._settings.rate_limit} per customer; "
                f"try again in {max(1, int(stats.reset_time - time.time()))} s"
            )


async def final_result(events: AsyncIterator[TurnEvent]) -> TurnResult:
    result = None
    async for event in events:
        if isinstance(event, FinalEvent):
            result = event.result
    if result is None:  # the turn task always ends with a final event or an exception
        raise RuntimeError("the turn ended without a result")
    return result
