"""What a procedure or path decided for the turn, before the reply is written."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import AssistantError, CommerceUnavailableError
from assistant.tools.base import ProposedAction


@dataclass
class Outcome:
    route: str
    # The reply, already in the customer's language (procedures answer with fixed phrases).
    reply: str | None = None
    proposal: ProposedAction | None = None
    handoff: bool = False
    verified_customer_id: str | None = None
    # Set when the order's status is why the operation cannot apply (another operation may: plan.alternatives).
    mismatched_status: str | None = None
    # The request cannot be done as asked (no such variant…): not a question back. A fallback may apply.
    impossible: bool = False

    @property
    def cannot_be_done(self) -> bool:
        return self.proposal is None and (self.impossible or self.handoff or self.mismatched_status is not None)


class ToolFailed(Exception):
    """A tool answered with an error (a refusal, not found, the commerce service down), with its domain error."""

    def __init__(self, name: str, cause: AssistantError) -> None:
        super().__init__(cause.message)
        self.name = name
        self.cause = cause

    @property
    def reason(self) -> str:
        return self.cause.reason

    @property
    def message(self) -> str:
        return self.cause.message

    @property
    def unavailable(self) -> bool:
        """The shop could not answer (connection, 5xx, 401, timeout): the turn fails with the apology, never a refusal."""
        return isinstance(self.cause, CommerceUnavailableError)
