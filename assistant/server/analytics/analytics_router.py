"""Analytics endpoints.

Operators (a shop's `X-Operator-Key`, as for ingestion; the key decides the shop, its figures only):
- `GET /v1/analytics/metrics?from=&to=&group_by=none|day|hour|channel|language|intent|prompt_version` →
  totals and per-group figures of the shop's conversations started in [from, to) (README "Metric definitions").
- `GET /v1/analytics/questions?from=&to=` → hot questions (clusters by volume and growth against the
  previous period of the same length) and knowledge gaps (clusters whose answers went badly).
- `GET /v1/analytics/forecast?days=7` → expected conversations per hour for the next days.
`from`/`to` are ISO dates or times, in the shop's time zone (its profile) unless they carry an offset; `to`
defaults to now and `from` to seven days before `to`.

Agents (`Authorization: Bearer <agent token>`):
- `GET /v1/agent/customers/{customer_id}/profile` → a customer of the agent's shop: the CRM profile with the
  assistant's own data (contact frequency, intents, sentiment trend, complaints, open handoffs) and the
  complaint-risk flag. The id is a path segment, percent-encoded when it is not ASCII.

Errors: 401; 422 `bad_period`, `bad_group_by`, `bad_days`; 404 for a customer neither the CRM nor the
assistant knows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from assistant.analytics.forecast import VolumeForecast
from assistant.analytics.profile import CustomerProfile
from assistant.server.agents.auth import AgentDep, OperatorShop
from assistant.server.analytics.analytics_service import AnalyticsService, MetricsResponse, QuestionsResponse
from assistant.server.analytics.period import parse_period


def _service(request: Request) -> AnalyticsService:
    return request.app.state.analytics_service  # type: ignore[no-any-return]


ServiceDep = Annotated[AnalyticsService, Depends(_service)]
FromQuery = Annotated[str | None, Query(alias="from", description="Start (ISO date or time), inclusive.")]
ToQuery = Annotated[str | None, Query(alias="to", description="End (ISO date or time), exclusive; default now.")]

analytics_router = APIRouter(prefix="/v1/analytics", tags=["analytics"])
profile_router = APIRouter(prefix="/v1/agent", tags=["analytics"])


@analytics_router.get("/metrics", response_model=MetricsResponse, summary="The service's figures, in total and per group")
async def metrics(
    service: ServiceDep, shop: OperatorShop, start: FromQuery = None, end: ToQuery = None, group_by: str = "none"
) -> MetricsResponse:
    begin, finish = parse_period(start, end, now=datetime.now(UTC), zone=service.zone(shop))
    return await service.metrics(shop=shop, start=begin, end=finish, group_by=group_by)


@analytics_router.get("/questions", response_model=QuestionsResponse, summary="Hot questions and knowledge gaps")
async def questions(service: ServiceDep, shop: OperatorShop, start: FromQuery = None, end: ToQuery = None) -> QuestionsResponse:
    begin, finish = parse_period(start, end, now=datetime.now(UTC), zone=service.zone(shop))
    return await service.questions(shop=shop, start=begin, end=finish)


@analytics_router.get("/forecast", response_model=VolumeForecast, summary="Expected conversations per hour")
async def forecast(service: ServiceDep, shop: OperatorShop, days: int = 7) -> VolumeForecast:
    return await service.forecast(shop=shop, days=days)


@profile_router.get("/customers/{customer_id}/profile", response_model=CustomerProfile, summary="A customer's profile")
async def customer_profile(customer_id: str, agent: AgentDep, service: ServiceDep) -> CustomerProfile:
    return await service.profile(shop=agent.shop, customer_id=customer_id)
