"""The LLM queue refuses at once when full and after its timeout (a unit about the queue, no model)."""

from __future__ import annotations

import asyncio

import pytest

from assistant.components.llm.client import LLMQueue
from assistant.errors import LLMBusyError


async def test_full_queue_refuses_at_once() -> None:
    queue = LLMQueue(concurrency=1, max_waiting=1, timeout_seconds=5)
    release = asyncio.Event()

    async def hold() -> None:
        async with queue.slot():
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(hold())
    await asyncio.sleep(0.01)
    assert queue.waiting == 1
    with pytest.raises(LLMBusyError, match="1 requests are already waiting"):
        async with queue.slot():
            pass
    release.set()
    await asyncio.gather(holder, waiter)
    assert queue.waiting == 0


async def test_waiting_past_the_timeout_is_refused() -> None:
    queue = LLMQueue(concurrency=1, max_waiting=4, timeout_seconds=0.05)
    async with queue.slot():
        with pytest.raises(LLMBusyError, match="no slot within"):
            async with queue.slot():
                pass
    async with queue.slot():  # the slot was released: the queue still works
        pass
