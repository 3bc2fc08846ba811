"""What a procedure or path decided for the turn, before the reply is written."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.conversations.records import ProposalRecord


@dataclass
class Outcome:
    route: str
    # The reply, already in the customer's language (procedures answer with fixed phrases).
    reply: str | None = None
    proposal: ProposalRecord | None = None
    handoff: bool = False
    verified_customer_id: str | None = None


class ToolFailed(Exception):
    """A tool answered with an error (a refusal, not found, the commerce service down)."""

    def __init__(self, name: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.reason = reason
        self.message = message

    @property
    def unavailable(self) -> bool:
        return self.reason in {"commerce_unavailable", "commerce_timeout", "unavailable", "timeout"}
