"""The knowledge collection in the vector store: opened and checked against the configured embedding model.

The chunk texts and their metadata are the single source of truth: the
ingestion manifest (which documents are stored, with which content hash) and
the keyword index are both derived from them, so nothing else has to be kept
in step by hand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.components.vector_store.store import VectorCollection
from assistant.errors import EmbeddingModelMismatchError, NotFoundError

if TYPE_CHECKING:
    from assistant.components.container import Components

MODEL_KEY = "embedding_model"
# Metadata every chunk carries (stored metadata values are scalars, so the heading path is joined).
CHUNK_FIELDS = (
    "document_id",
    "chunk_index",
    "chunk_count",
    "doc_hash",
    "content_hash",
    "title",
    "heading_path",
    "kind",
    "audience",
    "language",
    "source",
    "source_path",
)
HEADING_SEPARATOR = " > "
# The collection of a corpus that belongs to no shop (an evaluation's or a benchmark's own). A shop's knowledge is
# always named: its profile's `collection` (shops/<name>/shop.toml), so two shops never search each other's.
DEFAULT_COLLECTION = "knowledge"


def indexed_text(metadata: dict[str, Any], text: str) -> str:
    """What a chunk is embedded and keyword-indexed as: title and heading path give context its text may lack."""
    head = HEADING_SEPARATOR.join(str(part) for part in (metadata.get("title"), metadata.get("heading_path")) if part)
    return f"{head}\n{text}" if head else text


@dataclass
class KnowledgeCollection:
    """The store's collection of chunks, known to have been made by `model_id`."""

    store: VectorCollection
    model_id: str

    @property
    def name(self) -> str:
        return self.store.name

    def count(self) -> int:
        return self.store.count()

    def all_metadata(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Ids and metadata of every chunk (the ingestion manifest)."""
        chunks = list(self.store.scan(fields=("metadata",)))
        return [chunk.id for chunk in chunks], [dict(chunk.metadata) for chunk in chunks]

    def all_chunks(self) -> tuple[list[str], list[dict[str, Any]], list[str]]:
        """Ids, metadata and texts of every chunk (what the keyword index is built from)."""
        chunks = list(self.store.scan(fields=("metadata", "text")))
        return [chunk.id for chunk in chunks], [dict(chunk.metadata) for chunk in chunks], [chunk.text for chunk in chunks]

    def fingerprint(self) -> str:
        """A digest of the exact chunk set (ids and content hashes): equal fingerprints, equal collections."""
        ids, metadatas = self.all_metadata()
        return fingerprint_of(ids, metadatas)

    def embeddings_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        return {chunk.id: chunk.embedding for chunk in self.store.get(ids, fields=("embedding",)) if chunk.embedding is not None}


def fingerprint_of(ids: list[str], metadatas: list[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for chunk_id, metadata in sorted(zip(ids, metadatas, strict=True), key=lambda pair: pair[0]):
        digest.update(f"{chunk_id}\x00{metadata.get('content_hash', '')}\x00".encode())
    return digest.hexdigest()


def collection_name(components: Components, collection: str | None) -> str:
    return collection or DEFAULT_COLLECTION


def open_collection(components: Components, collection: str | None = None, *, create: bool = False) -> KnowledgeCollection:
    """Open (or with `create`, create) the knowledge collection with the configured embedding model.

    Raises EmbeddingModelMismatchError when the collection was filled by another model (its vectors
    would not be comparable with the query's), NotFoundError when it does not exist and `create` is off.
    """
    name = collection_name(components, collection)
    model_id = components.settings.embedding.model_id
    store = components.vector_store()
    try:
        chunks = store.collection(name, create=create, metadata={MODEL_KEY: model_id})
    except NotFoundError as exc:
        raise NotFoundError(
            f"the knowledge collection {name!r} does not exist yet: run `assistant ingest --demo` "
            "or `assistant ingest PATH --kind ...` first"
        ) from exc
    stored_model = chunks.metadata.get(MODEL_KEY)
    if stored_model != model_id:
        raise EmbeddingModelMismatchError(
            f"collection {name!r} was built with embedding model {stored_model!r} but {model_id!r} is configured; "
            "set embedding.* back to that model, or ingest into a new collection (the shop's `collection` in its "
            "shop.toml) with the new one"
        )
    return KnowledgeCollection(store=chunks, model_id=model_id)
