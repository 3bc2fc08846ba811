"""The agent: runs turns of customer conversations (see turn.py for one turn, respond.py for what it does)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

from assistant.agent.events import TurnEvent
from assistant.agent.runner import TurnRunner
from assistant.agent.turn import run_turn
from assistant.agent.turn_context import TurnDeps, TurnRequest
from assistant.errors import AssistantError

logger = logging.getLogger(__name__)


class AgentService:
    def __init__(self, deps: TurnDeps) -> None:
        self.deps = deps
        self._runner = TurnRunner()

    def run_turn(self, *, conversation_id: str, shop: str, customer_id: str, text: str) -> AsyncIterator[TurnEvent]:
        """Start the turn now and iterate over its events: tokens, then one final event.

        The caller has already checked the input and that the conversation is the customer's and open.
        """
        request = TurnRequest(conversation_id=conversation_id, shop=shop, customer_id=customer_id, text=text)
        return self._runner.start(lambda emit: run_turn(self.deps, request, emit))

    async def warm_up(self) -> bool:
        """Have the model read each shop's system prompt once; llama.cpp keeps it as the prefix of later prompts.

        Every prompt of a shop starts with the same instructions and policy (~750-1,600 tokens): on 2 cores a 1.5B
        model needs a minute or more to read them, which the first customer would otherwise wait for. The server
        keeps one prefix at a time, so the shops are read in turn and the first shop's (the main one) last.
        """
        started = time.perf_counter()
        for runtime in reversed(list(self.deps.shops.values())):
            messages = [{"role": "system", "content": runtime.prompts.system}, {"role": "user", "content": "hello"}]
            try:
                await self.deps.llm.complete(messages, max_tokens=1)  # type: ignore[arg-type]
            except AssistantError as exc:  # the model is down or busy: the first turn will say so itself
                logger.warning("warm-up skipped: %s", exc.message)
                return False
        logger.info("the model read the system prompts in %.1f s", time.perf_counter() - started)
        return True

    async def wait_idle(self) -> None:
        """Wait for turns still running (used at shutdown, so no turn is lost)."""
        await self._runner.wait_idle()
