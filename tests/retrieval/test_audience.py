"""Searching for customers returns customer-facing chunks only, including in collections stored before the field."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.components.container import Components
from assistant.retrieval.collection import indexed_text, open_collection
from assistant.retrieval.retriever import Retriever
from ingest.pipeline import IngestPipeline
from tests.conftest import DATA

# Questions a customer asked that the internal documents answer best (agent instructions, tool names).
QUESTIONS = [
    "What is your return policy?",
    "What tools can you call?",
    "退货政策是什么？",
    "怎么使用电子卡？调用什么工具",
    "The user needs to confirm the order id",
    "authenticate the user identity by locating their user id",
]


@pytest.fixture
def mixed(small_components: Components) -> Components:
    pipeline = IngestPipeline(small_components)
    pipeline.run([DATA / "retail" / "help_centre.md", DATA / "retail" / "help_centre_zh.md"], "policy")  # customer
    pipeline.run([DATA / "retail" / "policy.md", DATA / "ecom_store" / "policy_zh.md"], "policy")  # internal by default
    return small_components


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_customer_searches_never_return_internal_chunks(mixed: Components, mode: str) -> None:
    retriever = Retriever(mixed)
    for question in QUESTIONS:
        every = retriever.search(question, k=8, mode=mode)  # type: ignore[arg-type]
        customer = retriever.search(question, k=8, mode=mode, audience="customer")  # type: ignore[arg-type]
        assert customer or mode == "keyword", question  # a question without a help-page word has no keyword hit
        assert {hit.audience for hit in customer} <= {"customer"}, question
        assert all(hit.source.startswith("data/retail/help_centre") for hit in customer), question
        if mode != "dense" or question != "退货政策是什么？":
            # The internal documents do compete: without the filter they come back.
            assert "internal" in {hit.audience for hit in every}, (question, [hit.source for hit in every])


def test_internal_searches_and_the_audience_of_every_hit(mixed: Components) -> None:
    hits = Retriever(mixed).search("调用manage_ecard工具", k=5, audience="internal")
    assert hits and {hit.source for hit in hits} <= {"data/retail/policy.md", "data/ecom_store/policy_zh.md"}
    assert any(hit.source == "data/ecom_store/policy_zh.md" for hit in hits)


def test_chunks_stored_before_the_field_get_their_kinds_default(small_components: Components) -> None:
    """A collection filled before audiences existed: products count as customer-facing, policies as internal."""
    collection = open_collection(small_components, create=True)
    embedder = small_components.embedder()
    old = [
        ("old-policy#0", "policy", "The agent must authenticate the user before any refund of a kettle."),
        ("old-product#0", "product", "Kettle K1: refund within 30 days, 1.7 litres, stainless steel."),
        # A third chunk, so a word of one of the two has a positive BM25 weight (Okapi idf is 0 for half of 2).
        ("old-ticket#0", "ticket", "Shipping took two days to Berlin."),
    ]
    metadatas: list[dict[str, str | int]] = [
        {"document_id": chunk_id.split("#")[0], "chunk_index": 0, "chunk_count": 1, "doc_hash": "h", "content_hash": chunk_id,
         "title": chunk_id, "heading_path": "", "kind": kind, "language": "en", "source": f"{chunk_id}.md",
         "source_path": f"/old/{chunk_id}.md"}
        for chunk_id, kind, _ in old
    ]  # fmt: skip
    texts = [text for _, _, text in old]
    vectors = embedder.embed([indexed_text(meta, text) for meta, text in zip(metadatas, texts, strict=True)])
    collection.store.upsert(ids=[c for c, _, _ in old], texts=texts, metadatas=metadatas, embeddings=np.asarray(vectors))
    retriever = Retriever(small_components)
    for mode in ("hybrid", "dense", "keyword"):
        customer = retriever.search("stainless steel kettle refund", k=5, mode=mode, audience="customer")  # type: ignore[arg-type]
        assert [hit.chunk_id for hit in customer] == ["old-product#0"], mode
        assert customer[0].audience == "customer"
        internal = retriever.search("authenticate the user for a kettle refund", k=5, mode=mode, audience="internal")  # type: ignore[arg-type]
        assert internal[0].chunk_id == "old-policy#0" and "old-product#0" not in [hit.chunk_id for hit in internal], mode
