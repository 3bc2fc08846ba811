"""One turn's run of a standard operation: identity first, then the operation's handler.

The model classified the request; from here code does the work the store
policy describes: check identity, look the order up, check its status, resolve
the items and variants the customer described to exact ids, and propose one
exact write for the customer to confirm. Nothing here is left to the model's
memory of ids.
"""

from __future__ import annotations

from assistant.agent.operations import identity, registry
from assistant.agent.operations.base import OperationTurn
from assistant.agent.outcome import Outcome
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_llm import TurnLLM


class OperationRunner:
    """Runs the registry's operation `action` for the customer of the turn."""

    def __init__(
        self,
        *,
        tools: TurnTools,
        prompts: PromptLibrary,
        llm: TurnLLM,
        language: str,
        text: str,
        verified_customer_id: str | None,
    ) -> None:
        self._tools = tools
        self._prompts = prompts
        self._llm = llm
        self._language = language
        self._text = text
        self._verified = verified_customer_id

    async def run(self, action: str) -> Outcome:
        operation = registry.BY_NAME[action]
        turn = OperationTurn(
            operation=operation,
            request=registry.request(operation, self._text),
            tools=self._tools,
            prompts=self._prompts,
            llm=self._llm,
            language=self._language,
        )
        user_id, stop = await identity.identify(turn, self._verified)
        if stop is not None or user_id is None:
            return stop or identity.asking(turn)
        outcome = await operation.handler(turn, user_id)
        outcome.verified_customer_id = user_id
        return outcome
