"""The composition root: every service built once, over the components, with the schema created once.

`build_services(settings, components)` is what the app (`server/app.py`), the
CLI, the evals and the tests call to get an agent, a handoff desk or a drafts
service; none of them goes through the HTTP layer for it. The heavy parts —
the retriever with its keyword index, the understanding model — are built on
first use, once, and shared by every service that reads them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from assistant.agent.escalation_step import TurnEscalation
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.service import AgentService
from assistant.agent.turn_context import TurnDeps
from assistant.chat.service import ChatService
from assistant.components.container import Components
from assistant.connectors.reference import build_reference_connectors
from assistant.conversations.pending import PendingActions
from assistant.conversations.store import ConversationStore
from assistant.drafts.service import DraftService
from assistant.escalation import EscalationPolicy
from assistant.feedback.publish import CorrectionPublisher
from assistant.feedback.store import FeedbackStore
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.desk import AgentDesk
from assistant.handoff.queue import HandoffQueue
from assistant.schema import create_schema
from assistant.settings import Settings
from assistant.shops import load_shop
from assistant.tools.approval import ApprovalRule
from assistant.tools.audit import AuditLog
from assistant.tools.environment import ToolEnvironment
from assistant.tools.texts import PromptTexts
from assistant.tools.toolbox import build_toolbox

if TYPE_CHECKING:
    from assistant.connectors.interfaces import Connectors
    from assistant.retrieval.retriever import Retriever
    from assistant.understanding.service import MessageUnderstanding

T = TypeVar("T")


@dataclass
class Lazy(Generic[T]):
    """A part built on its first use, once, however many threads ask at the same moment."""

    build: Callable[[], T]
    _value: T | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self.build()
            return self._value


@dataclass
class Services:
    settings: Settings
    components: Components
    conversations: ConversationStore
    pending: PendingActions
    prompts: PromptLibrary
    tools: ToolEnvironment
    retriever: Lazy[Retriever]
    understanding: Lazy[MessageUnderstanding]
    handoffs: HandoffQueue
    desk: AgentDesk
    agent: AgentService
    chat: ChatService
    drafts: DraftService
    feedback: FeedbackStore
    corrections: CorrectionPublisher

    @property
    def connectors(self) -> Connectors:
        return self.tools.connectors

    async def close(self) -> None:
        """Let running turns finish (so each is stored), then close the commerce connections and the components."""
        await self.agent.wait_idle()
        await self.tools.aclose()
        await self.components.close()


def build_services(settings: Settings, components: Components, *, draft_max_tokens: int | None = None) -> Services:
    from assistant.retrieval.retriever import Retriever
    from assistant.understanding.service import MessageUnderstanding

    create_schema(components.engine)
    approval = ApprovalRule.from_settings(settings)
    tools = ToolEnvironment(
        toolbox=build_toolbox(settings.tools, approval=approval),
        connectors=build_reference_connectors(settings.commerce),
        audit=AuditLog(components.engine),
        texts=PromptTexts.of(settings.prompts),
        # One shop until each shop gets its own environment (issue 16).
        shop=load_shop("retail"),
    )
    conversations = ConversationStore(components.engine)
    pending = PendingActions(components.engine)
    prompts = PromptLibrary(settings.prompts)
    # The retriever opens the collection and builds its keyword index; the understanding model loads the
    # embedding model: an app that only serves ingestion never needs either.
    retriever: Lazy[Retriever] = Lazy(lambda: Retriever(components))
    understanding: Lazy[MessageUnderstanding] = Lazy(
        lambda: MessageUnderstanding.from_settings(settings, components.understanding_embedder())
    )
    handoffs = HandoffQueue(components.engine, settings.handoff)
    agent = AgentService(
        TurnDeps(
            settings=settings.agent,
            llm=components.llm,
            conversations=conversations,
            pending=pending,
            prompts=prompts,
            retriever=retriever,
            tools=tools,
            understanding=understanding,
            escalation=TurnEscalation(
                EscalationPolicy.from_settings(settings), tools.connectors, vip_tags=settings.escalation.vip_tags
            ),
            handoffs=handoffs,
            escalation_history=settings.escalation.history_turns,
        )
    )
    desk = AgentDesk(
        settings=settings.handoff,
        queue=handoffs,
        registry=AgentRegistry(components.engine),
        store=conversations,
        pending=pending,
        tools=tools,
    )
    drafts = DraftService(
        settings=settings.agent,
        llm=components.llm,
        prompts=prompts,
        retriever=retriever,
        tools=tools,
        conversations=conversations,
        engine=components.engine,
        max_tokens=draft_max_tokens,
    )
    feedback = FeedbackStore(components.engine)
    return Services(
        settings=settings,
        components=components,
        conversations=conversations,
        pending=pending,
        prompts=prompts,
        tools=tools,
        retriever=retriever,
        understanding=understanding,
        handoffs=handoffs,
        desk=desk,
        agent=agent,
        chat=ChatService(settings=settings.agent, store=conversations, agent=agent),
        drafts=drafts,
        feedback=feedback,
        corrections=CorrectionPublisher(components=components, store=feedback),
    )
