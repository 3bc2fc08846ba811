"""Every prompt template and fixed phrase renders, in both languages, with the values the agent passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent.operations.registry import route_choices
from assistant.agent.prompt_library import PromptLibrary, policy_text
from assistant.errors import SettingsError
from assistant.settings import PromptSettings
from tests.shops import prompts, shop

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
    "earlier": "returned", "others": ["Mug"], "example_order_id": "#W1", "rule": "r", "missing": ["the title"],
    "types": ["个人发票", "企业发票"], "invoice_type": "个人发票", "title": "t", "tax_id": None, "cards": ["京东E卡 ¥1.00"],
    "total": "¥1.00", "reviewed": False, "product": "Lasko 16英寸落地扇（100069341608）",
}  # fmt: skip


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return prompts("retail")


def test_every_template_renders(library: PromptLibrary) -> None:
    names = {name.removesuffix(".md.j2") for name in library.template_names()}
    assert names == set(VALUES), "a template without test values (or values without a template)"
    for name, values in VALUES.items():
        assert library.render(name, **values).strip()


def test_missing_variable_is_an_error(library: PromptLibrary) -> None:
    with pytest.raises(SettingsError, match="route"):
        library.render("route", message="x")


def test_system_prompt_starts_every_prompt_and_holds_the_policy(library: PromptLibrary) -> None:
    # The one copy of the policy: the file the knowledge base ingests too (the shop's [[knowledge]]).
    policy = (REPO / "data" / "retail" / "policy.md").read_text(encoding="utf-8").strip()
    assert library.policy_paths == [REPO / "data" / "retail" / "policy.md"]
    assert policy in library.system
    messages = library.messages("route", **VALUES["route"])
    assert messages[0] == {"role": "system", "content": library.system}


def test_the_policy_has_one_copy() -> None:
    for name in ("retail", "jd_appliances"):
        profile = shop(name).profile
        knowledge = {source.path for source in profile.knowledge}
        assert set(profile.policy_documents) <= knowledge, "the model's policy is the document the knowledge base holds"
    assert not list((REPO / "prompts").rglob("*policy*.md")), "a policy copy under prompts/ would drift"


def test_the_system_prompt_reads_the_shops_policy_documents(tmp_path: Path) -> None:
    policy = tmp_path / "policy.md"
    policy.write_text("# Another shop\n\nReturns within 60 days.\n", encoding="utf-8")
    library = PromptLibrary(PromptSettings(directory=REPO / "prompts"), version="v1", policies=[policy])
    assert "# Another shop\n\nReturns within 60 days." in library.system
    with pytest.raises(SettingsError, match="missing.md does not exist"):
        PromptLibrary(PromptSettings(directory=REPO / "prompts"), version="v1", policies=[tmp_path / "missing.md"])


def test_the_jd_policy_keeps_what_the_model_needs() -> None:
    """ECom-Bench's policy: its {placeholder} paragraph dropped (the system prompt is the same for every customer),
    its tool procedures left out (tools this assistant does not have); the tone and the rules stay."""
    jd = prompts("jd_appliances")
    assert "{user_id}" not in jd.system and "shop_id" not in jd.system
    assert "manage_order" not in jd.system and "register_cashback_by_review" not in jd.system
    assert "小主" in jd.system and "变更操作需用户确认" in jd.system
    document = "## 基本信息\n你是{platform}的客服。\n\n## 规则\n- 回复要亲切\n- manage_order\n  - 取消：仅待付款\n- 允许批量\n"
    assert policy_text(document, ["- manage_order"]) == "## 规则\n- 回复要亲切\n- 允许批量"


def test_a_shops_phrase_overlay_speaks_in_its_tone(tmp_path: Path) -> None:
    jd, retail = prompts("jd_appliances"), prompts("retail")
    assert "小主" in jd.phrase("zh", "handoff") and "小主" not in retail.phrase("zh", "handoff")
    assert jd.phrase("en", "handoff") == retail.phrase("en", "handoff")  # no English overlay: the version's own
    assert set(jd.phrase_keys("zh")) == set(retail.phrase_keys("zh")), "an overlay rewords, it adds no phrase"
    assert "形如 312705335872" in jd.phrase("zh", "ask_order") and "#W1234567" in retail.phrase("zh", "ask_order")
    (tmp_path / "phrases_zh.yaml").write_text('no_such_phrase: "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="no_such_phrase is not a phrase"):
        PromptLibrary(PromptSettings(), version="v1", overlay=tmp_path).phrase("zh", "handoff")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_phrase_renders(library: PromptLibrary, language: str) -> None:
    for key in library.phrase_keys(language):
        assert library.phrase(language, key, **PHRASE_VALUES).strip(), key


def test_both_languages_have_the_same_phrases(library: PromptLibrary) -> None:
    assert set(library.phrase_keys("en")) == set(library.phrase_keys("zh"))


def test_unknown_version_is_refused() -> None:
    with pytest.raises(SettingsError, match="v999"):
        PromptLibrary(PromptSettings(directory=REPO / "prompts", version="v999"))
    with pytest.raises(SettingsError, match="v999"):  # the override wins over every shop's own version
        prompts("retail", PromptSettings(version="v999"))
