"""The customer chat in process, for suites that drive the real agent: its own conversation database in the run
folder (evaluation conversations never mix with the shop's), the configured model and knowledge base, and a
reference commerce service (the caller's, or one started here over a copy of a shop's seed: the retail store's by
default, the Chinese appliance store's `ecom_store` for its eval set).

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
    """A running reference commerce service whose database can be put back to its seed."""

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
    shop: str = SHOP  # the shop the conversations are with (the chat's caller)

    async def start(self, customer_id: str) -> str:
        """A new conversation of `customer_id`; its id."""
        return (await self.chat.create(self._caller(customer_id))).id

    async def say(self, conversation_id: str, customer_id: str, text: str) -> TurnResult:
        """One turn, run to its end (a message the chat refuses raises its `BadInputError`)."""
        return await self.chat.send_and_wait(self._caller(customer_id), conversation_id, text)

    async def stream(self, conversation_id: str, customer_id: str, text: str) -> AsyncIterator[TurnEvent]:
        """One turn's events as they come: tokens, then the final result."""
        return await self.chat.send(self._caller(customer_id), conversation_id, text)

    def _caller(self, customer_id: str) -> Caller:
        return Caller(shop=self.shop, customer_id=customer_id)


def with_backend(settings: Settings, commerce: RetailCommerce, shop: str = SHOP) -> dict[str, ShopSettings]:
    """The configured shops, the evaluated one's commerce backend replaced by the run's service (the others unused)."""
    shops = dict(settings.shops)
    configured = shops[shop]
    backend = configured.commerce.model_copy(update={"base_url": commerce.base_url, "api_key": SecretStr(commerce.api_key)})
    shops[shop] = configured.model_copy(update={"commerce": backend})
    return shops


@asynccontextmanager
async def retail_commerce(context: EvalContext) -> AsyncIterator[RetailCommerce]:
    async with own_commerce(context, "retail") as commerce:
        yield commerce


@asynccontextmanager
async def own_commerce(context: EvalContext, shop: str) -> AsyncIterator[RetailCommerce]:
    """The caller's commerce service for the shop (`extras["commerce"]` for retail, `extras["commerce_<shop>"]` for
    another), or one started here over a copy of the shop's seed."""
    given = context.extras.get("commerce" if shop == "retail" else f"commerce_{shop}")
    if given is not None:
        yield given
        return
    from evals.suites.commerce_env import OwnCommerce

    with OwnCommerce(context.work_dir / ("commerce" if shop == "retail" else f"commerce-{shop}"), shop) as own:
        yield own


@asynccontextmanager
async def chat_environment(
    context: EvalContext,
    name: str,
    *,
    shop: str = SHOP,
) -> AsyncIterator[ChatEnvironment]:
    """The chat over its own database and a commerce service over the shop's seed (the retail shop's by default); the
    chat's caller is `shop`, with its profile, policy, collection and prompt version."""
    from assistant.bootstrap import build_services
    from assistant.components.container import build_components

    async with own_commerce(context, shop) as commerce:
        work = (context.work_dir / name).resolve()
        work.mkdir(parents=True, exist_ok=True)
        base = context.settings
        settings = base.model_copy(
            update={
                "database": base.database.model_copy(update={"url": f"sqlite:///{work / 'assistant.db'}"}),
                "shops": with_backend(base, commerce, shop),
                # Cases run back to back; neither the rate limit nor human approval of large refunds is under test.
                "agent": base.agent.model_copy(update={"rate_limit": "100000/minute"}),
                "escalation": base.escalation.model_copy(update={"refund_limit": 1_000_000.0}),
            }
        )
        services = build_services(settings, build_components(settings))
        engine = create_engine(settings.database.url)
        try:
            yield ChatEnvironment(chat=services.chat, engine=engine, commerce=commerce, shop=shop)
        finally:
            engine.dispose()
            await services.close()
