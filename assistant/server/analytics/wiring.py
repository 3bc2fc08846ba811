"""Builds the analytics side of the app: feedback tables, the feedback and analytics services, their routers."""

from __future__ import annotations

from fastapi import FastAPI

from assistant.components.container import Components
from assistant.settings import Settings


def install_analytics(app: FastAPI, settings: Settings, components: Components) -> None:
    """Call after `install_chat` and `install_agents`: the profile reads the CRM through the chat side's connectors,
    and the agent endpoints authenticate agents through the agent desk."""
    from assistant.feedback.publish import CorrectionPublisher
    from assistant.feedback.store import FeedbackStore
    from assistant.feedback.tables import create_feedback_tables
    from assistant.handoff.tables import create_tables as create_handoff_tables
    from assistant.server.analytics.analytics_router import analytics_router, profile_router
    from assistant.server.analytics.analytics_service import AnalyticsService
    from assistant.server.analytics.feedback_router import agent_feedback_router, customer_feedback_router
    from assistant.server.analytics.feedback_service import FeedbackService

    # The figures read the handoffs too; creating tables that exist is a no-op.
    create_handoff_tables(components.engine)
    create_feedback_tables(components.engine)
    store = FeedbackStore(components.engine)
    app.state.feedback_service = FeedbackService(store=store, publisher=CorrectionPublisher(components=components, store=store))
    runtime = getattr(app.state, "agent_runtime", None)
    app.state.analytics_service = AnalyticsService(
        settings=settings, components=components, connectors=runtime.tools.connectors if runtime is not None else None
    )
    for router in (customer_feedback_router, agent_feedback_router, analytics_router, profile_router):
        app.include_router(router)
