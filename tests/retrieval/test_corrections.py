"""A published correction is found first for paraphrases of its question, in English and Chinese, and not for
other questions (the real USE embedder, the retail shop's real knowledge around it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.components.container import Components, build_components
from assistant.feedback.publish import corrections_folder, render_document
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings
from ingest.pipeline import IngestPipeline
from tests.conftest import DATA

COLLECTION = "retail"
QUESTION = "Can you gift wrap my order?"
ANSWER = "Yes. Gift wrapping costs $5 per item; choose it at checkout under Gift options."
PARAPHRASES = ("do you offer gift wrapping", "I want it wrapped as a present", "可以帮我包装成礼物吗")
# Questions the knowledge base answers otherwise: a correction must not push their answers down.
OTHERS = ("Do you sell gift cards?", "How do I return a pair of shoes?", "我的订单什么时候发货？")


@pytest.fixture(scope="module")
def published(make_settings_module: Callable[..., Settings]) -> Components:
    components = build_components(make_settings_module())
    retail = DATA / "retail"
    IngestPipeline(components, COLLECTION).run(
        [retail / "policy.md", retail / "help_centre.md", retail / "help_centre_zh.md"], "policy"
    )
    folder = corrections_folder(components, COLLECTION)
    folder.mkdir(parents=True)
    (folder / "correction-1.md").write_text(render_document(QUESTION, ANSWER), encoding="utf-8")
    IngestPipeline(components, COLLECTION).run([folder], "policy")
    return components


@pytest.fixture(scope="module")
def make_settings_module(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Settings]:
    folder = tmp_path_factory.mktemp("corrections")
    return lambda: Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        vector_store={"path": folder / "chroma"},  # type: ignore[arg-type]
        database={"url": f"sqlite:///{folder / 'assistant.db'}"},  # type: ignore[arg-type]
    )


def _first(components: Components, query: str) -> str:
    hits = Retriever(components, COLLECTION).search(query, k=3, kinds=["policy", "product"], audience="customer")
    return hits[0].text


@pytest.mark.parametrize("query", (QUESTION, *PARAPHRASES))
def test_the_correction_comes_first_for_its_question_and_paraphrases(published: Components, query: str) -> None:
    assert ANSWER in _first(published, query)


@pytest.mark.parametrize("query", OTHERS)
def test_other_questions_keep_their_own_answers(published: Components, query: str) -> None:
    assert ANSWER not in _first(published, query)


def test_without_the_question_match_a_paraphrase_is_lost(published: Components) -> None:
    """What the stage adds: hybrid search alone ranks the store's own gift pages above the correction."""
    knowledge = published.settings.knowledge.model_copy(update={"correction_similarity": None})
    plain = dataclasses.replace(published, settings=published.settings.model_copy(update={"knowledge": knowledge}))
    assert ANSWER in _first(plain, QUESTION)  # its own wording: found by words alone
    assert any(ANSWER not in _first(plain, query) for query in PARAPHRASES)


def test_without_the_matching_model_prepared_search_still_works(tmp_path: Path) -> None:
    """An unprepared EmbeddingGemma folder turns the matching off (logged), never the shop's search."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        llm={"models_dir": tmp_path / "no-models"},  # type: ignore[arg-type]
        vector_store={"path": tmp_path / "chroma"},  # type: ignore[arg-type]
        database={"url": f"sqlite:///{tmp_path / 'assistant.db'}"},  # type: ignore[arg-type]
    )
    components = build_components(settings)
    folder = corrections_folder(components, COLLECTION)
    folder.mkdir(parents=True)
    (folder / "correction-1.md").write_text(render_document(QUESTION, ANSWER), encoding="utf-8")
    IngestPipeline(components, COLLECTION).run([folder, DATA / "retail" / "help_centre.md"], "policy")
    assert ANSWER in _first(components, QUESTION)  # its own words: hybrid search still finds it
    assert _first(components, "How do I return a pair of shoes?")
