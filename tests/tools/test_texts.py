"""The customer-facing texts are the prompt version's: both languages say the same things, and a version changes them."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from assistant.settings import PromptSettings
from assistant.tools.describe import Describer
from assistant.tools.texts import PromptTexts
from assistant.tools.toolbox import Toolbox
from tests.commerce.retail_data import retail_db
from tests.conftest import REPO
from tests.tools.conftest import ContextFactory

V1 = PromptTexts.of(PromptSettings(directory=REPO / "prompts", version="v1"))


def keys(texts: PromptTexts, name: str, language: str) -> set[str]:
    return {f"{section}.{key}" for section, entries in texts.table(name, language).items() for key in entries}


@pytest.mark.parametrize("name", ["tools", "handoff"])
def test_both_languages_have_the_same_texts(name: str) -> None:
    assert (V1.folder / f"{name}_zh.toml").is_file()  # a real Chinese table, not the English fallback
    english, chinese = keys(V1, name, "en"), keys(V1, name, "zh")
    assert english and english == chinese, {"only en": english - chinese, "only zh": chinese - english}


def test_the_default_texts_are_the_default_prompt_version() -> None:
    assert PromptTexts.default() == V1
    assert V1.folder == REPO / "prompts" / "v1" / "texts"


def test_a_language_without_texts_reads_english() -> None:
    assert Describer("fr", V1).render("add_note", body="x") == Describer("en", V1).render("add_note", body="x")


def new_version(tmp_path: Path, table: str, old: str, new: str) -> PromptTexts:
    """prompts/v2: a copy of v1 with one English text reworded."""
    shutil.copytree(REPO / "prompts" / "v1", tmp_path / "prompts" / "v2")
    path = tmp_path / "prompts" / "v2" / "texts" / f"{table}_en.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return PromptTexts.of(PromptSettings(directory=tmp_path / "prompts", version="v2"))


def test_another_prompt_version_says_the_write_otherwise(tmp_path: Path) -> None:
    v2 = new_version(tmp_path, "tools", "Add this note to your customer record", "Write down on your account")
    assert Describer("en", V1).render("add_note", body="prefers mornings").startswith("Add this note to your customer record")
    assert Describer("en", v2).render("add_note", body="prefers mornings").startswith("Write down on your account")
    assert Describer("zh", v2).render("add_note", body="x") == Describer("zh", V1).render("add_note", body="x")


@pytest.mark.asyncio(loop_scope="session")
async def test_the_toolbox_describes_a_write_with_the_contexts_prompt_version(
    toolbox: Toolbox, make_context: ContextFactory, tmp_path: Path
) -> None:
    v2 = new_version(tmp_path, "tools", "Add this note to your customer record", "Write down on your account")
    customer = next(iter(retail_db()["users"]))
    ctx = make_context(customer=customer)
    assert ctx.texts == V1
    before = (await toolbox.call("add_note", {"body": "prefers email"}, ctx)).proposed_action
    after = (await toolbox.call("add_note", {"body": "prefers email"}, dataclasses.replace(ctx, texts=v2))).proposed_action
    assert before is not None and before.description.startswith("Add this note to your customer record")
    assert after is not None and after.description == 'Write down on your account: "prefers email".'
