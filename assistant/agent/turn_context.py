"""What one turn works with: its collaborators (shared by every turn) and its own state (one per turn).

`TurnDeps` is built once by the composition root (assistant/bootstrap.py);
`Turn` is made when a message arrives and carries everything the turn's steps
read and write — who it is for, what was said so far, the record that is
stored at the end, and the handoff it decided on — so no step takes more than
`(deps, turn)` and a few values of its own.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.agent.escalation_step import EscalationContext
from assistant.agent.events import TokenEvent, TurnEvent
from assistant.agent.shop import ShopDirectory, ShopRuntime
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_llm import TurnLLM
from assistant.components.llm.client import LLMClient
from assistant.conversations.pending import PendingActions
from assistant.conversations.records import TurnRecord
from assistant.conversations.store import ConversationStore
from assistant.handoff.models import NewHandoff
from assistant.handoff.queue import HandoffQueue
from assistant.settings import AgentSettings
from assistant.understanding.models import Understanding

if TYPE_CHECKING:
    from assistant.understanding.service import MessageUnderstanding


@dataclass(frozen=True)
class TurnDeps:
    """The collaborators every turn uses: the shared ones, and the directory of shops a turn picks its own from.

    The understanding model is made on first use; so is each shop's retriever (assistant/agent/shop.py).
    """

    settings: AgentSettings
    llm: LLMClient
    conversations: ConversationStore
    pending: PendingActions
    shops: ShopDirectory
    understanding: Callable[[], MessageUnderstanding]
    handoffs: HandoffQueue
    escalation_history: int = 6


@dataclass(frozen=True)
class TurnRequest:
    """Who wrote what, in which conversation (checked by the caller: the customer's own, and open)."""

    conversation_id: str
    shop: str
    customer_id: str
    text: str


@dataclass
class Turn:
    request: TurnRequest
    # The shop of the request, picked once from the directory: every step reads its prompts, tools and rules here.
    shop: ShopRuntime
    record: TurnRecord
    llm: TurnLLM
    emit: Callable[[TurnEvent], Awaitable[None]]
    started: float = field(default_factory=time.perf_counter)
    # Filled in as the turn learns them (inside its time budget).
    understanding: Understanding | None = None
    tools: TurnTools | None = None
    verified: str | None = None
    summary: str | None = None
    summary_upto: int = 0
    context: EscalationContext = field(default_factory=EscalationContext)
    vip: bool = False
    # What it has said so far, whether it offered a person, and whether it handed over.
    parts: list[str] = field(default_factory=list)
    offered: bool = False
    handed_off: bool = False
    first_token_seconds: float | None = None
    last_token_seconds: float | None = None
    # Opened once the turn is stored, so the queue never shows a conversation whose last turn is missing.
    handoff: NewHandoff | None = None

    @property
    def text(self) -> str:
        return self.request.text

    @property
    def language(self) -> str:
        return self.record.language

    def phrase(self, key: str, **values: object) -> str:
        """A fixed reply in the customer's language, as the shop words it."""
        return self.shop.prompts.phrase(self.record.language, key, **values)

    async def say(self, text: str) -> None:
        if self.first_token_seconds is None and text:
            self.first_token_seconds = time.perf_counter() - self.started
        if text:
            self.last_token_seconds = time.perf_counter() - self.started
        self.parts.append(text)
        await self.emit(TokenEvent(text=text))

    def stored_reply(self) -> str:
        """The reply as stored and returned: everything said, less an answer the reply guard refused.

        The customer may have seen the start of a refused answer stream by (agent/reply_guard.py holds back only what
        could still become a refused text); its `reply_refused` decision lists the pieces said, which are left out
        here, so the honest reply said after them is the whole reply (agent/events.py: the final reply is authoritative).
        """
        parts = list(self.parts)
        for decision in self.record.decisions:
            withdrawn = list(decision.payload.get("withdrawn") or []) if decision.kind == "reply_refused" else []
            where = [start for start in range(len(parts)) if withdrawn and parts[start : start + len(withdrawn)] == withdrawn]
            if where:
                del parts[where[0] : where[0] + len(withdrawn)]
        return "".join(parts).strip()

    def turn_tools(self) -> TurnTools:
        if self.tools is None:  # set at the start of the turn; a step reached without it is a bug
            raise RuntimeError("the turn's tools are used before the turn knows its customer")
        return self.tools

    def known_understanding(self) -> Understanding:
        if self.understanding is None:
            raise RuntimeError("the turn's understanding is used before the message was read")
        return self.understanding
