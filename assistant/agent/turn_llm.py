"""Model calls of one turn: structured decisions with one retry, plain and streamed replies; each call recorded."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.components.llm.client import LLMClient, Message
from assistant.components.tokens import count_tokens
from assistant.conversations.records import DecisionRecord, LLMCallRecord, TurnRecord
from assistant.errors import AssistantError

T = TypeVar("T", bound=BaseModel)


class TurnLLM:
    """The model as one turn sees it: every call lands in the turn's record."""

    def __init__(self, llm: LLMClient, record: TurnRecord) -> None:
        self._llm = llm
        self._record = record

    @property
    def record(self) -> TurnRecord:
        """The turn's record the calls land in (the router notes its stage there too)."""
        return self._record

    async def decide(self, purpose: str, messages: list[Message], model: type[T], *, step: int = 0) -> T | None:
        """A validated structured output, or None after one retry with the validation error.

        The caller falls back to a safe path on None; an invalid output never
        crashes the turn. A model that cannot be reached raises (the turn's
        failure path answers the customer).
        """
        schema = model.model_json_schema()
        attempt_messages = list(messages)
        for attempt in (1, 2):
            text = await self._complete(purpose, attempt_messages, json_schema=schema, max_tokens=200)
            try:
                value = model.model_validate_json(text)
            except ValidationError as exc:
                error = _short_error(exc)
                self._record.decisions.append(
                    DecisionRecord(
                        step=step, kind=purpose, payload={"raw": text[:500], "attempt": attempt}, valid=False, error=error
                    )
                )
                attempt_messages = [
                    *messages,
                    {"role": "assistant", "content": text or ""},  # llama.cpp answers 500 to a None content
                    {
                        "role": "user",
                        "content": f"That answer was invalid: {error}. Answer again with JSON that fits the schema.",
                    },
                ]
                continue
            self._record.decisions.append(DecisionRecord(step=step, kind=purpose, payload=value.model_dump()))
            return value
        return None

    async def decide_json(
        self, purpose: str, messages: list[Message], schema: dict[str, Any], *, step: int = 0
    ) -> dict[str, Any] | None:
        """A JSON object constrained to `schema` (a tool's parameters); the tool itself validates the values."""
        text = await self._complete(purpose, messages, json_schema=schema, max_tokens=200)
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        valid = isinstance(value, dict)
        self._record.decisions.append(
            DecisionRecord(step=step, kind=purpose, payload=value if valid else {"raw": text[:500]}, valid=valid,
                           error=None if valid else "not a JSON object")
        )  # fmt: skip
        return value if valid else None

    async def text(self, purpose: str, messages: list[Message], *, max_tokens: int) -> str:
        return await self._complete(purpose, messages, max_tokens=max_tokens)

    async def stream(self, purpose: str, messages: list[Message], *, max_tokens: int) -> AsyncIterator[str]:
        """The reply's pieces as the model writes them; the call is recorded when the stream ends or fails."""
        started = time.perf_counter()
        pieces: list[str] = []
        error: str | None = None
        try:
            async for piece in self._llm.stream(messages, max_tokens=max_tokens, temperature=0.0):
                if not pieces and self._record.stages.reply_wait_seconds is None:
                    # The wait for the first piece is the queue plus reading the prompt: what a prefix cache saves.
                    self._record.stages.reply_wait_seconds = time.perf_counter() - started
                pieces.append(piece)
                yield piece
        except AssistantError as exc:
            error = exc.message
            raise
        finally:
            # Streams carry no usage figures; the counts are the project's tokenizer's estimate.
            self._record.llm_calls.append(
                LLMCallRecord(
                    purpose=purpose,
                    model=self._llm.model,
                    tokens_in=sum(count_tokens(str(m.get("content") or "")) for m in messages),
                    tokens_out=count_tokens("".join(pieces)),
                    seconds=time.perf_counter() - started,
                    ok=error is None,
                    error=error,
                )
            )

    async def _complete(
        self, purpose: str, messages: list[Message], *, max_tokens: int, json_schema: dict[str, Any] | None = None
    ) -> str:
        started = time.perf_counter()
        try:
            completion = await self._llm.complete(messages, max_tokens=max_tokens, json_schema=json_schema)
        except AssistantError as exc:
            self._record.llm_calls.append(
                LLMCallRecord(
                    purpose=purpose, model=self._llm.model, seconds=time.perf_counter() - started, ok=False, error=exc.message
                )
            )
            raise
        self._record.llm_calls.append(
            LLMCallRecord(
                purpose=purpose,
                model=completion.model,
                tokens_in=completion.tokens_in,
                tokens_out=completion.tokens_out,
                seconds=completion.seconds,
                ok=True,
            )
        )
        return completion.text


def _short_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if errors and errors[0]["type"] == "json_invalid":
        return "not valid JSON"
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in errors[:3])


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
