"""The composition root: every service built once, over the components, with the schema created once.

`build_services(settings, components)` is what the app (`server/app.py`), the
CLI, the evals and the tests call to get an agent, a handoff desk or a drafts
service; none of them goes through the HTTP layer for it. Each configured shop
gets its part of the graph once (agent/shop.py: its commerce connectors, tools,
prompts, retriever over its own collection, operations), held in one directory
that every service looks a shop up in; the model client, the database, the
understanding model and the escalation policy are shared. The heavy parts —
each retriever with its keyword index, the understanding model — are built on
first use, once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from assistant.agent.escalation_step import TurnEscalation
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.service import AgentService
from assistant.agent.shop import ShopDirectory, ShopRuntime
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
from assistant.shops import Shop, load_shops
from assistant.tools.approval import ApprovalRule
from assistant.tools.audit import AuditLog
from assistant.tools.environment import ToolEnvironment
from assistant.tools.texts import PromptTexts
from assistant.tools.toolbox import build_toolbox

if TYPE_CHECKING:
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
    shops: ShopDirectory
    understanding: Lazy[MessageUnderstanding]
    handoffs: HandoffQueue
    desk: AgentDesk
    agent: AgentService
    chat: ChatService
    drafts: DraftService
    feedback: FeedbackStore
    corrections: CorrectionPublisher

    async def close(self) -> None:
        """Let running turns finish (so each is stored), then close each shop's commerce connections and the components."""
        await self.agent.wait_idle()
        for runtime in self.shops.values():
            await runtime.tools.aclose()
        await self.components.close()


def build_services(settings: Settings, components: Components, *, draft_max_tokens: int | None = None) -> Services:
    """Every service, once; each shop's part of the graph once (a wrong profile stops here, one SettingsError)."""
    from assistant.understanding.service import MessageUnderstanding

    shops = load_shops(settings)
    escalation = EscalationPolicy.from_settings(settings)
    directory = ShopDirectory({name: _shop_runtime(settings, components, shop, escalation) for name, shop in shops.items()})
    create_schema(components.engine)
    conversations = ConversationStore(components.engine)
    pending = PendingActions(components.engine)
    # The understanding model loads its embedding model: an app that only serves ingestion never needs it.
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
            shops=directory,
            understanding=understanding,
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
        tools=directory.tools(),
    )
    drafts = DraftService(
        settings=settings.agent,
        llm=components.llm,
        shops=directory,
        conversations=conversations,
        engine=components.engine,
        max_tokens=draft_max_tokens,
    )
    feedback = FeedbackStore(components.engine)
    collections = {name: runtime.collection for name, runtime in directory.items()}
    return Services(
        settings=settings,
        components=components,
        conversations=conversations,
        pending=pending,
        shops=directory,
        understanding=understanding,
        handoffs=handoffs,
        desk=desk,
        agent=agent,
        chat=ChatService(settings=settings.agent, store=conversations, agent=agent, shops=frozenset(directory)),
        drafts=drafts,
        feedback=feedback,
        corrections=CorrectionPublisher(components=components, store=feedback, collections=collections),
    )


def _shop_runtime(settings: Settings, components: Components, shop: Shop, escalation: EscalationPolicy) -> ShopRuntime:
    """One shop's part of the graph: its backend, tools, prompts, knowledge and operations."""
    from assistant.retrieval.retriever import Retriever

    operations = ShopOperations.of(shop)  # a profile naming an operation the registry lacks stops here
    prompts = PromptLibrary.for_shop(settings.prompts, shop)
    tools = ToolEnvironment(
        toolbox=build_toolbox(shop=shop, approval=ApprovalRule.for_shop(settings, shop.policy)),
        connectors=build_reference_connectors(settings.shops[shop.name].commerce),
        audit=AuditLog(components.engine, shop=shop.name),
        texts=PromptTexts(prompts.folder / "texts"),
        shop=shop,
    )
    # The retriever opens the shop's collection and builds its keyword index on first use.
    retriever: Lazy[Retriever] = Lazy(lambda: Retriever(components, shop.profile.collection))
    return ShopRuntime(
        shop=shop,
        tools=tools,
        prompts=prompts,
        retriever=retriever,
        operations=operations,
        escalation=TurnEscalation(escalation, tools.connectors, vip_tags=settings.escalation.vip_tags),
    )
