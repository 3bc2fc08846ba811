"""Every bad request gets a clear 4xx, and nothing of it is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from assistant.settings import Settings
from tests.chat.conftest import SHOP_KEY, app_client, new_conversation

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _count(settings: Settings, table: str) -> int:
    engine = create_engine(settings.database.url)
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(value)


def _nothing_stored(settings: Settings) -> None:
    for table in ("messages", "turns", "llm_calls", "tool_calls", "retrievals", "decisions", "pending_actions"):
        assert _count(settings, table) == 0, table


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authorization: Bearer"),
        ({"Authorization": "Bearer wrong-key", "X-Customer-Id": "c1"}, "not valid"),
        ({"Authorization": f"Bearer {SHOP_KEY}"}, "X-Customer-Id"),
        ({"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": "bad%0Aid"}, "X-Customer-Id"),  # a control character
        ({"Authorization": f"Basic {SHOP_KEY}", "X-Customer-Id": "c1"}, "Bearer"),
    ],
)
async def test_credentials_are_required(offline_settings: Settings, headers: dict[str, str], message: str) -> None:
    async with app_client(offline_settings) as http:
        response = await http.post("/v1/conversations", headers={"Authorization": "", "X-Customer-Id": "", **headers})
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized" and message in response.json()["message"]
        assert _count(offline_settings, "conversations") == 0


async def test_another_customers_conversation_is_not_found(offline_settings: Settings) -> None:
    async with app_client(offline_settings, customer="alice") as alice:
        conversation = await new_conversation(alice)
    async with app_client(offline_settings, customer="bob") as bob:
        for response in (
            await bob.get(f"/v1/conversations/{conversation}"),
            await bob.post(f"/v1/conversations/{conversation}/messages", json={"content": "hello"}),
            await bob.post(f"/v1/conversations/{conversation}/end"),
        ):
            assert response.status_code == 404
            assert response.json() == {"error": "not_found", "message": f"conversation {conversation} not found"}
        assert (await bob.get("/v1/conversations/does-not-exist")).status_code == 404
    _nothing_stored(offline_settings)


@pytest.mark.parametrize(
    ("body", "reason", "message"),
    [
        (b'{"content": ""}', "empty_message", "empty"),
        (b'{"content": "   \\n\\t "}', "empty_message", "empty"),
        (b'{"content": "' + b"a" * 4001 + b'"}', "message_too_long", "limit is 4000"),
        (b'{"content": "caf\xe9"}', "bad_encoding", "not valid UTF-8"),
        (b'{"content": "\\ud800 lone surrogate"}', "bad_encoding", "not valid UTF-8"),
        (b'{"content": 42}', "bad_message", "must be a string"),
        (b"{not json", "bad_json", "not valid JSON"),
    ],
)
async def test_bad_messages_are_refused_and_nothing_is_stored(
    offline_settings: Settings, body: bytes, reason: str, message: str
) -> None:
    async with app_client(offline_settings) as http:
        conversation = await new_conversation(http)
        for path in ("messages", "messages/stream"):
            response = await http.post(
                f"/v1/conversations/{conversation}/{path}", content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 422, response.text
            assert response.json()["error"] == reason and message in response.json()["message"]
    _nothing_stored(offline_settings)


async def test_ended_conversation_refuses_messages(offline_settings: Settings) -> None:
    async with app_client(offline_settings) as http:
        conversation = await new_conversation(http)
        ended = await http.post(f"/v1/conversations/{conversation}/end")
        assert ended.status_code == 200 and ended.json()["status"] == "ended"
        response = await http.post(f"/v1/conversations/{conversation}/messages", json={"content": "hello"})
        assert response.status_code == 409
        assert response.json()["error"] == "conversation_ended" and "start a new one" in response.json()["message"]
    _nothing_stored(offline_settings)


async def test_rate_limit_per_customer(make_settings, offline_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    settings = offline_settings.model_copy(update={"agent": offline_settings.agent.model_copy(update={"rate_limit": "2/minute"})})
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        # Handoff requests are answered by rule, without the (absent) model.
        for _ in range(2):
            ok = await http.post(f"/v1/conversations/{conversation}/messages", json={"content": "human agent please"})
            assert ok.status_code == 200, ok.text
        refused = await http.post(f"/v1/conversations/{conversation}/messages", json={"content": "human agent please"})
        assert refused.status_code == 429
        assert refused.json()["error"] == "rate_limited" and "2/minute" in refused.json()["message"]
        # The first request hands over; the second waits for the person (stored, no assistant reply).
        assert _count(settings, "turns") == 2 and _count(settings, "messages") == 3
    # Another customer of the same shop has their own window.
    async with app_client(settings, customer="someone_else") as other:
        conversation = await new_conversation(other)
        assert (
            await other.post(f"/v1/conversations/{conversation}/messages", json={"content": "human please"})
        ).status_code == 200
