"""The real demo corpus, ingested by `assistant ingest --demo`: the expected documents come back."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.components.container import Components, build_components
from assistant.retrieval.collection import open_collection
from assistant.retrieval.retriever import Retriever
from ingest.pipeline import IngestPipeline
from tests.conftest import DATA
from tests.retrieval.conftest import ECOM_COLLECTION, RETAIL_COLLECTION, DemoCorpus, ingest_demo


def test_the_demo_command_ingests_everything_once(demo_corpus: DemoCorpus) -> None:
    first, second = demo_corpus.first_run, demo_corpus.second_run
    # Every shop from its own profile: the retail help centre in English and Chinese, the agent policy, 19 tickets;
    # the Chinese shop's 52 products and its policy.
    assert first["documents_seen"] == (2 + 1 + 19) + (52 + 1)
    assert first["added"] == first["documents_seen"] and first["chunks_written"] > 100
    assert (second["added"], second["updated"], second["chunks_written"], second["deleted"]) == (0, 0, 0, 0)
    assert second["skipped"] == first["documents_seen"]
    # `--shop retail`: that shop alone.
    assert demo_corpus.retail_run["documents_seen"] == demo_corpus.retail_run["skipped"] == 2 + 1 + 19


def test_each_collection_holds_one_shop_with_its_audiences(demo_components: Components, ecom_components: Components) -> None:
    def audiences(components: tuple[Components, str]) -> dict[str, set[str]]:
        _, metadatas = open_collection(*components).all_metadata()
        found: dict[str, set[str]] = {}
        for metadata in metadatas:
            found.setdefault(str(metadata["source"]), set()).add(str(metadata["audience"]))
        return found

    assert audiences((demo_components, RETAIL_COLLECTION)) == {
        "data/retail/help_centre.md": {"customer"},
        "data/retail/help_centre_zh.md": {"customer"},
        "data/retail/policy.md": {"internal"},
        "data/retail/resolved_tickets.jsonl": {"internal"},
    }
    assert audiences((ecom_components, ECOM_COLLECTION)) == {
        "data/ecom_store/products.json": {"customer"},
        "data/ecom_store/policy_zh.md": {"internal"},
    }


def test_a_shops_demo_removes_another_shops_documents_from_its_collection(demo_corpus: DemoCorpus, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A collection an older single-shop version filled may hold the other business's documents: the demo removes them."""
    mixed = DemoCorpus(tmp_path, {}, {}, 0, 0, {}).settings()
    components = build_components(mixed)
    IngestPipeline(components, RETAIL_COLLECTION).run([DATA / "ecom_store" / "policy_zh.md"], "policy")
    components.engine.dispose()
    report, _ = ingest_demo(tmp_path, "--shop", "retail", "--dry-run")
    assert report["dry_run"] and report["deleted"] == 1 and report["added"] == 2 + 1 + 19


@pytest.mark.parametrize(
    ("query", "kinds", "audience", "expected"),
    [
        ("Can I cancel an order that is still pending?", ["policy"], None, "data/retail/policy.md"),
        ("Can I cancel an order that is still pending?", ["policy"], "customer", "data/retail/help_centre.md"),
        ("待处理的订单可以取消吗？", None, "customer", "data/retail/help_centre_zh.md"),
        ("Can I pay with a gift card?", None, "customer", "data/retail/help_centre.md"),
        ("The customer wants to undo the cancellation of an order", ["ticket"], None, "ticket-001"),
    ],
)
def test_expected_document_comes_back(
    demo_components: Components, query: str, kinds: list[str] | None, audience: str | None, expected: str
) -> None:
    hits = Retriever(demo_components, RETAIL_COLLECTION).search(query, k=3, kinds=kinds, max_per_document=1, audience=audience)  # type: ignore[arg-type]
    assert expected in [hit.document_id for hit in hits]


@pytest.mark.parametrize(
    ("query", "kinds", "expected"),
    [
        ("JSQ30-MK6燃气热水器无法点火怎么办", ["product"], "100040350131"),
        ("冰魔方净水器能制冰吗", None, "100138589935"),
        ("执行订单变更前需要用户确认吗", ["policy"], "data/ecom_store/policy_zh.md"),
    ],
)
def test_expected_document_of_the_chinese_shop_comes_back(
    ecom_components: Components, query: str, kinds: list[str] | None, expected: str
) -> None:
    hits = Retriever(ecom_components, ECOM_COLLECTION).search(query, k=3, kinds=kinds, max_per_document=1)
    assert expected in [hit.document_id for hit in hits]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_every_mode_returns_well_formed_hits(ecom_components: Components, mode: str) -> None:
    hits = Retriever(ecom_components, ECOM_COLLECTION).search("热水器漏水怎么处理", k=5, kinds=["product"], mode=mode)  # type: ignore[arg-type]
    assert len(hits) == 5
    assert all(hit.kind == "product" and hit.language == "zh" and hit.source == "data/ecom_store/products.json" for hit in hits)
    assert all(0.0 <= hit.score <= 1.0 for hit in hits)
    if mode != "hybrid":  # one ranking: its first hit is first everywhere
        assert hits[0].score == pytest.approx(1.0)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert all(hit.title and hit.text and hit.chunk_id.startswith(hit.document_id + "#") for hit in hits)


def test_dense_score_is_the_cosine_similarity_of_query_and_chunk(demo_components: Components) -> None:
    query = "How long does a refund to a gift card take?"
    hits = Retriever(demo_components, RETAIL_COLLECTION).search(query, k=3, mode="keyword")
    assert len(hits) == 3
    vectors = open_collection(demo_components, RETAIL_COLLECTION).embeddings_of([hit.chunk_id for hit in hits])
    query_vector = demo_components.embedder().embed([query])[0]
    for hit in hits:
        assert hit.dense_score == pytest.approx(float(np.dot(vectors[hit.chunk_id], query_vector)), abs=1e-4)
        assert hit.keyword_score > 0


def test_unrelated_questions_score_lower_than_answerable_ones(ecom_components: Components) -> None:
    retriever = Retriever(ecom_components, ECOM_COLLECTION)
    answerable = retriever.search("燃气热水器点火失败怎么办", k=1, kinds=["product"])[0].dense_score
    unrelated = max(hit.dense_score for hit in retriever.search("帮我写一首关于春天的诗", k=3, kinds=["product"]))
    assert answerable > unrelated
