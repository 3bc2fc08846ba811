"""`create_app(settings)`: the FastAPI application and its object graph."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from assistant.components.container import Components, build_components
from assistant.server.analytics.wiring import install_analytics
from assistant.server.chat.wiring import install_chat
from assistant.server.errors import install_error_handlers
from assistant.server.health.health_router import health_router
from assistant.server.health.health_service import HealthService
from assistant.server.ingest.ingest_router import ingest_router
from assistant.server.pages.wiring import install_pages
from assistant.settings import Settings


def create_app(settings: Settings, components: Components | None = None, *, warm_up: bool = False) -> FastAPI:
    """Build the app; pass `components` to share them with the caller (tests, CLI).

    `warm_up` (set by `assistant serve`): have the local model read the system prompt at start.
    """
    components = components or build_components(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        warming = None
        if warm_up and settings.agent.warm_up and settings.llm.provider == "local":
            # In the background: the service answers /health (and queues turns) while the model reads.
            warming = asyncio.create_task(chat.agent.warm_up())
        yield
        if warming is not None:
            warming.cancel()
            with suppress(asyncio.CancelledError):
                await warming
        await chat.close()
        await components.close()

    app = FastAPI(title="Shop assistant", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.components = components
    app.state.health_service = HealthService(components)
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(ingest_router)
    chat = install_chat(app, settings, components)
    install_analytics(app, settings, components)
    install_pages(app)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        # The URL printed at start leads to the customer chat page (the console and dashboard are linked from it).
        return RedirectResponse("/chat")

    return app
