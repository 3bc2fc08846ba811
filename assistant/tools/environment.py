"""What every caller of the tools shares: the toolbox, the commerce connectors and the audit log.

It is also the one place a `ToolContext` is made and a confirmed write is run,
whoever confirmed it (the customer, an agent's approval, a draft's action).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.connectors.interfaces import Connectors
from assistant.shops import Shop
from assistant.tools.audit import AuditLog
from assistant.tools.base import ProposedAction
from assistant.tools.confirmed import Observer, WriteClaim, WriteOutcome, run_confirmed
from assistant.tools.context import ToolContext
from assistant.tools.texts import PromptTexts
from assistant.tools.toolbox import Toolbox


@dataclass
class ToolEnvironment:
    toolbox: Toolbox
    connectors: Connectors
    audit: AuditLog
    # One environment per shop: its connectors reach that shop's systems, its policy is what the tools check.
    shop: Shop = field(kw_only=True)
    # The configured prompt version's texts, in which proposed writes and approval outcomes are worded.
    texts: PromptTexts = field(default_factory=PromptTexts.default)

    def context(
        self,
        *,
        conversation_id: str,
        authenticated_customer_id: str | None,
        verified_customer_id: str | None,
        language: str | None,
    ) -> ToolContext:
        """The tools acting in one conversation, for the customer its identity check verified (if any yet)."""
        spoken: Literal["en", "zh"] = "zh" if language == "zh" else "en"
        return ToolContext(
            conversation_id=conversation_id,
            connectors=self.connectors,
            audit=self.audit,
            shop=self.shop,
            authenticated_customer_id=authenticated_customer_id,
            verified_customer_id=verified_customer_id,
            language=spoken,
            texts=self.texts,
        )

    async def run_confirmed(
        self,
        action: ProposedAction,
        ctx: ToolContext,
        claim: WriteClaim,
        *,
        approved_by: str | None = None,
        observe: Observer | None = None,
    ) -> WriteOutcome:
        return await run_confirmed(self.toolbox, action, ctx, claim, approved_by=approved_by, observe=observe)

    async def aclose(self) -> None:
        await self.connectors.aclose()
