"""The one path to every chat model: the OpenAI chat-completions protocol.

The same client talks to the embedded llama.cpp server, vLLM, Ollama or
OpenAI; only the base URL, key, model name and the structured-output
capability differ, and those are settings. Calls pass through a bounded
queue: a llama.cpp server answers one request at a time, so a caller either
gets a slot within the queue timeout or is told at once that the model is busy.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import openai
from openai import AsyncOpenAI

from assistant.errors import LLMBusyError, LLMUnavailableError
from assistant.settings import LLMSettings

Message = dict[str, Any]
# Asked when the server cannot be reached: how its process ended, if it did (server_state.py).
Diagnosis = Callable[[], str | None]


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    tokens_in: int
    tokens_out: int
    seconds: float


class LLMQueue:
    """At most `concurrency` calls in flight and `max_waiting` waiting; the rest are refused."""

    def __init__(self, concurrency: int, max_waiting: int, timeout_seconds: float) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._max_waiting = max_waiting
        self._timeout = timeout_seconds
        self._waiting = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def in_flight(self) -> bool:
        """A request holds a slot now (the model is generating or reading a prompt)."""
        return self._slots.locked() or self._slots._value < self._concurrency  # noqa: SLF001

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._waiting >= self._max_waiting:
            raise LLMBusyError(f"the model is busy: {self._waiting} requests are already waiting")
        self._waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self._timeout)
        except TimeoutError:
            raise LLMBusyError(f"the model is busy: no slot within {self._timeout:.0f} s") from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()


class LLMClient:
    """Chat completions, streamed or not, optionally constrained to a JSON schema."""

    def __init__(self, settings: LLMSettings, base_url: str, api_key: str, diagnose: Diagnosis | None = None) -> None:
        self._settings = settings
        self._diagnose = diagnose
        self._model = settings.served_model_name
        # The client's own retries would hide a dead server behind minutes of waiting.
        self._client = AsyncOpenAI(
            base_url=base_url, api_key=api_key, timeout=settings.timeout_seconds, max_retries=0
        )
        self._queue = LLMQueue(settings.concurrency, settings.max_waiting, settings.queue_timeout_seconds)

    @property
    def model(self) -> str:
        return self._model

    @property
    def queue(self) -> LLMQueue:
        return self._queue

    async def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
    ) -> Completion:
        extra: dict[str, Any] = {}
        if json_schema is not None:
            extra["response_format"] = self._response_format(json_schema)
        started = time.perf_counter()
        async with self._queue.slot():
            try:
                response = await self._client.chat.completions.create(
                    model=self._model,
                    messages=messages,  # type: ignore[arg-type]
                    max_tokens=max_tokens,
                    temperature=temperature,
                    **extra,
                )
            except (openai.OpenAIError, httpx.TransportError) as exc:
                raise await self._unavailable(exc) from exc
        usage = response.usage
        return Completion(
            text=response.choices[0].message.content or "",
            model=response.model or self._model,
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
            seconds=time.perf_counter() - started,
        )

    async def stream(
        self, messages: list[Message], *, max_tokens: int = 512, temperature: float = 0.0
    ) -> AsyncIterator[str]:
        """Yield the reply's text pieces as the model writes them."""
        async with self._queue.slot():
            try:
                chunks = await self._client.chat.completions.create(
                    model=self._model,
                    messages=messages,  # type: ignore[arg-type]
                    max_tokens=max_tokens,
                    temperature=temperature,
                    stream=True,
                )
                async for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
            # A server that dies mid-stream surfaces as httpx's own error, not the SDK's.
            except (openai.OpenAIError, httpx.TransportError) as exc:
                raise await self._unavailable(exc) from exc

    @property
    def generating(self) -> bool:
        """This client has a request at the model right now."""
        return self._queue.in_flight

    async def list_models(self) -> list[str]:
        """The models the server offers; used by health checks."""
        try:
            page = await self._client.with_options(timeout=5.0).models.list()
        except (openai.OpenAIError, httpx.TransportError) as exc:
            raise await self._unavailable(exc) from exc
        return [model.id for model in page.data]

    async def close(self) -> None:
        await self._client.close()

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        match self._settings.structured_output:
            case "json_object_schema":  # llama.cpp's grammar-constrained form
                return {"type": "json_object", "schema": schema}
            case "json_schema":  # OpenAI's and vLLM's strict form
                return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema, "strict": True}}

    async def _unavailable(self, exc: Exception) -> LLMUnavailableError:
        if isinstance(exc, (openai.APIConnectionError, httpx.TransportError)) and not isinstance(
            exc, (openai.APITimeoutError, httpx.TimeoutException)
        ):
            # A closed port says little: a crashed server is named as such, with how it ended.
            failure = await asyncio.to_thread(self._diagnose) if self._diagnose else None
            if failure:
                return LLMUnavailableError(failure)
        return _unavailable(exc)


def _unavailable(exc: Exception) -> LLMUnavailableError:
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException)):
        return LLMUnavailableError("the model did not answer in time")
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError)):
        return LLMUnavailableError("the model server cannot be reached")
    if isinstance(exc, openai.APIStatusError):
        return LLMUnavailableError(f"the model server answered {exc.status_code}: {exc.message}")
    return LLMUnavailableError(f"the model call failed: {exc}")
