"""The customer chat in process, for suites that drive the real agent: its own conversation database in the run
folder (evaluation conversations never mix with the shop's), the configured model and knowledge base, and a
reference commerce service (the caller's, or one started here over a copy of the retail seed).

The suites talk to the chat service the HTTP routers use (same input checks, same turns), built by the
composition root; they never go through the HTTP layer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr
from sqlalchemy import Engine, create_engine

from assistant.agent.events import TurnEvent, TurnResult
from assistant.chat.service import Caller, ChatService
from assistant.settings import Settings, ShopSettings
from evals.suites.base import EvalContext

# The shop whose conversations the chat-driven suites play (its profile, policy, collection and prompt version).
# Its commerce backend is replaced by the run's own reference service over a copy of its seed.
SHOP = "retail"


class RetailCommerce(Protocol):
    """A running reference commerce service whose database can be put back to the retail seed."""

    @property
    def base_url(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    def reset(self) -> None: ...


@dataclass
class ChatEnvironment:
    chat: ChatService
    engine: Engine  # the conversation database, to read what the turns recorded
    commerce: RetailCommerce

    async def start(self, customer_id: str) -> str:
        """A new conversation of `customer_id`; its id."""
        return (await self.chat.create(_caller(customer_id))).id

    async def say(self, conversation_id: str, customer_id: str, text: str) -> TurnResult:
        """One turn, run to its end (a message the chat refuses raises its `BadInputError`)."""
        return await self.chat.send_and_wait(_caller(customer_id), conversation_id, text)

    async def stream(self, conversation_id: str, customer_id: str, text: str) -> AsyncIterator[TurnEvent]:
        """One turn's events as they come: tokens, then the final result."""
        return await self.chat.send(_caller(customer_id), conversation_id, text)


def _caller(customer_id: str) -> Caller:
    return Caller(shop=SHOP, customer_id=customer_id)


def with_backend(settings: Settings, commerce: RetailCommerce) -> dict[str, ShopSettings]:
    """The configured shops, the evaluated one's commerce backend replaced by the run's service (the others unused)."""
    shops = dict(settings.shops)
    shop = shops[SHOP]
    backend = shop.commerce.model_copy(update={"base_url": commerce.base_url, "api_key": SecretStr(commerce.api_key)})
    shops[SHOP] = shop.model_copy(update={"commerce": backend})
    return shops


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
    from assistant.bootstrap import build_services
    from assistant.components.container import build_components

    async with retail_commerce(context) as commerce:
        work = (context.work_dir / name).resolve()
        work.mkdir(parents=True, exist_ok=True)
        base = context.settings
        settings = base.model_copy(
            update={
                "database": base.database.model_copy(update={"url": f"sqlite:///{work / 'assistant.db'}"}),
                "shops": with_backend(base, commerce),
                # Cases run back to back; neither the rate limit nor human approval of large refunds is under test.
                "agent": base.agent.model_copy(update={"rate_limit": "100000/minute"}),
                "escalation": base.escalation.model_copy(update={"refund_limit": 1_000_000.0}),
            }
        )
        services = build_services(settings, build_components(settings))
        engine = create_engine(settings.database.url)
        try:
            yield ChatEnvironment(chat=services.chat, engine=engine, commerce=commerce)
        finally:
            engine.dispose()
            await services.close()
