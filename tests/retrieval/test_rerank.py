"""The second stage: re-scores only the first stage's best candidates, with EmbeddingGemma, vectors cached on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.components.container import Components, build_components
from assistant.components.embedding.embedder import Embedder
from assistant.retrieval.rerank import Reranker
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings
from ingest.pipeline import IngestPipeline

TOPICS = {
    "refunds": "Refunds go back to the card you paid with within 5 business days of the return arriving.",
    "shipping": "Standard shipping takes 3 to 5 business days; express shipping arrives the next business day.",
    "warranty": "Every appliance has a two-year warranty covering defects in materials and workmanship.",
    "gift-cards": "Gift cards never expire and can be used for any item in the store.",
    "passwords": "To reset your password, open Settings, choose Security and follow the emailed link.",
}


def _rows(components: Components) -> dict[str, tuple[dict, str]]:
    collection = components.vector_store().collection("knowledge")
    return {chunk.id: (dict(chunk.metadata), chunk.text) for chunk in collection.scan()}


def _counting(embedder: Embedder, documents: list[int]) -> Callable[[], Embedder]:
    """The real embedder, counting the documents it embeds (to see the cache at work)."""

    def encode(texts: list[str]) -> np.ndarray:
        documents.append(len(texts))
        return embedder.encode_batch(texts)

    counted = Embedder(embedder.model_id, encode, embedder.batch_size, embedder.encode_query_batch)
    return lambda: counted


def test_only_the_candidates_are_reordered_and_their_vectors_are_cached(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(knowledge={"rerank_model": "embeddinggemma-300m", "rerank_candidates": 3})
    components = build_components(settings)
    folder = tmp_path / "faq"
    folder.mkdir()
    for name, text in TOPICS.items():
        (folder / f"{name}.md").write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
    IngestPipeline(components).run([folder], "policy")
    rows = _rows(components)
    gemma = components.packaged_embedder(settings.correction_embedding)  # the same packaged EmbeddingGemma
    by_name = {rows[chunk_id][0]["title"]: chunk_id for chunk_id in rows}
    # A first stage that got it wrong: the refund chunk third, two unrelated ones before it, two after the cut.
    order = ["passwords", "gift-cards", "refunds", "shipping", "warranty"]
    first = [(by_name[name], 1.0 - 0.1 * rank) for rank, name in enumerate(order)]
    cache = tmp_path / "rerank.npz"
    embedded: list[int] = []
    reordered, similarity = Reranker(_counting(gemma, embedded), cache, rrf_k=5, weight=1.0).rerank(
        "How long does it take to get my money back after I send something back?", first, rows, candidates=3
    )
    assert sum(embedded) == 3 and set(similarity) == {by_name[name] for name in ("passwords", "gift-cards", "refunds")}
    assert max(similarity, key=similarity.__getitem__) == by_name["refunds"]  # Gemma reads the paraphrase
    # Fused with the first stage's order it moves up from third (RRF: first by one, third by the other beats second
    # by one and second or third by the other), and the tail keeps the first stage's order and scores.
    assert [chunk_id for chunk_id, _ in reordered].index(by_name["refunds"]) <= 1
    assert reordered[3:] == first[3:]

    embedded.clear()
    again, _ = Reranker(_counting(gemma, embedded), cache, rrf_k=5, weight=1.0).rerank("refund time", first, rows, 3)
    assert embedded == [] and {chunk_id for chunk_id, _ in again} == {chunk_id for chunk_id, _ in first}


def test_the_retriever_with_a_second_stage_returns_first_stage_candidates(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(knowledge={"rerank_model": "embeddinggemma-300m", "rerank_candidates": 4})
    components = build_components(settings)
    folder = tmp_path / "faq"
    folder.mkdir()
    for name, text in TOPICS.items():
        (folder / f"{name}.md").write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
    IngestPipeline(components).run([folder], "policy")
    hits = Retriever(components).search("when will my refund arrive on my card", k=2, max_per_document=1)
    assert len(hits) == 2 and hits[0].title == "refunds"
    assert list((settings.data_dir / "keyword_index").glob("knowledge.rerank.*.npz"))  # the vectors were kept
