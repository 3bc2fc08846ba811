"""Which confirmed writes wait for a human agent's approval: the one place that decides it.

The toolbox applies the rule when it proposes a write; the proposal carries the
decision (``ProposedAction.status``) to whoever executes it, so the customer's
"yes", the escalation record and the agent desk never decide it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.settings import Settings
from assistant.shops.policy import ShopPolicy


@dataclass(frozen=True)
class ApprovalRule:
    refund_limit: float
    always: frozenset[str] = frozenset()

    @classmethod
    def for_shop(cls, settings: Settings, policy: ShopPolicy) -> ApprovalRule:
        """The shop's rule: its policy's `approval_refund_limit` (in its currency), unless `escalation.refund_limit`
        overrides it for every shop; `escalation.approval_tools` always wait."""
        limit = settings.escalation.refund_limit
        return cls(
            refund_limit=limit if limit is not None else policy.approval_refund_limit,
            always=frozenset(settings.escalation.approval_tools),
        )

    def reason(self, tool: str, refund_amount: float) -> str | None:
        """Why this write needs an agent (`always_approved_tool`, `refund_over_limit`), or None."""
        if tool in self.always:
            return "always_approved_tool"
        if refund_amount > self.refund_limit:
            return "refund_over_limit"
        return None

    def explanation(self, tool: str, refund_amount: float) -> str:
        if tool in self.always:
            return f"{tool} always needs an agent"
        return f"refund {refund_amount:.2f} is over the limit {self.refund_limit:.2f}"
