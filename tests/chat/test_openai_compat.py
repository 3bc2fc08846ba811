"""The OpenAI-compatible endpoint, driven by the official openai SDK (no model needed: a rule-routed handoff)."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.chat.conftest import CUSTOMER, SHOP_KEY, app_client

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _sdk(http: httpx.AsyncClient, **headers: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url="http://assistant/v1",
        api_key=SHOP_KEY,
        default_headers={"X-Customer-Id": CUSTOMER, **headers},
        http_client=httpx.AsyncClient(transport=http._transport, base_url="http://assistant"),  # type: ignore[attr-defined]
        max_retries=0,
    )


async def test_sdk_completion_and_stream(offline_settings) -> None:  # type: ignore[no-untyped-def]
    async with app_client(offline_settings) as http:
        sdk = _sdk(http)
        completion = await sdk.chat.completions.create(
            model="shop-assistant", messages=[{"role": "user", "content": "I want to talk to a human agent"}]
        )
        assert completion.choices[0].message.content == "YOU ARE BEING TRANSFERRED TO A HUMAN AGENT. PLEASE HOLD ON."
        extra = completion.model_extra["assistant"]  # type: ignore[index]
        assert extra["handoff"] is True and extra["route"] == "human_agent"

        stream = await sdk.chat.completions.create(
            model="shop-assistant",
            messages=[
                {"role": "user", "content": "I want to talk to a human agent"},
                {"role": "assistant", "content": completion.choices[0].message.content},
                {"role": "user", "content": "我要找人工客服"},
            ],
            stream=True,
        )
        pieces = [chunk.choices[0].delta.content or "" async for chunk in stream]
        # The conversation is already with the human queue: the message waits for the person.
        assert "".join(pieces) == "已收到，人工客服会在这里回复您，请稍候。"
        # The resent message list continued the same conversation (the waiting notice is not stored).
        conversations = (await http.get(f"/v1/conversations/{extra['conversation_id']}")).json()
        assert [m["role"] for m in conversations["messages"]] == ["customer", "assistant", "customer"]


async def test_sdk_refused_without_key(offline_settings) -> None:  # type: ignore[no-untyped-def]
    async with app_client(offline_settings) as http:
        sdk = _sdk(http)
        sdk.api_key = "wrong"
        with pytest.raises(openai.AuthenticationError):
            await sdk.chat.completions.create(model="x", messages=[{"role": "user", "content": "hi"}])
