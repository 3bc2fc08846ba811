"""The per-request dependencies every tool receives (one typed object, pydantic-ai style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.connectors.interfaces import Connectors
from assistant.errors import IdentityNotVerifiedError
from assistant.shops import Shop
from assistant.tools.audit import AuditLog
from assistant.tools.texts import PromptTexts


@dataclass
class ToolContext:
    """Who the conversation is for, and what the tools may use.

    ``authenticated_customer_id`` is set when the shop logged the customer in; then
    ``find_user_id_by_*`` only succeeds for that same customer. ``verified_customer_id``
    is set by a successful ``find_user_id_by_*`` (the store policy's "authenticate
    via email, or name + zip"); a shop that counts its own login as verification
    sets both. Account tools act for ``customer_id`` only — never for an id the
    model passes. The agent keeps this object (or at least ``verified_customer_id``)
    for the whole conversation.
    """

    conversation_id: str
    connectors: Connectors
    audit: AuditLog
    # The shop the conversation belongs to: its policy is what the tools check, its profile how ids look.
    shop: Shop = field(kw_only=True)
    authenticated_customer_id: str | None = None
    verified_customer_id: str | None = None
    language: Literal["en", "zh"] = "en"
    # The prompt version whose texts/tools_*.toml describe proposed writes; the configured one is
    # PromptTexts.of(settings.prompts), the default is the project's default version.
    texts: PromptTexts = field(default_factory=PromptTexts.default)

    @property
    def customer_id(self) -> str:
        """The verified customer of this conversation; raises until identity is verified."""
        if self.verified_customer_id is None:
            raise IdentityNotVerifiedError(
                "The customer's identity is not verified yet: find the user id by email, or by first name, "
                "last name and zip code, first."
            )
        return self.verified_customer_id
