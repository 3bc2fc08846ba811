"""The tools (assistant/tools) as one turn uses them: every call recorded, errors turned into ToolFailed.

One `ToolContext` lives for the turn: a successful `find_user_id_by_*` marks the
customer verified in it, and the next calls of the turn see that. The tools
decide authorization from the context, never from ids the model passes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from assistant.agent.outcome import ToolFailed
from assistant.agent.turn_llm import compact_json
from assistant.conversations.records import ActionBrief, PendingConfirmation, ToolCallRecord, TurnRecord
from assistant.errors import AssistantError
from assistant.tools.base import ProposedAction, ToolKind, ToolResult
from assistant.tools.confirmed import WriteClaim, WriteOutcome
from assistant.tools.environment import ToolEnvironment

BRIEF_CHARS = 200
# Read tools the model may choose on the general path; account ones only once identity is verified.
GENERAL_READ_TOOLS = ("get_order_details", "track_order", "get_product_details", "list_user_orders", "list_all_product_types")
PUBLIC_READ_TOOLS = ("get_product_details", "list_all_product_types")


@dataclass(frozen=True)
class ReadToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]


class TurnTools:
    def __init__(
        self,
        environment: ToolEnvironment,
        record: TurnRecord,
        *,
        customer_id: str,
        verified_customer_id: str | None,
        conversation_id: str,
    ) -> None:
        self._environment = environment
        self._toolbox = environment.toolbox
        self._record = record
        self.context = environment.context(
            conversation_id=conversation_id,
            authenticated_customer_id=customer_id,
            verified_customer_id=verified_customer_id,
            language=record.language,
        )

    @property
    def verified_customer_id(self) -> str | None:
        return self.context.verified_customer_id

    async def read(self, name: str, **arguments: Any) -> Any:
        result = await self._call(name, arguments, lambda: self._toolbox.call(name, arguments, self.context))
        return result.data

    async def propose(self, name: str, **arguments: Any) -> ProposedAction:
        """Ask a WRITE tool for its proposal: it checks the policy and writes nothing."""
        result = await self._call(name, arguments, lambda: self._toolbox.call(name, arguments, self.context))
        action = result.proposed_action
        if action is None:  # a WRITE tool always proposes; anything else is a programming error
            raise ToolFailed(name, AssistantError(f"{name} did not propose an action", reason="not_a_write"))
        return action

    async def execute(self, pending: PendingConfirmation, claim: WriteClaim) -> WriteOutcome:
        """Run the write the customer confirmed, once (see tools.confirmed); the call is recorded in the turn."""
        action = pending.action
        return await self._environment.run_confirmed(
            action,
            self.context,
            claim,
            observe=lambda result, seconds: self._note(action.tool, action.arguments, result, seconds),
        )

    async def transfer(self, *, summary: str, reason: str) -> Any:
        arguments = {"summary": summary, "reason": reason}
        name = "transfer_to_human_agents"
        result = await self._call(name, arguments, lambda: self._toolbox.call(name, arguments, self.context))
        return result.data

    def read_tool_specs(self) -> list[ReadToolSpec]:
        allowed = GENERAL_READ_TOOLS if self.context.verified_customer_id else PUBLIC_READ_TOOLS
        names = [name for name in allowed if name in self._toolbox.names]
        return [
            ReadToolSpec(schema["function"]["name"], schema["function"]["description"], schema["function"]["parameters"])
            for schema in self._toolbox.schemas(names)
        ]

    async def call_raw(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """A call whose error result is returned, not raised (the general path shows errors to the model)."""
        try:
            await self._call(name, arguments, lambda: self._toolbox.call(name, arguments, self.context))
        except ToolFailed as exc:
            if exc.unavailable:
                raise
            return ToolResult.failure(name, exc.cause)
        return ToolResult(tool=name, ok=True, data=self._record.tool_calls[-1].result)

    async def _call(self, name: str, arguments: dict[str, Any], run: Any) -> ToolResult:
        started = time.perf_counter()
        result: ToolResult = await run()
        self._note(name, arguments, result, time.perf_counter() - started)
        if not result.ok:
            raise ToolFailed(
                name, result.cause or AssistantError(result.error or "the tool failed", reason=result.reason or "error")
            )
        return result

    def _note(self, name: str, arguments: dict[str, Any], result: ToolResult, seconds: float) -> None:
        """Record the call in the turn: every call in `tool_calls`, and a brief of it in the reply's `actions`."""
        kind: Literal["read", "write"] = (
            "write" if name in self._toolbox.names and self._toolbox.kind(name) is ToolKind.WRITE else "read"
        )
        if not result.ok:
            error = result.error or "the tool failed"
            self._record.tool_calls.append(
                ToolCallRecord(
                    name=name, kind=kind, arguments=arguments, ok=False, error=f"{result.reason}: {error}", seconds=seconds
                )
            )
            self._record.actions.append(
                ActionBrief(name=name, kind=kind, arguments=arguments, ok=False, brief=error[:BRIEF_CHARS])
            )
            return
        shown: Any = result.data
        if result.proposed_action is not None:
            shown = {"proposed": result.proposed_action.model_dump(mode="json")}
        elif isinstance(shown, BaseModel):
            shown = shown.model_dump(mode="json")
        self._record.tool_calls.append(
            ToolCallRecord(name=name, kind=kind, arguments=arguments, ok=True, result=shown, seconds=seconds)
        )
        brief = "proposed; awaiting the customer's confirmation" if result.proposed_action else compact_json(shown)[:BRIEF_CHARS]
        self._record.actions.append(ActionBrief(name=name, kind=kind, arguments=arguments, ok=True, brief=brief))
