"""When the model, the commerce service or the knowledge base fails, the customer gets an apology and a human.

Each failure is recorded with its cause, the turn is stored, and the service keeps serving.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from assistant.settings import Settings
from tests.chat.conftest import app_client, failure_causes, new_conversation, say
from tests.conftest import free_port
from tests.shops import shop_settings

pytestmark = pytest.mark.asyncio(loop_scope="session")
APOLOGY = "something went wrong on our side"


def _assert_apology(reply: dict) -> None:  # type: ignore[type-arg]
    # A failed turn offers a person (a "yes" next hands over); it does not queue the conversation by itself.
    assert reply["status"] == "failed" and reply["handoff_offered"] is True and reply["handoff"] is False
    assert APOLOGY in reply["reply"] and "human agent" in reply["reply"]
    assert reply["citations"] == []  # the apology cites nothing, even when retrieval ran before the failure


async def test_model_server_down(offline_settings: Settings) -> None:
    async with app_client(offline_settings) as http:
        conversation = await new_conversation(http)
        reply = await say(http, conversation, "I would like the shirt in blue instead")  # no rule: the model routes it
        _assert_apology(reply)
        assert "llm_unavailable" in failure_causes(offline_settings)[0]
        # The service keeps serving: a request that needs no model is answered in the same conversation.
        handoff = await say(http, conversation, "I want a human agent")
        assert handoff["status"] == "ok" and handoff["route"] == "human_agent" and handoff["handoff"] is True
        history = (await http.get(f"/v1/conversations/{conversation}")).json()["messages"]
        assert [m["role"] for m in history] == ["customer", "assistant"] * 2


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never answers: a model server that hangs."""
    port = free_port()
    hold = asyncio.Event()

    async def handle(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await hold.wait()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    yield port
    hold.set()
    server.close()
    await server.wait_closed()


async def test_model_timeout(make_settings, offline_settings: Settings, silent_server: int) -> None:  # type: ignore[no-untyped-def]
    settings = offline_settings.model_copy(
        update={"llm": offline_settings.llm.model_copy(update={"port": silent_server, "timeout_seconds": 1.0})}
    )
    async with app_client(settings) as http:
        reply = await say(http, await new_conversation(http), "I would like the shirt in blue instead")
        _assert_apology(reply)
        assert "did not answer in time" in failure_causes(settings)[0]


async def test_turn_budget(make_settings, offline_settings: Settings, silent_server: int) -> None:  # type: ignore[no-untyped-def]
    settings = offline_settings.model_copy(
        update={
            "llm": offline_settings.llm.model_copy(update={"port": silent_server, "timeout_seconds": 30.0}),
            "agent": offline_settings.agent.model_copy(update={"turn_seconds": 1.0}),
        }
    )
    async with app_client(settings) as http:
        started = asyncio.get_running_loop().time()
        reply = await say(http, await new_conversation(http), "I would like the shirt in blue instead")
        assert asyncio.get_running_loop().time() - started < 10
        _assert_apology(reply)
        assert failure_causes(settings)[0].startswith("turn_timeout")


async def test_commerce_service_down(offline_settings: Settings) -> None:
    async with app_client(offline_settings) as http:
        # Routed and identified by rule: only the commerce service is needed, and it is down.
        reply = await say(http, await new_conversation(http), "I'm Yusuf Rossi, zip 19122. Where is my order #W2378156?")
        _assert_apology(reply)
        assert "commerce_unavailable" in failure_causes(offline_settings)[0]


async def test_knowledge_base_unavailable(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        llm={"port": free_port()},
        vector_store={"provider": "chroma_server", "port": free_port()},
        shops=shop_settings(base_url=f"http://127.0.0.1:{free_port()}", commerce_key="k", api_key="test-shop-key"),
    )
    async with app_client(settings) as http:
        # A policy question is routed by rule; retrieval is the first thing that fails.
        reply = await say(http, await new_conversation(http), "How long does a refund take?")
        _assert_apology(reply)
        cause = failure_causes(settings)[0]
        assert "llm" not in cause, cause
