from __future__ import annotations

from fastapi import APIRouter, Request, Response

from assistant.server.health.health_service import HealthReport, HealthService

health_router = APIRouter(tags=["health"])


@health_router.get("/health", response_model=HealthReport, responses={503: {"model": HealthReport}})
async def health(request: Request, response: Response) -> HealthReport:
    """The status of the LLM, embeddings, vector store, database and commerce service.

    503 when any part fails, so a load balancer can act on it; the body says which.
    """
    service: HealthService = request.app.state.health_service
    report = await service.check()
    if report.status != "ok":
        response.status_code = 503
    return report
