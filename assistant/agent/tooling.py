"""The tools as one turn uses them: every call recorded, errors turned into ToolFailed.

`Toolbox` is the seam to the tools package (assistant/tools): it holds what is
shared between turns (connectors, schemas); `TurnTools` binds it to one turn's
customer and record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from assistant.agent.outcome import ToolFailed
from assistant.agent.turn_llm import compact_json
from assistant.conversations.records import ActionBrief, PendingConfirmation, ProposalRecord, ToolCallRecord, TurnRecord

BRIEF_CHARS = 200
# Read tools the model may choose on the general path; account ones only once identity is verified.
GENERAL_READ_TOOLS = ("get_order_details", "get_product_details", "get_user_details", "list_user_orders")


@dataclass(frozen=True)
class ReadToolSpec:
    name: str
    description: str
    arguments_model: type[BaseModel]


@dataclass(frozen=True)
class Caller:
    """Who the tools act for in this turn."""

    customer_id: str
    verified_customer_id: str | None
    conversation_id: str


class Toolbox(Protocol):
    """What the agent needs from the tools package."""

    async def read(self, name: str, arguments: dict[str, Any], caller: Caller) -> Any: ...

    async def propose(self, name: str, arguments: dict[str, Any], caller: Caller) -> ProposalRecord: ...

    async def execute(self, name: str, arguments: dict[str, Any], idempotency_key: str, caller: Caller) -> Any: ...

    async def transfer(self, summary: str, reason: str, caller: Caller) -> Any: ...

    def read_specs(self, names: tuple[str, ...]) -> list[ReadToolSpec]: ...


class TurnTools:
    def __init__(
        self, toolbox: Toolbox, record: TurnRecord, *, customer_id: str, verified_customer_id: str | None, conversation_id: str
    ) -> None:
        self._toolbox = toolbox
        self._record = record
        self._caller = Caller(customer_id, verified_customer_id, conversation_id)

    def verified(self, customer_id: str) -> None:
        self._caller = Caller(self._caller.customer_id, customer_id, self._caller.conversation_id)

    async def read(self, name: str, **arguments: Any) -> Any:
        return await self._call("read", name, arguments, lambda: self._toolbox.read(name, arguments, self._caller))

    async def propose(self, name: str, **arguments: Any) -> ProposalRecord:
        # Proposing writes nothing: the tool checks the policy and returns the exact action to confirm.
        return await self._call(
            "write", name, arguments, lambda: self._toolbox.propose(name, arguments, self._caller), proposal=True
        )  # type: ignore[no-any-return]

    async def execute(self, pending: PendingConfirmation, *, idempotency_key: str) -> Any:
        return await self._call(
            "write", pending.name, pending.arguments,
            lambda: self._toolbox.execute(pending.name, pending.arguments, idempotency_key, self._caller),
        )  # fmt: skip

    async def transfer(self, *, summary: str, reason: str) -> Any:
        arguments = {"summary": summary, "reason": reason}
        return await self._call(
            "write", "transfer_to_human_agents", arguments, lambda: self._toolbox.transfer(summary, reason, self._caller)
        )

    def read_tool_specs(self) -> list[ReadToolSpec]:
        allowed = GENERAL_READ_TOOLS if self._caller.verified_customer_id else ("get_product_details",)
        return self._toolbox.read_specs(allowed)

    async def _call(self, kind: str, name: str, arguments: dict[str, Any], run: Any, *, proposal: bool = False) -> Any:
        started = time.perf_counter()
        try:
            result = await run()
        except ToolFailed as exc:
            self._record.tool_calls.append(
                ToolCallRecord(name=name, kind=kind, arguments=arguments, ok=False, error=f"{exc.reason}: {exc.message}",  # type: ignore[arg-type]
                               seconds=time.perf_counter() - started)
            )  # fmt: skip
            self._record.actions.append(
                ActionBrief(name=name, kind=kind, arguments=arguments, ok=False, brief=exc.message[:BRIEF_CHARS])
            )  # type: ignore[arg-type]
            raise
        shown = result.model_dump() if isinstance(result, BaseModel) else result
        self._record.tool_calls.append(
            ToolCallRecord(
                name=name, kind=kind, arguments=arguments, ok=True, result=shown, seconds=time.perf_counter() - started
            )  # type: ignore[arg-type]
        )
        brief = "proposed, awaiting the customer's confirmation" if proposal else compact_json(shown)[:BRIEF_CHARS]
        self._record.actions.append(ActionBrief(name=name, kind=kind, arguments=arguments, ok=True, brief=brief))  # type: ignore[arg-type]
        return result
