"""An OpenAI-compatible `/v1/chat/completions`, so standard chat clients and SDKs can talk to the assistant.

Authentication is the chat API's: `Authorization: Bearer <shop API key>` (the
SDK's `api_key`) and `X-Customer-Id` (a default header of the client). The last
`user` message of the request is the customer's new message; the assistant keeps
the conversation itself. Which conversation: the `X-Conversation-Id` header if
given, else the customer's open conversation that began with the same first
user message (so a client that resends the growing message list stays in one
conversation), else a new one. The response carries the conversation id in the
`X-Conversation-Id` header and, beside the standard fields, an `assistant` object
with citations, actions and any pending confirmation. `stream: true` gives
`chat.completion.chunk` events and `data: [DONE]`, as the OpenAI API does.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, format_sse_event

from assistant.agent.events import FinalEvent, TokenEvent, TurnEvent
from assistant.chat.service import ChatService, final_result
from assistant.errors import AssistantError, BadInputError
from assistant.server.body import parse_body
from assistant.server.chat.auth import CallerDep

openai_router = APIRouter(tags=["openai-compatible"])

COMPLETION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["messages"],
                    "properties": {
                        "model": {"type": "string"},
                        "messages": {"type": "array", "items": {"type": "object"}},
                        "stream": {"type": "boolean", "default": False},
                    },
                }
            }
        },
    }
}


@openai_router.post("/v1/chat/completions", summary="OpenAI-compatible chat completion", openapi_extra=COMPLETION_BODY)
async def chat_completions(request: Request, caller: CallerDep) -> Any:
    service: ChatService = request.app.state.chat_service
    body = parse_body(await request.body())
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadInputError("`messages` must be a non-empty list", reason="bad_messages")
    user_texts = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    if not user_texts:
        raise BadInputError("`messages` has no user message", reason="bad_messages")
    content = _text(user_texts[-1])
    service.check_message(content)
    conversation_id = await service.conversation_for(
        caller, explicit=request.headers.get("x-conversation-id"), first_message=_text(user_texts[0])
    )
    events = await service.send(caller, conversation_id, content)
    model = str(body.get("model") or "shop-assistant")
    headers = {"X-Conversation-Id": conversation_id}
    if body.get("stream"):
        return EventSourceResponse(_chunks(events, model), headers=headers)
    result = await final_result(events)
    return JSONResponse(
        {
            "id": f"chatcmpl-{result.turn_id}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result.reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "assistant": json.loads(result.model_dump_json()),
        },
        headers=headers,
    )


async def _chunks(events: AsyncIterator[TurnEvent], model: str) -> AsyncIterator[bytes]:
    created = int(time.time())
    chunk_id = f"chatcmpl-{created}"

    def chunk(delta: dict[str, Any], finish: str | None = None, extra: dict[str, Any] | None = None) -> bytes:
        payload: dict[str, Any] = {
            "id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }  # fmt: skip
        if extra:
            payload["assistant"] = extra
        return format_sse_event(data_str=json.dumps(payload, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    try:
        async for event in events:
            if isinstance(event, TokenEvent):
                yield chunk({"content": event.text})
            elif isinstance(event, FinalEvent):
                yield chunk({}, "stop", json.loads(event.result.model_dump_json()))
    except AssistantError as exc:
        yield format_sse_event(data_str=json.dumps({"error": {"message": exc.message, "type": exc.reason}}))
    yield format_sse_event(data_str="[DONE]")


def _text(content: object) -> str:
    """OpenAI content is a string or a list of parts; only text parts are read."""
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict) and part.get("type") == "text")
    if isinstance(content, str):
        return content
    raise BadInputError("message `content` must be a string or a list of text parts", reason="bad_messages")
