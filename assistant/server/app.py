"""`create_app(settings)`: the FastAPI application over the services of the composition root.

The app builds nothing of its own but the thin HTTP-side services (input checks,
rate limits, job threads) over the shared services, in one place; the routers
read them through typed dependencies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from assistant.bootstrap import Services, build_services
from assistant.components.container import Components, build_components
from assistant.server.agents.drafts_router import drafts_router
from assistant.server.agents.handoff_router import handoff_router
from assistant.server.analytics.analytics_router import analytics_router, profile_router
from assistant.server.analytics.analytics_service import AnalyticsService
from assistant.server.analytics.feedback_router import agent_feedback_router, customer_feedback_router
from assistant.server.analytics.feedback_service import FeedbackService
from assistant.server.chat.chat_router import chat_router
from assistant.server.errors import install_error_handlers
from assistant.server.health.health_router import health_router
from assistant.server.health.health_service import HealthService
from assistant.server.ingest.ingest_router import ingest_router
from assistant.server.ingest.ingest_service import IngestService
from assistant.server.openai_compat.openai_router import openai_router
from assistant.server.pages.pages_router import pages_router, static_dir
from assistant.settings import Settings

ROUTERS = (
    health_router,
    ingest_router,
    chat_router,
    openai_router,
    handoff_router,
    drafts_router,
    customer_feedback_router,
    agent_feedback_router,
    analytics_router,
    profile_router,
    pages_router,
)


def create_app(
    settings: Settings,
    components: Components | None = None,
    *,
    services: Services | None = None,
    warm_up: bool = False,
) -> FastAPI:
    """Build the app; pass `components` or `services` to share them with the caller (tests, CLI).

    `warm_up` (set by `assistant serve`): have the local model read the system prompt at start, and load the
    embedding models in the background.
    """
    if services is None:
        services = build_services(settings, components or build_components(settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        warming = None
        if warm_up:
            services.components.load_embedders_in_background()
        if warm_up and settings.agent.warm_up and settings.llm.provider == "local":
            # In the background: the service answers /health (and queues turns) while the model reads.
            warming = asyncio.create_task(services.agent.warm_up())
        yield
        if warming is not None:
            warming.cancel()
            with suppress(asyncio.CancelledError):
                await warming
        app.state.ingest_service.close()
        await services.close()

    app = FastAPI(title="Shop assistant", version="0.1.0", lifespan=lifespan)
    state = app.state
    state.settings, state.components, state.services = settings, services.components, services
    shops = {name: runtime.shop for name, runtime in services.shops.items()}
    state.health_service = HealthService(services.components, shops)
    # Its worker thread starts with the first job, so an app that never ingests never runs one.
    state.ingest_service = IngestService(services.components, shops)
    state.chat_service = services.chat
    state.agent_desk = services.desk
    state.draft_service = services.drafts
    state.feedback_service = FeedbackService(store=services.feedback, publisher=services.corrections)
    state.analytics_service = AnalyticsService(
        settings=settings,
        components=services.components,
        shops=shops,
        connectors={name: runtime.tools.connectors for name, runtime in services.shops.items()},
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        # The URL printed at start leads to the customer chat page (the console and dashboard are linked from it).
        return RedirectResponse("/chat")

    return app
