"""What the customer is told when a human agent decides on a write that waited for approval.

The wording is the prompt version's `texts/handoff_<language>.toml` (`[approval]`:
approved, failed, declined); amounts are formatted as the tools' descriptions format them.
"""

from __future__ import annotations

from typing import Any

from assistant.tools.base import ProposedAction
from assistant.tools.describe import Describer
from assistant.tools.texts import PromptTexts


def approval_text(texts: PromptTexts, language: str | None, key: str, action: ProposedAction, **values: Any) -> str:
    """The `[approval]` text `key` for `action`, in the customer's language (English unless Chinese)."""
    spoken = "zh" if language == "zh" else "en"
    amount = Describer(spoken, texts).money(action.refund_amount, action.currency) if action.refund_amount else ""
    order_id = action.arguments.get("order_id", "")
    return texts.table("handoff", spoken)["approval"][key].render(order_id=order_id, amount=amount, **values).strip()
