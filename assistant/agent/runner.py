"""Turns run as their own tasks and report through a queue.

A client that disconnects mid-stream does not cancel its turn, so the turn is
always stored whole; at shutdown the service waits for the turns still running.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from assistant.agent.events import FinalEvent, TurnEvent, TurnResult

_DONE = object()
TurnBody = Callable[[Callable[[TurnEvent], Awaitable[None]]], Awaitable[TurnResult]]


class TurnRunner:
    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()

    def start(self, body: TurnBody) -> AsyncIterator[TurnEvent]:
        """Start the turn now and iterate over its events: tokens, then one final event."""
        queue: asyncio.Queue[object] = asyncio.Queue()
        task = asyncio.create_task(self._run(queue, body))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return _drain(queue)

    async def wait_idle(self) -> None:
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    @staticmethod
    async def _run(queue: asyncio.Queue[object], body: TurnBody) -> None:
        try:
            result = await body(queue.put)
            await queue.put(FinalEvent(result=result))
        except BaseException as exc:  # handed to the reader, which re-raises it in the request
            await queue.put(exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            await queue.put(_DONE)


async def _drain(queue: asyncio.Queue[object]) -> AsyncIterator[TurnEvent]:
    while True:
        item = await queue.get()
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item  # type: ignore[misc]
