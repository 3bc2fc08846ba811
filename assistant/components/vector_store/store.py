"""The vector store as the rest of the assistant sees it: named collections of chunks, in our own terms.

A chunk is an id, its text, scalar metadata and an embedding. Filters are ours
too (a metadata field equal to a value, or one of several values), so no caller
writes a provider's query syntax; the adapter (`chroma.py`) translates them.
Every collection compares by cosine: a hit's `score` is the cosine similarity
of the query and the chunk embeddings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assistant.errors import BadInputError

Scalar = str | int | float | bool
Metadata = Mapping[str, Scalar]
Field = Literal["text", "metadata", "embedding"]
Embed = Callable[[list[str]], np.ndarray]
"""Texts → one embedding per row: how a store embeds what it was given no embedding for."""


@dataclass(frozen=True)
class Filter:
    """Chunks whose metadata meet every condition: `equals` field == value, `within` field is one of the values."""

    equals: Mapping[str, Scalar] = field(default_factory=dict)
    within: Mapping[str, Sequence[Scalar]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.equals and not self.within:
            raise BadInputError("a filter needs at least one condition (leave the filter out to match everything)")
        for name, values in self.within.items():
            if isinstance(values, str) or not values:
                raise BadInputError(f"filter on {name!r}: `within` needs a non-empty list of values, not {values!r}")
            for value in values:
                _check_scalars({name: value})
        _check_scalars(self.equals)


@dataclass(frozen=True)
class StoredChunk:
    """One stored chunk; a field not asked for (see `Field`) is left empty."""

    id: str
    text: str = ""
    metadata: Metadata = field(default_factory=dict)
    embedding: np.ndarray | None = None


@dataclass(frozen=True)
class QueryHit:
    """One nearest chunk: `score` is the cosine similarity of query and chunk, 1.0 for the same direction."""

    id: str
    text: str
    metadata: Metadata
    score: float


class VectorCollection(ABC):
    """A named collection of chunks. Writes are idempotent by id; reads never return half a chunk."""

    @property
    @abstractmethod
    def name(self) -> str: ...

    @property
    @abstractmethod
    def metadata(self) -> Metadata:
        """What the collection was created with (e.g. the embedding model that filled it)."""

    @abstractmethod
    def upsert(
        self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[Metadata], embeddings: np.ndarray | None = None
    ) -> None:
        """Store the chunks, replacing any of the same id; without `embeddings` the texts are embedded."""

    @abstractmethod
    def delete(self, ids: Sequence[str] | None = None, filter: Filter | None = None) -> None:
        """Remove the chunks with these ids and/or matching `filter`; one of the two is required."""

    @abstractmethod
    def query(
        self, *, text: str | None = None, embedding: np.ndarray | None = None, k: int, filter: Filter | None = None
    ) -> list[QueryHit]:
        """The `k` chunks nearest to `text` (embedded) or `embedding` (give exactly one), nearest first."""

    @abstractmethod
    def get(self, ids: Sequence[str], fields: Sequence[Field] = ("text", "metadata")) -> list[StoredChunk]:
        """The stored chunks among `ids`, in the order of `ids`; unknown ids are left out."""

    @abstractmethod
    def scan(
        self, filter: Filter | None = None, fields: Sequence[Field] = ("text", "metadata"), page_size: int = 5000
    ) -> Iterator[StoredChunk]:
        """Every stored chunk (matching `filter`), read `page_size` at a time, in the store's stable order."""

    @abstractmethod
    def count(self, filter: Filter | None = None) -> int: ...


class VectorStore(ABC):
    """The store: opens collections by name and says whether it answers."""

    @abstractmethod
    def collection(self, name: str, *, create: bool = False, metadata: Metadata | None = None) -> VectorCollection:
        """Open the collection `name`; with `create`, create it (with `metadata`) when missing.

        Raises NotFoundError when it does not exist and `create` is off.
        """

    @abstractmethod
    def collection_names(self) -> list[str]: ...

    @abstractmethod
    def heartbeat(self) -> None:
        """Raise when the store does not answer."""


def check_chunks(ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[Metadata], embeddings: np.ndarray | None) -> None:
    """Raise BadInputError unless the chunks line up one to one, with unique ids and scalar metadata."""
    if isinstance(ids, str) or isinstance(texts, str):
        raise BadInputError("ids and texts are lists of strings, not one string")
    if not len(ids) == len(texts) == len(metadatas):
        raise BadInputError(f"{len(ids)} ids, {len(texts)} texts and {len(metadatas)} metadatas: one of each per chunk")
    if len(set(ids)) != len(ids):
        raise BadInputError("chunk ids repeat within one write")
    if any(not chunk_id for chunk_id in ids):
        raise BadInputError("a chunk id is empty")
    if embeddings is not None and (embeddings.ndim != 2 or embeddings.shape[0] != len(ids)):
        raise BadInputError(f"embeddings of shape {embeddings.shape} for {len(ids)} chunks: one row per chunk")
    for metadata in metadatas:
        _check_scalars(metadata)


def check_fields(fields: Sequence[Field]) -> None:
    unknown = set(fields) - {"text", "metadata", "embedding"}
    if isinstance(fields, str) or unknown:
        raise BadInputError(f"unknown chunk fields {sorted(unknown) or fields!r}: use text, metadata or embedding")


def _check_scalars(values: Mapping[str, object]) -> None:
    for name, value in values.items():
        if not isinstance(value, Scalar):
            raise BadInputError(f"metadata {name!r} is {type(value).__name__}: only str, int, float or bool are stored")
