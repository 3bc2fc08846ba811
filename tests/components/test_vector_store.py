"""The vector-store interface against real embedded Chroma in the test's folder.

Embeddings are small hand-made unit vectors (the embedding model is another
unit's business), except for the text query, which goes through the
configured model the way the assistant's own store does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.components.container import build_components
from assistant.components.vector_store.chroma import build_vector_store
from assistant.components.vector_store.store import Filter, VectorCollection, VectorStore
from assistant.errors import BadInputError, NotFoundError
from assistant.settings import Settings, VectorStoreSettings

IDS = ["a", "b", "c", "d"]
TEXTS = ["refunds go to the card", "shipping takes two days", "kettle warranty", "gift cards"]
METADATAS: list[dict[str, str | int | float | bool]] = [
    {"kind": "policy", "document_id": "refunds", "chunk_index": 0},
    {"kind": "policy", "document_id": "shipping", "chunk_index": 0},
    {"kind": "product", "document_id": "kettle", "chunk_index": 0},
    {"kind": "ticket", "document_id": "gift", "chunk_index": 1},
]


def _unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


VECTORS = np.vstack([_unit(1, 0, 0), _unit(0, 1, 0), _unit(0, 0, 1), _unit(1, 1, 0)])


@pytest.fixture
def store(tmp_path: Path) -> VectorStore:
    return build_vector_store(VectorStoreSettings(path=tmp_path / "chroma"))  # type: ignore[call-arg]


@pytest.fixture
def filled(store: VectorStore) -> VectorCollection:
    collection = store.collection("chunks", create=True, metadata={"embedding_model": "test"})
    collection.upsert(IDS, TEXTS, METADATAS, embeddings=VECTORS)
    return collection


def test_a_missing_collection_is_not_found_until_created(store: VectorStore) -> None:
    with pytest.raises(NotFoundError):
        store.collection("chunks")
    assert store.collection_names() == []
    created = store.collection("chunks", create=True, metadata={"embedding_model": "m1"})
    assert created.count() == 0 and created.metadata == {"embedding_model": "m1"}
    # Opened again (with or without create) it keeps the metadata it was created with.
    assert store.collection("chunks", create=True, metadata={"embedding_model": "m2"}).metadata == {"embedding_model": "m1"}
    assert store.collection("chunks").name == "chunks" and store.collection_names() == ["chunks"]
    store.heartbeat()


def test_upsert_then_get_scan_and_count(filled: VectorCollection) -> None:
    assert filled.count() == 4
    got = filled.get(["c", "missing", "a"], fields=("text", "metadata", "embedding"))
    assert [chunk.id for chunk in got] == ["c", "a"]
    assert got[0].text == "kettle warranty" and got[0].metadata == METADATAS[2]
    assert got[0].embedding is not None and np.allclose(got[0].embedding, VECTORS[2])
    only_text = filled.get(["b"], fields=("text",))[0]
    assert only_text.text == TEXTS[1] and only_text.metadata == {} and only_text.embedding is None

    assert sorted(chunk.id for chunk in filled.scan()) == IDS
    paged = list(filled.scan(page_size=1))
    assert [chunk.id for chunk in paged] == [chunk.id for chunk in filled.scan()]  # same order, page by page
    assert {chunk.id: chunk.text for chunk in paged} == dict(zip(IDS, TEXTS, strict=True))


def test_upsert_replaces_by_id(filled: VectorCollection) -> None:
    filled.upsert(["a"], ["refunds go to the original card"], [{**METADATAS[0], "chunk_index": 5}], embeddings=VECTORS[:1])
    assert filled.count() == 4
    chunk = filled.get(["a"])[0]
    assert chunk.text == "refunds go to the original card" and chunk.metadata["chunk_index"] == 5


def test_query_by_embedding_nearest_first_with_cosine_scores(filled: VectorCollection) -> None:
    hits = filled.query(embedding=_unit(1, 0.2, 0), k=2)
    assert [hit.id for hit in hits] == ["a", "d"]
    assert hits[0].text == TEXTS[0] and hits[0].metadata == METADATAS[0]
    assert hits[0].score == pytest.approx(float(np.dot(_unit(1, 0.2, 0), VECTORS[0])), abs=1e-5)
    assert hits[0].score > hits[1].score
    assert len(filled.query(embedding=_unit(1, 0, 0), k=50)) == 4  # k above the count: everything


def test_filters(filled: VectorCollection) -> None:
    policies = Filter(equals={"kind": "policy"})
    assert filled.count(policies) == 2
    assert {hit.id for hit in filled.query(embedding=_unit(0, 0, 1), k=4, filter=policies)} == {"a", "b"}
    some = Filter(within={"kind": ["product", "ticket"]})
    assert sorted(chunk.id for chunk in filled.scan(some, fields=("metadata",))) == ["c", "d"]
    both = Filter(equals={"kind": "policy"}, within={"document_id": ["shipping", "kettle"]})
    assert [chunk.id for chunk in filled.scan(both)] == ["b"]
    assert filled.count(Filter(equals={"chunk_index": 1})) == 1  # numbers compare as numbers


def test_delete_by_ids_and_by_filter(filled: VectorCollection) -> None:
    filled.delete(ids=["a", "never-stored"])
    filled.delete(ids=[])
    assert sorted(chunk.id for chunk in filled.scan()) == ["b", "c", "d"]
    filled.delete(filter=Filter(within={"kind": ["product", "ticket"]}))
    assert [chunk.id for chunk in filled.scan()] == ["b"]


def test_bad_input_is_refused_with_a_clear_error(store: VectorStore, filled: VectorCollection) -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: filled.upsert(["x", "y"], ["one text"], [{}], embeddings=VECTORS[:1]), "one of each per chunk"),
        (lambda: filled.upsert(["x", "x"], ["t", "u"], [{}, {}], embeddings=VECTORS[:2]), "repeat"),
        (lambda: filled.upsert(["x"], ["t"], [{"tags": ["a"]}], embeddings=VECTORS[:1]), "only str, int, float or bool"),  # type: ignore[dict-item]
        (lambda: filled.upsert(["x"], ["t"], [{}], embeddings=VECTORS[:2]), "one row per chunk"),
        (lambda: filled.upsert(["x"], ["t"], [{}]), "no embedder"),
        (lambda: filled.delete(), "exactly one"),
        (lambda: filled.delete(ids=["a"], filter=Filter(equals={"kind": "policy"})), "exactly one"),
        (lambda: filled.query(k=3), "exactly one"),
        (lambda: filled.query(embedding=VECTORS[0], k=0), "at least 1"),
        (lambda: filled.query(embedding=VECTORS, k=1), "one vector"),
        (lambda: filled.query(embedding=np.ones(5, dtype=np.float32), k=1), "refused it: .*dimension"),
        (lambda: filled.upsert(["x"], ["t"], [{}], embeddings=np.ones((1, 5), dtype=np.float32)), "refused it: .*dimension"),
        (lambda: filled.get(["a"], fields=("texts",)), "unknown chunk fields"),  # type: ignore[arg-type]
        (lambda: store.collection("x", create=True), "refused it: .*name"),
        (lambda: Filter(), "at least one condition"),
        (lambda: Filter(within={"kind": []}), "non-empty list"),
        (lambda: Filter(within={"kind": "policy"}), "non-empty list"),
        (lambda: Filter(within={"kind": [None, "policy"]}), "only str, int, float or bool"),  # type: ignore[list-item]
    ]
    for call, message in cases:
        with pytest.raises(BadInputError, match=message):
            call()
    assert filled.count() == 4  # nothing half-written


def test_the_assistants_store_embeds_texts_with_the_configured_model(make_settings: Callable[..., Settings]) -> None:
    components = build_components(make_settings())
    collection = components.vector_store().collection("texts", create=True)
    collection.upsert(["zh", "en"], ["退货政策", "shipping times"], [{"language": "zh"}, {"language": "en"}])
    assert [hit.id for hit in collection.query(text="多久可以退货", k=1)] == ["zh"]
    assert collection.query(text="how long does delivery take", k=1)[0].id == "en"
