"""The real local model (0.5B) answers over the OpenAI protocol: plain, streamed and schema-constrained."""

from __future__ import annotations

import json

import openai
import pytest

from assistant.components.container import llm_endpoint
from assistant.components.llm.client import LLMClient
from assistant.components.llm.local_server import LocalLLMServer
from assistant.settings import Settings

pytestmark = pytest.mark.slow


def test_openai_sdk_gets_a_non_empty_answer(local_llm: LocalLLMServer) -> None:
    client = openai.OpenAI(base_url=local_llm.base_url, api_key="local")
    response = client.chat.completions.create(
        model="qwen2.5-coder-0.5b",
        messages=[{"role": "user", "content": "What is the capital of France? Answer in one word."}],
        max_tokens=16,
        temperature=0,
    )
    answer = response.choices[0].message.content or ""
    assert "paris" in answer.lower()


def _client(local_llm: LocalLLMServer, make_settings) -> LLMClient:  # type: ignore[no-untyped-def]
    port = int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])
    settings: Settings = make_settings(llm={"port": port})
    base_url, key = llm_endpoint(settings.llm)
    return LLMClient(settings.llm, base_url=base_url, api_key=key)


async def test_stream_yields_pieces_that_make_the_answer(local_llm: LocalLLMServer, make_settings) -> None:  # type: ignore[no-untyped-def]
    client = _client(local_llm, make_settings)
    pieces = [piece async for piece in client.stream([{"role": "user", "content": "Count: one, two, three,"}], max_tokens=12)]
    assert len(pieces) > 1
    assert "".join(pieces).strip()
    await client.close()


async def test_json_schema_output_is_valid(local_llm: LocalLLMServer, make_settings) -> None:  # type: ignore[no-untyped-def]
    client = _client(local_llm, make_settings)
    schema = {
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": ["cancel_order", "track_order", "answer"]},
            "order_id": {"type": "string"},
        },
        "required": ["action", "order_id"],
    }
    completion = await client.complete(
        [{"role": "user", "content": "Please cancel my order #W2611340. Reply as JSON with the action and the order id."}],
        json_schema=schema,
        max_tokens=64,
    )
    decision = json.loads(completion.text)
    assert decision["action"] in {"cancel_order", "track_order", "answer"}
    assert set(decision) >= {"action", "order_id"}
    assert completion.tokens_in > 0 and completion.tokens_out > 0
    await client.close()
