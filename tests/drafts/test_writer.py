"""The draft prompts render in both languages, and the fact check adds exactly what the model's text lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent.prompt_library import PromptLibrary
from assistant.drafts.models import OrderFacts, Source
from assistant.drafts.writer import DraftWriter, usable
from tests.shops import prompts as shop_prompts

REPO = Path(__file__).resolve().parents[2]
ORDER = OrderFacts(order_id="#W4776164", status="pending", items=["T-Shirt (8349118980)"], total=53.43, currency="USD")
SOURCE = Source(document_id="d1", chunk_id="c1", title="Retail agent policy", snippet="...", source="data/retail/policy.md")
VALUES = {
    "system": {
        "language_name": "English", "summary": "earlier", "passages": [{"number": 1, "title": "Policy", "text": "x"}],
        "facts": ["Order #W4776164: status pending"], "actions": ["Cancel order #W4776164"],
    },
    "fallback": {
        "customer_name": "Yusuf Rossi", "order": ORDER, "action": "Cancel order #W4776164.", "source": "Retail agent policy",
    },
    "facts": {"order": ORDER, "source": "Retail agent policy"},
}  # fmt: skip


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return shop_prompts("retail")


@pytest.fixture(scope="module")
def writer(library: PromptLibrary) -> DraftWriter:
    return DraftWriter(llm=None, prompts=library, max_tokens=10)  # type: ignore[arg-type]  # the fact check needs no model


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("tone", ["concise", "empathetic", "formal"])
def test_every_draft_template_renders(library: PromptLibrary, language: str, tone: str) -> None:
    names = {path.name.removesuffix(".md.j2") for path in (library.folder / "drafts").glob("*.j2")}
    assert names == set(VALUES)
    for name, values in VALUES.items():
        assert library.render(f"drafts/{name}", language=language, tone=tone, **values).strip()


def test_a_complete_text_is_left_alone(writer: DraftWriter) -> None:
    text = "Order #W4776164 is pending, so it can be cancelled [1]."
    assert writer.ensure_facts(text, key_order=ORDER, sources=[SOURCE], language="en") == (text, False)


@pytest.mark.parametrize(
    ("text", "language", "added"),
    [
        ("We can cancel it [1].", "en", "Order #W4776164 is currently pending."),
        ("Order W4776164 is pending.", "en", "Source: [1] Retail agent policy."),
        ("", "en", "Order #W4776164 is currently pending. Source: [1] Retail agent policy."),
        ("您好，我们可以帮您取消。", "zh", "订单 #W4776164 当前状态：待处理（pending）。参考：[1] Retail agent policy。"),
    ],
)
def test_missing_facts_are_added_in_the_customers_language(writer: DraftWriter, text: str, language: str, added: str) -> None:
    result, appended = writer.ensure_facts(text, key_order=ORDER, sources=[SOURCE], language=language)
    assert appended and result.startswith(text) and result.endswith(added)


def test_nothing_to_check_means_nothing_added(writer: DraftWriter) -> None:
    assert writer.ensure_facts("Thanks for writing.", key_order=None, sources=[], language="en") == ("Thanks for writing.", False)


@pytest.mark.parametrize(
    ("text", "is_usable"),
    [
        ("Hello Yusuf, your order #W4776164 is pending and can be cancelled [1].", True),
        ("I'm sorry, but I can't assist with that.", False),
        ("Hello, this is Yusuf Rossi. Please cancel my order #W4776164, I no longer need it. [1]", False),
        ("Passages:\n[1] Retail agent policy: ...", False),
        ("   ", False),
        ("[1] 2023年5月24日", False),
        ("钱将在 5 to 7 business days 再次退回 [1]。", True),
        ("抱歉，我无法协助处理。", False),
    ],
)
def test_refusals_and_echoes_are_unusable(text: str, is_usable: bool) -> None:
    assert usable(text, "Hello, this is Yusuf Rossi. Please cancel my order #W4776164, I no longer need it.") is is_usable


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_fallback_reply_carries_the_facts(library: PromptLibrary, writer: DraftWriter, language: str) -> None:
    text = library.render("drafts/fallback", language=language, **VALUES["fallback"])
    assert "#W4776164" in text and "pending" in text and "[1] Retail agent policy" in text and "Cancel order" in text
    assert writer.ensure_facts(text, key_order=ORDER, sources=[SOURCE], language=language) == (text, False)
