"""The chat API in process, for suites that drive the real agent: its own conversation database in the run folder
(evaluation conversations never mix with the shop's), the configured model and knowledge base, and a reference
commerce service (the caller's, or one started here over a copy of the retail seed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import httpx
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine

from evals.suites.base import EvalContext

SHOP_KEY = "evals-shop-key"


class RetailCommerce(Protocol):
    """A running reference commerce service whose database can be put back to the retail seed."""

    @property
    def base_url(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    def reset(self) -> None: ...


@dataclass
class ChatEnvironment:
    http: httpx.AsyncClient
    engine: Engine  # the conversation database, to read what the turns recorded
    commerce: RetailCommerce


@asynccontextmanager
async def retail_commerce(context: EvalContext) -> AsyncIterator[RetailCommerce]:
    given = context.extras.get("commerce")
    if given is not None:
        yield given
        return
    from evals.suites.commerce_env import OwnRetailCommerce

    with OwnRetailCommerce(context.work_dir / "commerce") as own:
        yield own


@asynccontextmanager
async def chat_environment(context: EvalContext, name: str) -> AsyncIterator[ChatEnvironment]:
    from assistant.server.app import create_app

    async with retail_commerce(context) as commerce:
        work = (context.work_dir / name).resolve()
        work.mkdir(parents=True, exist_ok=True)
        base = context.settings
        settings = base.model_copy(
            update={
                "database": base.database.model_copy(update={"url": f"sqlite:///{work / 'assistant.db'}"}),
                "commerce": base.commerce.model_copy(
                    update={"base_url": commerce.base_url, "api_key": SecretStr(commerce.api_key)}
                ),
                "server": base.server.model_copy(update={"api_keys": {"evals": SecretStr(SHOP_KEY)}}),
                # Cases run back to back; neither the rate limit nor human approval of large refunds is under test.
                "agent": base.agent.model_copy(update={"rate_limit": "100000/minute"}),
                "tools": base.tools.model_copy(update={"approval_refund_limit": 1_000_000.0}),
            }
        )
        app = create_app(settings)
        engine = create_engine(settings.database.url)
        try:
            async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://assistant",
                headers={"Authorization": f"Bearer {SHOP_KEY}"}, timeout=settings.agent.turn_seconds + 60,
            ) as http:  # fmt: skip
                yield ChatEnvironment(http=http, engine=engine, commerce=commerce)
        finally:
            engine.dispose()
