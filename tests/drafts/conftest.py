"""Fixtures: a DraftService over the real commerce service, the real store, and (for drafting) the real model and Chroma.

`llm_settings` brings the 0.5B model, the test corpus ingested into Chroma
(`knowledge_dir` of tests/chat/conftest.py) and the retail service; `commerce_settings` brings only the retail
service, for everything that needs no model (context, suggested actions,
sending, running actions, bad input).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant.agent.shop import ShopRuntime
from assistant.bootstrap import Services, build_services
from assistant.components.container import Components, build_components
from assistant.conversations.records import TurnRecord
from assistant.conversations.store import ConversationStore
from assistant.drafts.context import CustomerContextReader
from assistant.drafts.service import DraftService
from assistant.handoff.models import AgentView
from assistant.settings import Settings
from tests.chat.conftest import CUSTOMER, knowledge_dir, retail_service  # noqa: F401  (fixtures)
from tests.commerce.service import RunningCommerce
from tests.conftest import free_port
from tests.shops import shop_settings

AGENT = "agent-ana"


def agent_view(agent_id: str = AGENT, shop: str = "retail") -> AgentView:
    """A human agent of `shop` (drafts are always drafted by, and for, one shop's agent)."""
    return AgentView(
        id=agent_id, shop=shop, name=agent_id, skills=[], languages=["en", "zh"], max_active=3, active=True,
        created_at=datetime.now(UTC),
    )  # fmt: skip


AS_AGENT = agent_view()


@dataclass
class Drafting:
    service: DraftService
    services: Services
    components: Components

    @property
    def conversations(self) -> ConversationStore:
        return self.services.conversations

    @property
    def retail(self) -> ShopRuntime:
        return self.services.shops["retail"]

    def reader(self) -> CustomerContextReader:
        """The retail shop's customer context, as the service reads it for a draft."""
        return CustomerContextReader(
            shop="retail", connectors=self.retail.tools.connectors, engine=self.components.engine, recent_orders=5,
            previous_contacts=10,
        )  # fmt: skip

    def conversation(self, *texts: str, customer: str = CUSTOMER) -> str:
        """A conversation whose customer wrote `texts` (each answered by a stored assistant reply)."""
        conversation = self.conversations.create_conversation(shop="retail", customer_id=customer)
        for text in texts:
            record = TurnRecord(prompt_version="v1", language="en", customer_text=text, reply="Let me check that for you.")
            self.conversations.save_turn(conversation_id=conversation.id, record=record)
        return conversation.id


async def open_drafting(settings: Settings) -> AsyncIterator[Drafting]:
    # Short drafts: the 0.5B model writes ~12 tokens/s on a quiet machine.
    services = build_services(settings, build_components(settings), draft_max_tokens=150)
    yield Drafting(service=services.drafts, services=services, components=services.components)
    await services.close()


@pytest.fixture
def commerce_settings(make_settings: Callable[..., Settings], retail_service: RunningCommerce) -> Settings:  # noqa: F811
    """The real retail service (reset to the seed); no model server (a closed port), no knowledge base."""
    retail_service.reset()
    return make_settings(
        llm={"port": free_port(), "timeout_seconds": 5.0},
        shops=shop_settings(base_url=retail_service.base_url, commerce_key=retail_service.api_key, retries=0),
    )


@pytest.fixture
async def drafting(commerce_settings: Settings) -> AsyncIterator[Drafting]:
    async for value in open_drafting(commerce_settings):
        yield value


@pytest.fixture
def llm_settings(
    make_settings: Callable[..., Settings],
    local_llm: Any,
    knowledge_dir: Path,  # noqa: F811
    retail_service: RunningCommerce,  # noqa: F811
) -> Settings:
    """The real 0.5B model, Chroma with the test corpus (the retail policy among it), the retail service."""
    retail_service.reset()
    return make_settings(
        llm={"port": int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])},
        vector_store={"path": knowledge_dir / "chroma"},
        shops=shop_settings(base_url=retail_service.base_url, commerce_key=retail_service.api_key),
    )


@pytest.fixture
async def drafting_llm(llm_settings: Settings) -> AsyncIterator[Drafting]:
    async for value in open_drafting(llm_settings):
        yield value


async def stored_draft(
    drafting: Drafting, text: str, *, conversation_id: str | None = None, reply: str = "Drafted reply."
) -> str:
    """A draft stored without the model (its one variant is `reply`): context and actions are real, gathered as
    `DraftService.create` gathers them. For tests of sending and running actions, which are not about the wording."""
    from assistant.conversations.tables import new_id, now
    from assistant.drafts.actions import named_order_ids, suggest
    from assistant.drafts.models import DraftView, Variant
    from assistant.drafts.subject import conversation_subject, ticket_subject

    service = drafting.service
    retail = drafting.retail
    if conversation_id is None:
        subject = ticket_subject(text, CUSTOMER)
    else:
        subject = conversation_subject(drafting.components.engine, drafting.conversations, conversation_id, "retail")
    draft_id = new_id()
    gathered = await drafting.reader().gather(customer_id=CUSTOMER, named_orders=named_order_ids(subject, retail.operations))
    ctx = retail.tools.context(
        conversation_id=conversation_id or f"draft-{draft_id}", authenticated_customer_id=CUSTOMER,
        verified_customer_id=CUSTOMER, language="en",
    )  # fmt: skip
    suggestions = await suggest(retail.tools, ctx, subject, gathered, retail.operations)
    draft = DraftView(
        id=draft_id,
        shop="retail",
        conversation_id=conversation_id,
        ticket_text=None if conversation_id else text,
        customer_id=CUSTOMER,
        language="en",
        prompt_version="v1",
        variants=[Variant(tone="concise", text=reply)],
        sources=[],
        customer_context=gathered.context,
        suggested_actions=[suggestion.action for suggestion in suggestions],
        created_by=AGENT,
        created_at=now(),
        seconds=0.0,
    )
    service._store.save(draft=draft, model="none", proposals=[suggestion.proposal for suggestion in suggestions])
    return draft_id
