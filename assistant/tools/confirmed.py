"""Running a confirmed write: claim it, execute it once with its idempotency key, then finish or release it.

Three callers run confirmed writes: the customer's "yes" (a conversation's
pending action), a human agent's approval (a write waiting for approval) and an
agent running a draft's suggested action. Each keeps the write's state in its own
rows, behind a `WriteClaim`; the steps, and what a failure does to that state,
are the same for all three:

- someone else holds or decided it → `taken`, nothing runs;
- the shop could not answer (down, 5xx, refused key, timeout) → the claim is
  released, so the write can be confirmed again (its idempotency key makes the
  retry safe whatever happened), and `CommerceUnavailableError` is raised;
- the shop or the policy refused → finished `failed`, with the reason;
- done → finished `executed`, with the result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from assistant.errors import CommerceUnavailableError
from assistant.tools.base import ProposedAction, ToolResult
from assistant.tools.context import ToolContext
from assistant.tools.toolbox import Toolbox


class WriteClaim(Protocol):
    """Where one confirmed write's state lives; each method is one conditional update (blocking, run in a thread)."""

    def claim(self) -> bool:
        """Move the write to `executing`; False when another caller already has it or it was decided."""

    def release(self) -> None:
        """Move it back from `executing` to where it waited: nothing is known to have been done."""

    def finish(self, status: Literal["executed", "failed"], result: Any) -> None:
        """Record the final outcome (the executed write's result, or the refusal)."""


@dataclass(frozen=True)
class WriteOutcome:
    status: Literal["executed", "failed", "taken"]
    result: ToolResult | None = None

    @property
    def recorded(self) -> Any:
        """What is stored as the write's result: the shop's answer, or the refusal's reason and message."""
        if self.result is None:
            return None
        if self.result.ok:
            return self.result.data
        return {"error": self.result.reason, "message": self.result.error}

    @property
    def refusal(self) -> str:
        return (self.result.error or "") if self.result is not None and not self.result.ok else ""


# Called with the tool's result and the seconds it took (the turn records the call it made).
Observer = Callable[[ToolResult, float], None]


async def run_confirmed(
    toolbox: Toolbox,
    action: ProposedAction,
    ctx: ToolContext,
    claim: WriteClaim,
    *,
    approved_by: str | None = None,
    observe: Observer | None = None,
) -> WriteOutcome:
    """Execute `action` once for whoever confirmed it; see the module docstring for what each outcome does."""
    if not await asyncio.to_thread(claim.claim):
        return WriteOutcome(status="taken")
    started = time.perf_counter()
    try:
        result = await toolbox.execute_confirmed(action, ctx, approved_by=approved_by)
        if observe is not None:
            observe(result, time.perf_counter() - started)
    except BaseException:
        # A bug or a cancellation: released, so it can be confirmed again (the same key makes that safe).
        await asyncio.to_thread(claim.release)
        raise
    if result.unavailable:
        await asyncio.to_thread(claim.release)
        cause = result.cause
        raise CommerceUnavailableError(
            f"the shop could not carry out {action.tool} ({result.error}); it can be confirmed again safely",
            reason=cause.reason if cause is not None else "commerce_unavailable",
        )
    outcome = WriteOutcome(status="executed" if result.ok else "failed", result=result)
    await asyncio.to_thread(claim.finish, "executed" if result.ok else "failed", outcome.recorded)
    return outcome
