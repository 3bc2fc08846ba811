"""Every prompt template and fixed phrase renders, in both languages, with the values the agent passes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from assistant.agent.operations.registry import route_choices
from assistant.agent.prompt_library import PromptLibrary
from assistant.errors import SettingsError
from assistant.settings import PromptSettings

REPO = Path(__file__).resolve().parents[2]

HISTORY = [{"role": "customer", "content": "hi"}, {"role": "assistant", "content": "hello"}]
VALUES = {
    "route": {"message": "where is my order", "history": HISTORY, "summary": "earlier", "routes": route_choices()},
    "extract_name": {"message": "I'm Yusuf Rossi"},
    "extract_address": {"message": "1 Main St, Austin TX 78701"},
    "answer": {
        "message": "q", "history": HISTORY, "summary": None, "passages": [{"title": "t", "text": "x"}],
        "observations": ["get_order_details: {}"], "language": "zh", "language_name": "Chinese",
    },
    "choose_tool": {
        "message": "q", "history": [], "summary": None, "observations": ["x"],
        "tools": [{"name": "get_product_details", "description": "d"}],
    },
    "tool_arguments": {"message": "q", "observations": [], "tool_name": "t", "tool_description": "d"},
    "summarise": {"summary": None, "history": HISTORY},
    "system": {"policy": "POLICY"},
}  # fmt: skip
PHRASE_VALUES = {
    "order_id": "#W1", "status": "pending", "tracking": ["1"], "items": ["Lamp"], "verb": "cancel",
    "verb_past": "cancelled", "allowed": "pending", "item": "Lamp", "options": ["a"], "methods": ["paypal_1"],
    "name": "A B", "email": "a@b.c", "address": "x", "orders": ["#W1"], "description": "d", "reminder": "",
    "reason": "no longer needed", "payment": "paypal_1", "changes": ["a → b"], "actions": ["a", "b"], "reply": "r",
    "earlier": "returned", "others": ["Mug"],
}  # fmt: skip


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary(PromptSettings(directory=REPO / "prompts", version="v1"))


def test_every_template_renders(library: PromptLibrary) -> None:
    names = {name.removesuffix(".md.j2") for name in library.template_names()}
    assert names == set(VALUES), "a template without test values (or values without a template)"
    for name, values in VALUES.items():
        assert library.render(name, **values).strip()


def test_missing_variable_is_an_error(library: PromptLibrary) -> None:
    with pytest.raises(SettingsError, match="route"):
        library.render("route", message="x")


def test_system_prompt_starts_every_prompt_and_holds_the_policy(library: PromptLibrary) -> None:
    # The one copy of the policy: the file the knowledge base ingests (ingest/demo_sources.toml).
    policy = (REPO / "data" / "retail" / "policy.md").read_text(encoding="utf-8").strip()
    assert library.policy_path == REPO / "data" / "retail" / "policy.md"
    assert policy in library.system
    messages = library.messages("route", **VALUES["route"])
    assert messages[0] == {"role": "system", "content": library.system}


def test_the_policy_has_one_copy() -> None:
    demo = tomllib.loads((REPO / "ingest" / "demo_sources.toml").read_text(encoding="utf-8"))
    assert "data/retail/policy.md" in [source["path"] for source in demo["source"]]
    assert not list((REPO / "prompts").rglob("*policy*.md")), "a policy copy under prompts/ would drift"


def test_the_system_prompt_reads_the_configured_policy(tmp_path: Path) -> None:
    policy = tmp_path / "policy.md"
    policy.write_text("# Another shop\n\nReturns within 60 days.\n", encoding="utf-8")
    library = PromptLibrary(PromptSettings(directory=REPO / "prompts", version="v1", policy=policy))
    assert "# Another shop\n\nReturns within 60 days." in library.system
    with pytest.raises(SettingsError, match="prompts.policy"):
        PromptLibrary(PromptSettings(directory=REPO / "prompts", version="v1", policy=tmp_path / "missing.md"))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_phrase_renders(library: PromptLibrary, language: str) -> None:
    for key in library.phrase_keys(language):
        assert library.phrase(language, key, **PHRASE_VALUES).strip(), key


def test_both_languages_have_the_same_phrases(library: PromptLibrary) -> None:
    assert set(library.phrase_keys("en")) == set(library.phrase_keys("zh"))


def test_unknown_version_is_refused() -> None:
    with pytest.raises(SettingsError, match="v999"):
        PromptLibrary(PromptSettings(directory=REPO / "prompts", version="v999"))
