"""At start the local model reads the shared system prompt once, so the first customer does not wait for it."""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from tests.chat.conftest import app_client

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_warm_up_reads_the_system_prompt(chat_settings: Settings) -> None:
    async with app_client(chat_settings) as http:
        agent = http._transport.app.state.services.agent  # type: ignore[attr-defined]
        assert await agent.warm_up() is True
        assert (await http.get("/health")).status_code == 200


async def test_warm_up_with_the_model_down_is_skipped_not_fatal(offline_settings: Settings) -> None:
    async with app_client(offline_settings) as http:
        agent = http._transport.app.state.services.agent  # type: ignore[attr-defined]
        assert await agent.warm_up() is False
        assert (await http.post("/v1/conversations")).status_code == 201
