"""Fixtures: the real retail commerce service, reference connectors, an audit log, the toolbox, tool contexts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from assistant.components.database.engine import build_engine
from assistant.connectors.interfaces import Connectors
from assistant.connectors.reference import build_reference_connectors
from assistant.shops import load_shop
from assistant.tools import AuditLog, Toolbox, ToolContext, build_toolbox
from tests.commerce.service import RunningCommerce, acquire, release

ContextFactory = Callable[..., ToolContext]


@pytest.fixture(scope="session")
def retail_service() -> Iterator[RunningCommerce]:
    service = acquire("retail")
    yield service
    release("retail")


@pytest.fixture(scope="session")
def toolbox() -> Toolbox:
    return build_toolbox(shop=load_shop("retail"))  # its policy's approval limit: 1000


@pytest.fixture(scope="session")
def audit(tmp_path_factory: pytest.TempPathFactory) -> AuditLog:
    log = AuditLog(build_engine(f"sqlite:///{tmp_path_factory.mktemp('audit') / 'assistant.db'}"))
    log.create_table()
    return log


@pytest.fixture(scope="session")
async def connectors(retail_service: RunningCommerce) -> AsyncIterator[Connectors]:
    bundle = build_reference_connectors(retail_service.settings(), backoff_seconds=0.05)
    yield bundle
    await bundle.aclose()


@pytest.fixture
def retail(retail_service: RunningCommerce) -> RunningCommerce:
    retail_service.reset()
    return retail_service


@pytest.fixture
def make_context(
    retail: RunningCommerce, connectors: Connectors, audit: AuditLog, request: pytest.FixtureRequest
) -> ContextFactory:
    """A tool context over the freshly reset retail service; one conversation id per test."""

    def build(
        *, customer: str | None = None, verified: bool = True, language: str = "en", conversation: str | None = None
    ) -> ToolContext:
        return ToolContext(
            conversation_id=conversation or request.node.nodeid,
            connectors=connectors,
            audit=audit,
            authenticated_customer_id=customer,
            verified_customer_id=customer if verified else None,
            language=language,  # type: ignore[arg-type]
            shop=load_shop("retail"),
        )

    return build


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(scope="session")
def jd_service() -> Iterator[RunningCommerce]:
    service = acquire("jd_appliances")
    yield service
    release("jd_appliances")


@pytest.fixture(scope="session")
def jd_toolbox() -> Toolbox:
    return build_toolbox(shop=load_shop("jd_appliances"))  # its policy's approval limit: 10,000


@pytest.fixture(scope="session")
async def jd_connectors(jd_service: RunningCommerce) -> AsyncIterator[Connectors]:
    bundle = build_reference_connectors(jd_service.settings(), backoff_seconds=0.05)
    yield bundle
    await bundle.aclose()


@pytest.fixture
def jd(jd_service: RunningCommerce) -> RunningCommerce:
    jd_service.reset()
    return jd_service


@pytest.fixture
def make_jd_context(
    jd: RunningCommerce, jd_connectors: Connectors, audit: AuditLog, request: pytest.FixtureRequest
) -> ContextFactory:
    """A tool context of the Chinese shop over its freshly reset service; one conversation id per test."""

    def build(*, customer: str, language: str = "zh", conversation: str | None = None) -> ToolContext:
        return ToolContext(
            conversation_id=conversation or request.node.nodeid,
            connectors=jd_connectors,
            audit=audit,
            authenticated_customer_id=customer,
            verified_customer_id=customer,
            language=language,  # type: ignore[arg-type]
            shop=load_shop("jd_appliances"),
        )

    return build
