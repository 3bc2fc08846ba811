"""Builds the chat side of the app: conversation tables, prompts, the agent, and the two chat routers."""

from __future__ import annotations

from fastapi import FastAPI

from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.service import AgentService
from assistant.agent.tooling import Toolbox
from assistant.components.container import Components
from assistant.conversations.store import ConversationStore, create_tables
from assistant.server.chat.chat_router import chat_router
from assistant.server.chat.chat_service import ChatService
from assistant.server.openai_compat.openai_router import openai_router
from assistant.settings import Settings


def build_agent(
    settings: Settings, components: Components, toolbox: Toolbox | None = None
) -> tuple[AgentService, ConversationStore]:
    """The agent over the configured model, knowledge base and commerce service (tables created if missing)."""
    from assistant.agent.toolbox import build_toolbox
    from assistant.retrieval.retriever import Retriever

    create_tables(components.engine)
    store = ConversationStore(components.engine)
    retriever: Retriever | None = None

    def knowledge() -> Retriever:
        nonlocal retriever
        if retriever is None:
            retriever = Retriever(components)
        return retriever

    agent = AgentService(
        settings=settings.agent,
        llm=components.llm,
        store=store,
        prompts=PromptLibrary(settings.prompts),
        retriever=knowledge,
        toolbox=toolbox or build_toolbox(settings),
    )
    return agent, store


def install_chat(app: FastAPI, settings: Settings, components: Components) -> AgentService:
    agent, store = build_agent(settings, components)
    app.state.agent_service = agent
    app.state.chat_service = ChatService(settings=settings.agent, store=store, agent=agent)
    app.include_router(chat_router)
    app.include_router(openai_router)
    return agent
