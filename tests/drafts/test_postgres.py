"""Drafts on PostgreSQL (127.0.0.1:5432, database `test`), in a schema of their own that is dropped after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from assistant.drafts.models import SendRequest
from assistant.errors import ConflictError
from assistant.settings import Settings
from tests.commerce.service import RunningCommerce
from tests.conftest import free_port
from tests.drafts.conftest import AS_AGENT, Drafting, agent_view, open_drafting, stored_draft
from tests.shops import shop_settings

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def drafting_pg(
    make_settings: Callable[..., Settings], retail_service: RunningCommerce, postgres_url: str
) -> AsyncIterator[Drafting]:
    retail_service.reset()
    settings = make_settings(
        database={"url": postgres_url},
        llm={"port": free_port(), "timeout_seconds": 5.0},
        shops=shop_settings(base_url=retail_service.base_url, commerce_key=retail_service.api_key, retries=0),
    )
    async for value in open_drafting(settings):
        yield value


async def test_send_and_racing_runs_on_postgres(drafting_pg: Drafting) -> None:
    drafting_pg.conversation("Where is my order #W2378156?")
    conversation = drafting_pg.conversation("Please cancel #W4776164, I no longer need it.")
    draft_id = await stored_draft(drafting_pg, "", conversation_id=conversation, reply="It can be cancelled.")
    draft = await drafting_pg.service.get(draft_id, agent=AS_AGENT)
    assert [contact.kind for contact in draft.customer_context.previous_contacts][:1] == ["conversation"]

    sent = await drafting_pg.service.send(draft_id, SendRequest(text="It can be cancelled.", tone="concise"), agent=AS_AGENT)
    assert sent.sent is not None and sent.sent.similarity == 1.0 and sent.sent.message_id is not None

    # Two agents approve at once: exactly one run happens, the other is refused.
    results = await asyncio.gather(
        *(drafting_pg.service.run_action(draft_id, 0, agent=agent_view(agent)) for agent in ("ana", "ben")),
        return_exceptions=True,
    )
    executed = [result for result in results if not isinstance(result, BaseException)]
    refused = [result for result in results if isinstance(result, ConflictError)]
    assert len(executed) == 1 and len(refused) == 1 and executed[0].status == "executed"
