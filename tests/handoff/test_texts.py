"""What the customer is told of an agent's decision comes from the prompt version, in the customer's language."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.handoff.texts import approval_text
from assistant.settings import PromptSettings
from assistant.tools.base import ProposedAction
from assistant.tools.texts import PromptTexts
from tests.conftest import REPO

V1 = PromptTexts.of(PromptSettings(directory=REPO / "prompts", version="v1"))
RETURN = ProposedAction(
    tool="return_delivered_order_items",
    arguments={"order_id": "#W2378156", "item_ids": ["4602305039"], "payment_method_id": "credit_card_9513926"},
    description="Return ...",
    idempotency_key="k",
    conversation_id="c",
    customer_id="yusuf_rossi_9620",
    status="awaiting_approval",
    refund_amount=1234.5,
    currency="USD",
)


def test_every_approval_text_renders_in_both_languages() -> None:
    for language in ("en", "zh"):
        for key in ("approved", "failed", "declined"):
            text = approval_text(V1, language, key, RETURN, reason="out of stock")
            assert "#W2378156" in text, (language, key, text)
    assert "$1,234.50" in approval_text(V1, "en", "approved", RETURN)
    assert "您的订单没有任何更改" in approval_text(V1, "zh", "declined", RETURN, reason="")
    assert approval_text(V1, None, "declined", RETURN, reason="") == approval_text(V1, "en", "declined", RETURN, reason="")


def test_another_prompt_version_tells_the_decision_otherwise(tmp_path: Path) -> None:
    shutil.copytree(REPO / "prompts" / "v1", tmp_path / "prompts" / "v2")
    path = tmp_path / "prompts" / "v2" / "texts" / "handoff_en.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Good news: ", "All set! "), encoding="utf-8")
    v2 = PromptTexts.of(PromptSettings(directory=tmp_path / "prompts", version="v2"))
    assert approval_text(V1, "en", "approved", RETURN).startswith("Good news: a member of our team approved")
    assert approval_text(v2, "en", "approved", RETURN).startswith("All set! a member of our team approved")
    assert approval_text(v2, "zh", "approved", RETURN) == approval_text(V1, "zh", "approved", RETURN)
