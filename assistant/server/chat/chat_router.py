"""The customer chat API.

## Authentication
The shop authenticates its customers itself and calls the assistant on their
behalf. Every request carries:

- `Authorization: Bearer <shop API key>` — the key is the shop (`shops.<name>.api_key`);
- `X-Customer-Id: <customer id>` — the shop's id of the customer the request is for, in any
  script: percent-encoded UTF-8 when not ASCII (server/chat/auth.py).

Missing or invalid credentials → 401. A conversation belongs to the shop and
customer that created it; any other caller — another customer, another shop —
gets 404, exactly as for a conversation that does not exist. The assistant still
checks the customer's identity as the shop's profile says (retail: email, or name
+ zip code; JD: phone or platform user id) before it opens account data, and it
only acts for the customer in `X-Customer-Id`.

## Endpoints
- `POST /v1/conversations` → 201, the new conversation.
- `GET /v1/conversations/{id}` → the conversation and its messages (with citations and actions).
- `POST /v1/conversations/{id}/messages` `{"content": "..."}` → the reply with citations, the tools
  called with their results in brief, and any pending confirmation.
- `POST /v1/conversations/{id}/messages/stream` → the same turn as server-sent events:
  `event: token` with `data: {"text": "..."}` for each piece of the reply as it is written, then
  `event: final` with `data: <the same object as the non-streaming reply>`; `event: error` with
  `data: {"error": reason, "message": ...}` if the turn could not be stored. The `final` event's
  `reply` is authoritative (after a failure mid-stream it is the apology, not the pieces sent).
- `POST /v1/conversations/{id}/end` → the ended conversation; later messages get 409.

## Errors
`{"error": reason, "message": text}` with 401 (credentials), 404 (unknown or another customer's
conversation), 409 `conversation_ended`, 422 (`empty_message`, `message_too_long`, `bad_encoding`,
`bad_json`), 429 `rate_limited` (per customer, `agent.rate_limit`). A refused message stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel, Field

from assistant.agent.events import FinalEvent, TokenEvent, TurnEvent, TurnResult
from assistant.chat.service import ChatService
from assistant.conversations.records import ConversationView, MessageView
from assistant.errors import AssistantError
from assistant.server.body import parse_body
from assistant.server.chat.auth import CallerDep

chat_router = APIRouter(prefix="/v1/conversations", tags=["chat"])

MESSAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["content"],
                    "properties": {"content": {"type": "string", "description": "The customer's message (UTF-8)."}},
                }
            }
        },
    }
}


class ConversationWithMessages(BaseModel):
    conversation: ConversationView
    messages: list[MessageView] = Field(default_factory=list)


def _service(request: Request) -> ChatService:
    return request.app.state.chat_service  # type: ignore[no-any-return]


ServiceDep = Annotated[ChatService, Depends(_service)]


async def _content(request: Request) -> object:
    # The body is read by hand so that bytes that are not UTF-8 get a clear 422, not a decoder error.
    return parse_body(await request.body()).get("content")


@chat_router.post("", status_code=201, response_model=ConversationView, summary="Start a conversation")
async def create_conversation(caller: CallerDep, service: ServiceDep) -> ConversationView:
    return await service.create(caller)


@chat_router.get("/{conversation_id}", response_model=ConversationWithMessages, summary="A conversation and its history")
async def get_conversation(conversation_id: str, caller: CallerDep, service: ServiceDep) -> ConversationWithMessages:
    conversation, messages = await service.get(caller, conversation_id)
    return ConversationWithMessages(conversation=conversation, messages=messages)


@chat_router.post("/{conversation_id}/end", response_model=ConversationView, summary="End a conversation")
async def end_conversation(conversation_id: str, caller: CallerDep, service: ServiceDep) -> ConversationView:
    return await service.end(caller, conversation_id)


@chat_router.post(
    "/{conversation_id}/messages", response_model=TurnResult, summary="Send a message, get the reply", openapi_extra=MESSAGE_BODY
)
async def send_message(conversation_id: str, request: Request, caller: CallerDep, service: ServiceDep) -> TurnResult:
    return await service.send_and_wait(caller, conversation_id, await _content(request))  # type: ignore[arg-type]


@chat_router.post(
    "/{conversation_id}/messages/stream",
    # The response is built by hand (not `response_class=`), so the checks run before the stream opens.
    responses={200: {"content": {"text/event-stream": {}}, "description": "`token` events, then one `final` event."}},
    summary="Send a message, get the reply as server-sent events",
    openapi_extra=MESSAGE_BODY,
)
async def stream_message(conversation_id: str, request: Request, caller: CallerDep, service: ServiceDep) -> EventSourceResponse:
    # Checks run here, before the stream opens, so bad input is a plain 4xx response.
    events = await service.send(caller, conversation_id, await _content(request))  # type: ignore[arg-type]
    return EventSourceResponse(sse_bytes(events))


async def sse_bytes(events: AsyncIterator[TurnEvent]) -> AsyncIterator[bytes]:
    try:
        async for event in events:
            if isinstance(event, TokenEvent):
                yield format_sse_event(event="token", data_str=json.dumps({"text": event.text}, ensure_ascii=False))
            elif isinstance(event, FinalEvent):
                yield format_sse_event(event="final", data_str=event.result.model_dump_json())
    except AssistantError as exc:
        yield format_sse_event(event="error", data_str=json.dumps({"error": exc.reason, "message": exc.message}))
