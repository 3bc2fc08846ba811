"""The vector store on Chroma, embedded on disk or a server, chosen by settings.

The only module that imports chromadb. Chroma is never given an embedding
function: every write and query carries vectors we computed (texts without one
are embedded with the store's `Embed`). Why not hand Chroma our embedder as an
`EmbeddingFunction`: chunks are embedded as `indexed_text` (title and headings
before the text), not as the stored text, so Chroma's own embedding could
never be used, and Chroma's default one downloads a model on first use and
would fail offline. chromadb is imported inside the functions: importing it
costs about a second that a process never touching the store should not pay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.components.vector_store.store import (
    Embed,
    Field,
    Filter,
    Metadata,
    QueryHit,
    StoredChunk,
    VectorCollection,
    VectorStore,
    check_chunks,
    check_fields,
)
from assistant.errors import BadInputError, NotFoundError
from assistant.settings import VectorStoreSettings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

_INCLUDE = {"text": "documents", "metadata": "metadatas", "embedding": "embeddings"}


def build_vector_store(settings: VectorStoreSettings, embed: Embed | None = None) -> VectorStore:
    """The configured store; `embed` embeds texts written or queried without vectors (None: vectors required)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    match settings.provider:
        case "chroma_embedded":
            settings.path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(settings.path), settings=chroma_settings)
        case "chroma_server":
            client = chromadb.HttpClient(host=settings.host, port=settings.port, settings=chroma_settings)
    return ChromaVectorStore(client, embed)


class ChromaVectorStore(VectorStore):
    def __init__(self, client: ClientAPI, embed: Embed | None = None) -> None:
        self._client = client
        self._embed = embed

    def collection(self, name: str, *, create: bool = False, metadata: Metadata | None = None) -> VectorCollection:
        from chromadb.errors import NotFoundError as ChromaNotFoundError

        with _refused_as_bad_input():
            if create:
                collection = self._client.get_or_create_collection(
                    name,
                    embedding_function=None,
                    metadata=dict(metadata or {}) or None,
                    configuration={"hnsw": {"space": "cosine"}},
                )
            else:
                try:
                    collection = self._client.get_collection(name, embedding_function=None)
                except ChromaNotFoundError as exc:
                    raise NotFoundError(f"the vector store has no collection {name!r}") from exc
        return ChromaCollection(collection, self._embed, self._client.get_max_batch_size())

    def collection_names(self) -> list[str]:
        return [collection.name for collection in self._client.list_collections()]

    def heartbeat(self) -> None:
        self._client.heartbeat()


class ChromaCollection(VectorCollection):
    def __init__(self, collection: Collection, embed: Embed | None, max_batch: int) -> None:
        self._collection = collection
        self._embed = embed
        self._max_batch = max_batch

    @property
    def name(self) -> str:
        return str(self._collection.name)

    @property
    def metadata(self) -> Metadata:
        return dict(self._collection.metadata or {})  # type: ignore[arg-type]

    def upsert(
        self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[Metadata], embeddings: np.ndarray | None = None
    ) -> None:
        check_chunks(ids, texts, metadatas, embeddings)
        if not ids:
            return
        vectors = embeddings if embeddings is not None else self._embedded(list(texts))
        for start in range(0, len(ids), self._max_batch):  # Chroma refuses a write above its batch limit
            end = start + self._max_batch
            with _refused_as_bad_input():
                self._collection.upsert(
                    ids=list(ids[start:end]),
                    embeddings=vectors[start:end],
                    documents=list(texts[start:end]),
                    # Chroma refuses an empty metadata dict but takes None for "no metadata".
                    metadatas=[dict(metadata) or None for metadata in metadatas[start:end]],  # type: ignore[misc]
                )

    def delete(self, ids: Sequence[str] | None = None, filter: Filter | None = None) -> None:
        if (ids is None) == (filter is None):
            raise BadInputError("delete takes chunk ids or a filter, exactly one (nothing is deleted by default)")
        if ids is not None:
            if isinstance(ids, str):
                raise BadInputError("delete takes a list of chunk ids, not one string")
            for start in range(0, len(ids), self._max_batch):
                self._collection.delete(ids=list(ids[start : start + self._max_batch]))
        else:
            self._collection.delete(where=_where(filter))

    def query(
        self, *, text: str | None = None, embedding: np.ndarray | None = None, k: int, filter: Filter | None = None
    ) -> list[QueryHit]:
        if (text is None) == (embedding is None):
            raise BadInputError("a query takes a text or an embedding, exactly one")
        if k < 1:
            raise BadInputError(f"k must be at least 1, not {k}")
        vector = np.asarray(embedding) if embedding is not None else self._embedded([str(text)])[0]
        if vector.ndim != 1:
            raise BadInputError(f"a query embedding is one vector, not an array of shape {vector.shape}")
        count = self._collection.count()
        if count == 0:
            return []
        with _refused_as_bad_input():
            result = self._collection.query(
                query_embeddings=[vector.tolist()],
                n_results=min(k, count),
                where=_where(filter),
                include=["metadatas", "documents", "distances"],  # type: ignore[list-item]
            )
        # Asked for with `include`, so present; Chroma types them as optional.
        metadatas, documents, distances = result["metadatas"] or [[]], result["documents"] or [[]], result["distances"] or [[]]
        rows = zip(result["ids"][0], metadatas[0], documents[0], distances[0], strict=True)
        # Chroma's cosine distance is 1 - cosine similarity.
        return [
            QueryHit(id=chunk_id, text=document or "", metadata=dict(metadata or {}), score=1.0 - float(distance))  # type: ignore[arg-type]
            for chunk_id, metadata, document, distance in rows
        ]

    def get(self, ids: Sequence[str], fields: Sequence[Field] = ("text", "metadata")) -> list[StoredChunk]:
        check_fields(fields)
        if isinstance(ids, str):
            raise BadInputError("get takes a list of chunk ids, not one string")
        if not ids:
            return []
        found = {chunk.id: chunk for chunk in self._chunks(self._collection.get(ids=list(ids), include=_include(fields)))}
        return [found[chunk_id] for chunk_id in ids if chunk_id in found]

    def scan(
        self, filter: Filter | None = None, fields: Sequence[Field] = ("text", "metadata"), page_size: int = 5000
    ) -> Iterator[StoredChunk]:
        check_fields(fields)
        if page_size < 1:
            raise BadInputError(f"page_size must be at least 1, not {page_size}")
        where, include = _where(filter), _include(fields)
        offset = 0
        while True:
            page = self._collection.get(where=where, include=include, limit=page_size, offset=offset)
            yield from self._chunks(page)
            if len(page["ids"]) < page_size:
                return
            offset += page_size

    def count(self, filter: Filter | None = None) -> int:
        if filter is None:
            return int(self._collection.count())
        return len(self._collection.get(where=_where(filter), include=[])["ids"])

    def _embedded(self, texts: list[str]) -> np.ndarray:
        if self._embed is None:
            raise BadInputError("this vector store has no embedder: pass the embeddings")
        return self._embed(texts)

    @staticmethod
    def _chunks(result: Any) -> Iterator[StoredChunk]:
        count = len(result["ids"])
        documents = result.get("documents") or [""] * count
        metadatas = result.get("metadatas") or [{}] * count
        embeddings = result.get("embeddings")
        vectors = [None] * count if embeddings is None else [np.asarray(row, dtype=np.float32) for row in embeddings]
        for chunk_id, text, metadata, vector in zip(result["ids"], documents, metadatas, vectors, strict=True):
            yield StoredChunk(id=chunk_id, text=text or "", metadata=dict(metadata or {}), embedding=vector)


@contextmanager
def _refused_as_bad_input() -> Iterator[None]:
    """Chroma's refusals of what it was given (a bad collection name, a vector of the wrong size) as BadInputError."""
    from chromadb.errors import InvalidArgumentError

    try:
        yield
    except InvalidArgumentError as exc:
        raise BadInputError(f"the vector store refused it: {exc}") from exc


def _include(fields: Sequence[Field]) -> Any:
    return [_INCLUDE[name] for name in fields]


def _where(filter: Filter | None) -> Any:
    """Our filter as a Chroma `where`: one condition as it is, several under `$and`."""
    if filter is None:
        return None
    conditions: list[dict[str, Any]] = [{name: {"$eq": value}} for name, value in filter.equals.items()]
    conditions += [{name: {"$in": list(values)}} for name, values in filter.within.items()]
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}
