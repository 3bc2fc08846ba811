"""Builds the chat side of the app: conversation tables, prompts, tools, the agent, and the two chat routers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI

from assistant.agent.escalation_step import TurnEscalation
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.service import AgentService
from assistant.agent.tooling import ToolEnvironment
from assistant.components.container import Components
from assistant.conversations.store import ConversationStore, create_tables
from assistant.server.chat.chat_router import chat_router
from assistant.server.chat.chat_service import ChatService
from assistant.server.openai_compat.openai_router import openai_router
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.handoff.queue import HandoffQueue


@dataclass
class AgentRuntime:
    agent: AgentService
    store: ConversationStore
    tools: ToolEnvironment
    handoffs: HandoffQueue

    async def close(self) -> None:
        """Let running turns finish (so each is stored), then close the commerce connections."""
        await self.agent.wait_idle()
        await self.tools.connectors.aclose()


def build_agent(settings: Settings, components: Components) -> AgentRuntime:
    """The agent over the configured model, knowledge base and commerce service (tables created if missing)."""
    from assistant.connectors.reference import build_reference_connectors
    from assistant.escalation import EscalationPolicy
    from assistant.handoff.queue import HandoffQueue
    from assistant.handoff.tables import create_tables as create_handoff_tables
    from assistant.retrieval.retriever import Retriever
    from assistant.tools.audit import AuditLog
    from assistant.tools.toolbox import build_toolbox
    from assistant.understanding.service import MessageUnderstanding

    create_tables(components.engine)
    create_handoff_tables(components.engine)
    audit = AuditLog(components.engine)
    audit.create_table()
    tools = ToolEnvironment(
        toolbox=build_toolbox(settings.tools), connectors=build_reference_connectors(settings.commerce), audit=audit
    )
    store = ConversationStore(components.engine)
    retriever: Retriever | None = None

    def knowledge() -> Retriever:
        nonlocal retriever
        if retriever is None:
            retriever = Retriever(components)
        return retriever

    understanding: MessageUnderstanding | None = None

    def understand() -> MessageUnderstanding:
        # Built on the first message: it loads the embedding model, which an app that only serves ingestion never needs.
        nonlocal understanding
        if understanding is None:
            understanding = MessageUnderstanding.from_settings(settings, components.embedder())
        return understanding

    handoffs = HandoffQueue(components.engine, settings.handoff)
    agent = AgentService(
        settings=settings.agent,
        llm=components.llm,
        store=store,
        prompts=PromptLibrary(settings.prompts),
        retriever=knowledge,
        tools=tools,
        understanding=understand,
        escalation=TurnEscalation(
            EscalationPolicy.from_settings(settings), tools.connectors, vip_tags=settings.escalation.vip_tags
        ),
        handoffs=handoffs,
        escalation_history=settings.escalation.history_turns,
    )
    return AgentRuntime(agent=agent, store=store, tools=tools, handoffs=handoffs)


def install_chat(app: FastAPI, settings: Settings, components: Components) -> AgentRuntime:
    runtime = build_agent(settings, components)
    app.state.agent_runtime = runtime
    app.state.chat_service = ChatService(settings=settings.agent, store=runtime.store, agent=runtime.agent)
    app.include_router(chat_router)
    app.include_router(openai_router)
    from assistant.server.agents.wiring import install_agents  # the human side shares the store and the tools

    install_agents(app, settings, components, runtime)
    return runtime
