"""The knowledge collection in Chroma: opened with our embeddings, checked against the configured model.

The chunk texts (Chroma's `documents` field) and their metadata are the single
source of truth: the ingestion manifest (which documents are stored, with which
content hash) and the keyword index are both derived from them, so nothing
else has to be kept in step by hand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.errors import NotFoundError as ChromaNotFoundError

from assistant.components.embedding.embedder import Embedder
from assistant.errors import EmbeddingModelMismatchError, NotFoundError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from assistant.components.container import Components

MODEL_KEY = "embedding_model"
# Metadata every chunk carries (Chroma metadata values are scalars, so the heading path is joined).
CHUNK_FIELDS = (
    "document_id",
    "chunk_index",
    "chunk_count",
    "doc_hash",
    "content_hash",
    "title",
    "heading_path",
    "kind",
    "language",
    "source",
    "source_path",
)
HEADING_SEPARATOR = " > "


def indexed_text(metadata: dict[str, Any], text: str) -> str:
    """What a chunk is embedded and keyword-indexed as: title and heading path give context its text may lack."""
    head = HEADING_SEPARATOR.join(str(part) for part in (metadata.get("title"), metadata.get("heading_path")) if part)
    return f"{head}\n{text}" if head else text


class ProjectEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our Embedder, so a collection never falls back to Chroma's downloading default."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's protocol names it `input`
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "shop-assistant-embedder"

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self._embedder.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        # Chroma rebuilds stored embedding functions when a collection is opened; ours comes from the
        # settings and is always passed in, so what it rebuilds here is only a placeholder.
        return _Unbound(str(config.get("model_id", "")))

    def is_legacy(self) -> bool:
        return False


@dataclass
class KnowledgeCollection:
    """A Chroma collection of chunks, known to have been made by `model_id`."""

    collection: Collection
    model_id: str

    @property
    def name(self) -> str:
        return str(self.collection.name)

    def count(self) -> int:
        return int(self.collection.count())

    def all_metadata(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Ids and metadata of every chunk (the ingestion manifest)."""
        result = self.collection.get(include=["metadatas"])
        return list(result["ids"]), [dict(m or {}) for m in result["metadatas"] or []]

    def all_chunks(self) -> tuple[list[str], list[dict[str, Any]], list[str]]:
        """Ids, metadata and texts of every chunk (what the keyword index is built from)."""
        result = self.collection.get(include=["metadatas", "documents"])
        metadatas = [dict(m or {}) for m in result["metadatas"] or []]
        return list(result["ids"]), metadatas, [d or "" for d in result["documents"] or []]

    def fingerprint(self) -> str:
        """A digest of the exact chunk set (ids and content hashes): equal fingerprints, equal collections."""
        ids, metadatas = self.all_metadata()
        return fingerprint_of(ids, metadatas)

    def embeddings_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        result = self.collection.get(ids=ids, include=["embeddings"])
        vectors = result["embeddings"] if result["embeddings"] is not None else []
        return {chunk_id: np.asarray(vector, dtype=np.float32) for chunk_id, vector in zip(result["ids"], vectors, strict=True)}


def fingerprint_of(ids: list[str], metadatas: list[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for chunk_id, metadata in sorted(zip(ids, metadatas, strict=True), key=lambda pair: pair[0]):
        digest.update(f"{chunk_id}\x00{metadata.get('content_hash', '')}\x00".encode())
    return digest.hexdigest()


def collection_name(components: Components, collection: str | None) -> str:
    return collection or components.settings.vector_store.collection


def open_collection(components: Components, collection: str | None = None, *, create: bool = False) -> KnowledgeCollection:
    """Open (or with `create`, create) the knowledge collection with the configured embedding model.

    Raises EmbeddingModelMismatchError when the collection was filled by another model (its vectors
    would not be comparable with the query's), NotFoundError when it does not exist and `create` is off.
    """
    name = collection_name(components, collection)
    model_id = components.settings.embedding.model_id
    client: ClientAPI = components.chroma()
    embedding_function = _LazyEmbeddingFunction(components)
    if create:
        chroma_collection = client.get_or_create_collection(
            name,
            embedding_function=embedding_function,  # type: ignore[arg-type]
            metadata={MODEL_KEY: model_id},
            configuration={"hnsw": {"space": "cosine"}},
        )
    else:
        try:
            chroma_collection = client.get_collection(name, embedding_function=embedding_function)  # type: ignore[arg-type]
        except ChromaNotFoundError as exc:
            raise NotFoundError(
                f"the knowledge collection {name!r} does not exist yet: run `assistant ingest --demo` "
                "or `assistant ingest PATH --kind ...` first"
            ) from exc
    stored_model = (chroma_collection.metadata or {}).get(MODEL_KEY)
    if stored_model != model_id:
        raise EmbeddingModelMismatchError(
            f"collection {name!r} was built with embedding model {stored_model!r} but {model_id!r} is configured; "
            "set embedding.* back to that model, or ingest into a new collection (vector_store.collection) "
            "with the new one"
        )
    return KnowledgeCollection(collection=chroma_collection, model_id=model_id)


class _LazyEmbeddingFunction(ProjectEmbeddingFunction):
    """Builds the (heavy) embedder only when Chroma really has to embed something."""

    def __init__(self, components: Components) -> None:
        self._components = components

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002
        return list(self._components.embedder().embed(list(input)))

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self._components.settings.embedding.model_id}


class _Unbound(EmbeddingFunction[Documents]):
    def __init__(self, model_id: str) -> None:
        self._model_id = model_id

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002
        raise RuntimeError(f"open the collection through open_collection() to embed with {self._model_id}")

    @staticmethod
    def name() -> str:
        return ProjectEmbeddingFunction.name()

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self._model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return _Unbound(str(config.get("model_id", "")))
