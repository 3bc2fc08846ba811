"""Builds the agent side of the app: agent and handoff tables, the agent desk, and the agent routers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from assistant.components.container import Components
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.server.chat.wiring import AgentRuntime


def install_agents(app: FastAPI, settings: Settings, components: Components, runtime: AgentRuntime) -> None:
    """The desk shares the chat side's conversation store and tools, so an approved write runs like a confirmed one."""
    from assistant.handoff.agents import AgentRegistry
    from assistant.handoff.approvals import ApprovalStore
    from assistant.handoff.desk import AgentDesk
    from assistant.handoff.queue import HandoffQueue
    from assistant.handoff.tables import create_tables
    from assistant.server.agents.handoff_router import handoff_router

    create_tables(components.engine)
    queue = HandoffQueue(components.engine, settings.handoff)
    app.state.handoff_queue = queue
    app.state.agent_desk = AgentDesk(
        settings=settings.handoff,
        queue=queue,
        registry=AgentRegistry(components.engine),
        store=runtime.store,
        approvals=ApprovalStore(components.engine),
        tools=runtime.tools,
    )
    app.include_router(handoff_router)
    # Drafted replies (assistant/drafts) share the same store and tools.
    from assistant.drafts.service import build_draft_service
    from assistant.server.agents.drafts_router import drafts_router

    app.state.draft_service = build_draft_service(settings, components, runtime)
    app.include_router(drafts_router)
