"""The retriever's contract on a small collection of its own: filters, caps, bad input, following changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.components.container import Components
from assistant.errors import BadInputError
from assistant.retrieval.retriever import Retriever
from ingest.pipeline import IngestPipeline


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_search_before_any_ingestion_finds_nothing(small_components: Components) -> None:
    assert Retriever(small_components).search("anything") == []


def test_bad_queries_are_refused(small_components: Components) -> None:
    retriever = Retriever(small_components)
    with pytest.raises(BadInputError):
        retriever.search("   ")
    with pytest.raises(BadInputError):
        retriever.search("refund", k=0)


def test_kinds_filter_and_per_document_cap(small_components: Components, tmp_path: Path) -> None:
    long_policy = "# Refunds\n\n" + "\n\n".join(
        f"## Case {i}\n\n" + f"Refund rule {i}: refunds go to the original card. " * 12 for i in range(6)
    )
    policies = tmp_path / "policies"
    _write(policies, "refunds.md", long_policy)
    _write(policies, "gift.md", "# Gift cards\n\nGift card refunds are credited at once.\n")
    products = tmp_path / "products"
    _write(products, "kettle.md", "# Kettle K1\n\nThe K1 kettle has a refund-free warranty of two years.\n")
    pipeline = IngestPipeline(small_components)
    pipeline.run([policies], "policy")
    pipeline.run([products], "product")
    retriever = Retriever(small_components)

    assert {hit.kind for hit in retriever.search("refund", k=10, kinds=["product"])} == {"product"}
    uncapped = retriever.search("refund original card", k=4, kinds=["policy"])
    assert len({hit.document_id for hit in uncapped}) == 1  # one long document fills the list
    capped = retriever.search("refund original card", k=4, kinds=["policy"], max_per_document=1)
    assert len(capped) == 2 and len({hit.document_id for hit in capped}) == 2


def test_keyword_index_follows_updates_and_prunes(small_components: Components, tmp_path: Path) -> None:
    folder = tmp_path / "faq"
    _write(folder, "a.md", "# A\n\nThe Zorblax 9000 blender has a five year warranty.\n")
    _write(folder, "b.md", "# B\n\nShipping takes two days.\n")
    _write(folder, "c.md", "# C\n\nReturns are free within 30 days.\n")  # Okapi idf is 0 for a term in half of 2 documents
    pipeline = IngestPipeline(small_components)
    pipeline.run([folder], "policy")
    retriever = Retriever(small_components)
    assert [hit.title for hit in retriever.search("Zorblax", mode="keyword")] == ["A"]

    _write(folder, "b.md", "# B\n\nShipping takes two days; the Quuxotron ships free.\n")
    pipeline.run([folder], "policy")
    assert [hit.title for hit in retriever.search("Quuxotron", mode="keyword")] == ["B"]

    (folder / "a.md").unlink()
    pipeline.run([folder], "policy", prune=True)
    assert retriever.search("Zorblax", mode="keyword") == []
    assert all(hit.title != "A" for hit in retriever.search("Zorblax blender warranty"))
