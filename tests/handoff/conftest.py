"""Fixtures: the handoff queue on real SQLite (PostgreSQL where asked), a clock the tests move, conversations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from assistant.components.database.engine import build_engine
from assistant.conversations.store import ConversationStore
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.models import AgentView, HandoffSummary, HandoffView, NewHandoff
from assistant.handoff.queue import HandoffQueue
from assistant.handoff.tables import create_tables
from assistant.server.app import create_app
from assistant.settings import HandoffSettings, Settings
from tests.conftest import free_port
from tests.shops import shop_settings

SHOP = "retail"


class Clock:
    """The queue's notion of now, moved by the test (waiting time is part of the priority)."""

    def __init__(self) -> None:
        self.moment = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, *, minutes: float) -> None:
        self.moment += timedelta(minutes=minutes)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = build_engine(f"sqlite:///{tmp_path / 'assistant.db'}")
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> HandoffSettings:
    return HandoffSettings()


@pytest.fixture
def queue(engine: Engine, settings: HandoffSettings, clock: Clock) -> HandoffQueue:
    return HandoffQueue(engine, settings, clock=clock)


@pytest.fixture
def registry(engine: Engine) -> AgentRegistry:
    return AgentRegistry(engine)


@pytest.fixture
def store(engine: Engine) -> ConversationStore:
    return ConversationStore(engine)


def agent(registry: AgentRegistry, name: str, *, skills: tuple[str, ...] = (), languages: tuple[str, ...] = ("en", "zh"),
          max_active: int = 3) -> AgentView:  # fmt: skip
    view, _token = registry.register(shop=SHOP, name=name, skills=list(skills), languages=list(languages), max_active=max_active)
    return view


def summary(*, reason: str = "explicit_request", language: str = "en", sentiment_score: float | None = 0.0) -> HandoffSummary:
    return HandoffSummary(
        customer_wants="I want to talk to a person about my order",
        language=language,
        intent="human_agent",
        sentiment="neutral",
        sentiment_score=sentiment_score,
        tried=["route: answered"],
        tool_results=[],
        reason=reason,
        reason_explanation="the customer asked for a human",
        suggested_next_step="Greet the customer.",
    )


def open_for(
    queue: HandoffQueue,
    store: ConversationStore,
    *,
    customer: str = "alice",
    reason: str = "explicit_request",
    sentiment_score: float | None = 0.0,
    vip: bool = False,
    language: str = "en",
    intent: str | None = "human_agent",
    conversation_id: str | None = None,
) -> HandoffView:
    """A handoff of a new conversation of `customer` (or of the given one)."""
    if conversation_id is None:
        conversation_id = store.create_conversation(shop=SHOP, customer_id=customer).id
    return queue.open_handoff(
        NewHandoff(
            conversation_id=conversation_id,
            shop=SHOP,
            customer_id=customer,
            reason=reason,
            confidence=0.9,
            summary=summary(reason=reason, language=language, sentiment_score=sentiment_score),
            sentiment_score=sentiment_score,
            vip=vip,
            language=language,
            intent=intent,
        )
    )


# --- the agent API on a real app ---------------------------------------------------------------------------------------

OPERATOR_KEY = "test-operator-key"
SHOP_KEY = "test-shop-key"


@pytest.fixture
def desk_settings(make_settings: Callable[..., Settings]) -> Settings:
    """No model server and no commerce service (closed loopback ports): the desk needs neither, except to approve."""
    return make_settings(
        llm={"port": free_port(), "timeout_seconds": 5.0},
        shops=shop_settings(
            SHOP,
            base_url=f"http://127.0.0.1:{free_port()}",
            commerce_key="test-commerce-key",
            api_key=SHOP_KEY,
            operator_key=OPERATOR_KEY,
            retries=0,
            timeout_seconds=2.0,
        ),
    )


class running_app:  # noqa: N801 - used like a function in `async with`
    """The real app (lifespan run) and an HTTP client on it; agents' tokens are passed per request."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)

    @property
    def queue(self) -> HandoffQueue:
        return self.app.state.services.handoffs  # type: ignore[no-any-return]

    @property
    def store(self) -> ConversationStore:
        return self.app.state.services.conversations  # type: ignore[no-any-return]

    async def __aenter__(self) -> running_app:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://assistant", timeout=60)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self._lifespan.__aexit__(None, None, None)

    async def register(self, name: str, **fields: Any) -> tuple[str, str]:
        """Register an agent through the operator API; returns (agent id, token)."""
        body = {"name": name, "languages": ["en", "zh"], **fields}
        response = await self.http.post("/v1/agents", json=body, headers={"X-Operator-Key": OPERATOR_KEY})
        assert response.status_code == 201, response.text
        return response.json()["agent"]["id"], response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
