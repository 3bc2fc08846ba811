"""Operator figures and agent-facing customer profiles, computed from the stored records on request.

Always of one shop, the caller's (its operator key, its agent): its conversations only, bucketed in its own time
zone, and its own CRM.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from assistant.analytics.definitions import Definitions
from assistant.analytics.forecast import VolumeForecast, forecast_volume
from assistant.analytics.gaps import MiningParameters, QuestionsReport, mine_questions
from assistant.analytics.metrics import GROUP_BY, MetricsReport, compute_metrics
from assistant.analytics.profile import CustomerProfile, RiskRule, build_profile
from assistant.analytics.repository import AnalyticsRepository
from assistant.errors import BadInputError, CommerceUnavailableError, NotFoundError
from assistant.settings import Settings
from assistant.shops import Shop

if TYPE_CHECKING:
    from assistant.components.container import Components
    from assistant.connectors.interfaces import Connectors
    from assistant.connectors.models import Customer

MAX_FORECAST_DAYS = 28


class Period(BaseModel):
    start: datetime
    end: datetime
    timezone: str


class MetricsResponse(BaseModel):
    period: Period
    as_of: datetime
    definitions: dict[str, float | str]
    report: MetricsReport


class QuestionsResponse(BaseModel):
    period: Period
    previous_period: Period
    report: QuestionsReport


class AnalyticsService:
    def __init__(
        self, *, settings: Settings, components: Components, shops: Mapping[str, Shop], connectors: Mapping[str, Connectors]
    ) -> None:
        self._settings = settings
        self._analytics = settings.analytics
        self._components = components
        self._repository = AnalyticsRepository(components.engine)
        self._shops = dict(shops)
        self._connectors = dict(connectors)  # by shop: a profile reads its own shop's CRM

    def zone(self, shop: str) -> ZoneInfo:
        """The shop's time zone (its profile's `time_zone`): its day and hour buckets, its forecast's seasons."""
        return ZoneInfo(self._shops[shop].profile.time_zone)

    def definitions(self, as_of: datetime, shop: str) -> Definitions:
        a = self._analytics
        return Definitions(
            as_of=as_of,
            idle=timedelta(minutes=a.idle_minutes),
            reopen_window=timedelta(hours=a.reopen_window_hours),
            price_in_per_1k=a.price_in_per_1k_tokens,
            price_out_per_1k=a.price_out_per_1k_tokens,
            timezone=self.zone(shop),
        )

    async def metrics(self, *, shop: str, start: datetime, end: datetime, group_by: str) -> MetricsResponse:
        if group_by not in GROUP_BY:
            raise BadInputError(f"group_by must be one of {', '.join(GROUP_BY)}, not {group_by!r}", reason="bad_group_by")
        as_of = datetime.now(UTC)
        conversations = await asyncio.to_thread(self._repository.conversations_between, start=start, end=end, shop=shop)
        report = compute_metrics(conversations, self.definitions(as_of, shop), group_by=group_by, period=(start, end))  # type: ignore[arg-type]
        a = self._analytics
        return MetricsResponse(
            period=self._period(shop, start, end),
            as_of=as_of,
            definitions={
                "idle_minutes": a.idle_minutes,
                "reopen_window_hours": a.reopen_window_hours,
                "price_in_per_1k_tokens": a.price_in_per_1k_tokens,
                "price_out_per_1k_tokens": a.price_out_per_1k_tokens,
                "timezone": self._shops[shop].profile.time_zone,
            },
            report=report,
        )

    async def questions(self, *, shop: str, start: datetime, end: datetime) -> QuestionsResponse:
        before = start - (end - start)
        current = await asyncio.to_thread(self._repository.conversations_between, start=start, end=end, shop=shop)
        previous = await asyncio.to_thread(self._repository.conversations_between, start=before, end=start, shop=shop)
        a = self._analytics
        parameters = MiningParameters(
            low_confidence_score=self._settings.agent.low_confidence_score,
            cluster_distance=a.cluster_distance,
            min_cluster_size=a.min_cluster_size,
            gap_min_share=a.gap_min_share,
            example_questions=a.example_questions,
            max_questions=a.max_questions,
        )
        embedder = self._components.embedder
        report = await asyncio.to_thread(
            mine_questions, current, previous, embed=lambda texts: embedder().embed(texts), parameters=parameters
        )
        return QuestionsResponse(
            period=self._period(shop, start, end), previous_period=self._period(shop, before, start), report=report
        )

    async def forecast(self, *, shop: str, days: int) -> VolumeForecast:
        if not 1 <= days <= MAX_FORECAST_DAYS:
            raise BadInputError(f"days must be between 1 and {MAX_FORECAST_DAYS}, not {days}", reason="bad_days")
        now = datetime.now(UTC)
        weeks = self._analytics.forecast_history_weeks
        starts = await asyncio.to_thread(
            self._repository.conversation_starts, start=now - timedelta(weeks=weeks, hours=1), end=now, shop=shop
        )
        return await asyncio.to_thread(
            forecast_volume, starts, now=now, history_weeks=weeks, days=days, timezone=self.zone(shop),
            timezone_name=self._shops[shop].profile.time_zone,
        )  # fmt: skip

    async def profile(self, *, shop: str, customer_id: str) -> CustomerProfile:
        """The shop's customer: its CRM's record and the assistant's records of that shop (the same id in another
        shop is another person); "not found" when neither knows them."""
        now = datetime.now(UTC)
        a = self._analytics
        window = timedelta(days=a.risk_window_days)
        conversations = await asyncio.to_thread(
            self._repository.conversations_of_customer, customer_id=customer_id, since=now - window, shop=shop
        )
        crm, status, open_tickets = await self._crm(shop, customer_id)
        if crm is None and not conversations and status == "not_found":
            raise NotFoundError(f"customer {customer_id} not found")
        rule = RiskRule(
            window=window,
            min_signals=a.risk_min_signals,
            repeat_contacts=a.risk_repeat_contacts,
            complaint_intents=frozenset(a.complaint_intents),
            complainer_tags=frozenset(self._settings.escalation.complainer_tags),
        )
        return build_profile(
            customer_id=customer_id, conversations=conversations, now=now, rule=rule, crm=crm, crm_status=status,
            open_tickets=open_tickets,
        )  # fmt: skip

    async def _crm(
        self, shop: str, customer_id: str
    ) -> tuple[Customer | None, Literal["ok", "not_found", "unavailable"], int | None]:
        """The CRM record and open tickets; the profile still shows the assistant's data when the CRM cannot answer."""
        connectors = self._connectors.get(shop)
        if connectors is None:
            return None, "unavailable", None
        try:
            customer = await connectors.crm.get_customer(customer_id)
            tickets = await connectors.crm.list_tickets(customer_id)
        except NotFoundError:
            return None, "not_found", None
        except CommerceUnavailableError:
            return None, "unavailable", None
        return customer, "ok", sum(ticket.status in ("open", "pending") for ticket in tickets)

    def _period(self, shop: str, start: datetime, end: datetime) -> Period:
        zone = self.zone(shop)
        return Period(start=start.astimezone(zone), end=end.astimezone(zone), timezone=self._shops[shop].profile.time_zone)
