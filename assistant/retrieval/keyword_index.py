"""The BM25 keyword index, derived from the Chroma collection and cached on disk by the collection's fingerprint.

Why derived instead of kept as a second store: an index written beside Chroma
must be kept in step across incremental runs, `--prune` and kill -9, which
needs a two-store commit protocol. Rebuilding it from the chunk texts stored
in Chroma makes that impossible to get wrong: whatever the collection holds is
what the index holds. The cost is tokenising every chunk once per change of
the collection (jieba, ~a second per thousand chunks); the tokens are cached
in a file named by the fingerprint (a digest of every chunk id and content
hash), so a restart or another process reuses them, and a changed collection
can never be served a stale file.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rank_bm25 import BM25Okapi
from scipy.sparse import csr_matrix

from assistant.retrieval.audience import Audience, audience_of
from assistant.retrieval.collection import KnowledgeCollection, fingerprint_of, indexed_text, open_collection
from assistant.retrieval.tokenize import tokenize

if TYPE_CHECKING:
    from assistant.components.container import Components
    from assistant.settings import Settings

logger = logging.getLogger(__name__)
CACHE_VERSION = 2  # 2: model-number parts also joined (tokenize.py)


@dataclass
class KeywordIndex:
    """BM25 over the chunks of one collection, with their metadata and texts for building hits."""

    fingerprint: str
    ids: list[str]
    metadatas: list[dict[str, Any]]
    texts: list[str]
    _weights: _Weights | None
    # BM25 over document titles, one row per document (the row of its first chunk in the lists above).
    _title_rows: list[int] = field(default_factory=list)
    _title_weights: _Weights | None = None

    @classmethod
    def build(cls, collection: KnowledgeCollection, cache_dir: Path | None) -> KeywordIndex:
        """Load the cached tokens for the collection's current content, or tokenise it afresh."""
        ids, metadatas, texts = collection.all_chunks()
        fingerprint = fingerprint_of(ids, metadatas)
        tokens = _read_cache(cache_dir, collection.name, fingerprint, ids)
        if tokens is None:
            tokens = [tokenize(indexed_text(meta, text)) for meta, text in zip(metadatas, texts, strict=True)]
            _write_cache(cache_dir, collection.name, fingerprint, ids, tokens)
        # BM25Okapi divides by the corpus size; an empty collection simply has no keyword hits.
        weights = _Weights.of(BM25Okapi(tokens)) if ids and any(tokens) else None
        first_rows: dict[str, int] = {}
        for row, metadata in enumerate(metadatas):
            first_rows.setdefault(str(metadata.get("document_id", "")), row)
        title_rows = list(first_rows.values())
        title_tokens = [tokenize(str(metadatas[row].get("title", ""))) for row in title_rows]
        title_weights = _Weights.of(BM25Okapi(title_tokens)) if any(title_tokens) else None
        return cls(fingerprint=fingerprint, ids=ids, metadatas=metadatas, texts=texts, _weights=weights,
                   _title_rows=title_rows, _title_weights=title_weights)  # fmt: skip

    def search_titles(
        self, query: str, n: int, kinds: list[str] | None = None, skip: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[str]:
        """Ids of the `n` documents whose titles match the query best (BM25 over titles alone), best first;
        documents whose first chunk's metadata `skip` holds for are left out."""
        if self._title_weights is None:
            return []
        scores = self._title_weights.scores(tokenize(query))
        if scores is None:
            return []
        order = np.argsort(-scores, kind="stable")
        found = []
        for position in order:
            if scores[position] <= 0.0 or len(found) == n:
                break
            metadata = self.metadatas[self._title_rows[position]]
            if (kinds is None or metadata.get("kind") in kinds) and not (skip and skip(metadata)):
                found.append(str(metadata.get("document_id", "")))
        return found

    def search(
        self, query: str, n: int, kinds: list[str] | None = None, audience: Audience | None = None
    ) -> list[tuple[int, float]]:
        """(row, BM25 score) of the best `n` chunks with a positive score (of these kinds and audience), best first."""
        if self._weights is None:
            return []
        scores = self._weights.scores(tokenize(query))
        if scores is None:
            return []
        if kinds is not None:
            allowed = np.fromiter((meta.get("kind") in kinds for meta in self.metadatas), dtype=bool, count=len(self.ids))
            scores = np.where(allowed, scores, 0.0)
        if audience is not None:
            allowed = np.fromiter((audience_of(meta) == audience for meta in self.metadatas), dtype=bool, count=len(self.ids))
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(int(row), float(scores[row])) for row in order if scores[row] > 0.0]


def cache_dir_of(settings: Settings) -> Path:
    return settings.knowledge.keyword_cache_dir or settings.data_dir / "keyword_index"


def refresh_keyword_cache(components: Components, collection: str | None = None) -> int:
    """Build and cache the keyword index of the collection now, so the first search after an ingestion
    does not pay for tokenising every chunk. Returns the number of chunks indexed."""
    index = KeywordIndex.build(open_collection(components, collection), cache_dir_of(components.settings))
    return len(index.ids)


@dataclass
class _Weights:
    """rank-bm25's Okapi statistics (idf with its epsilon floor, lengths) as one sparse chunk × term matrix.

    BM25Okapi.get_scores walks every chunk's term dictionary in Python for every query token
    (~0.3 s for a long query over 1,500 chunks); the same sum as a sparse matrix-vector product
    takes milliseconds and gives the same scores.
    """

    vocabulary: dict[str, int]
    matrix: csr_matrix

    @classmethod
    def of(cls, bm25: BM25Okapi) -> _Weights:
        vocabulary = {term: column for column, term in enumerate(bm25.idf)}
        rows, columns, values = [], [], []
        for row, (frequencies, length) in enumerate(zip(bm25.doc_freqs, bm25.doc_len, strict=True)):
            norm = bm25.k1 * (1 - bm25.b + bm25.b * length / bm25.avgdl)
            for term, count in frequencies.items():
                rows.append(row)
                columns.append(vocabulary[term])
                values.append(bm25.idf[term] * count * (bm25.k1 + 1) / (count + norm))
        matrix = csr_matrix((values, (rows, columns)), shape=(len(bm25.doc_freqs), len(vocabulary)), dtype=np.float64)
        return cls(vocabulary=vocabulary, matrix=matrix)

    def scores(self, query_tokens: list[str]) -> np.ndarray | None:
        counts = Counter(self.vocabulary[token] for token in query_tokens if token in self.vocabulary)
        if not counts:
            return None
        query = np.zeros(len(self.vocabulary), dtype=np.float64)
        for column, count in counts.items():
            query[column] = count
        return np.asarray(self.matrix @ query, dtype=np.float64)


def _cache_file(cache_dir: Path, collection: str) -> Path:
    return cache_dir / f"{collection}.bm25.json"


def _read_cache(cache_dir: Path | None, collection: str, fingerprint: str, ids: list[str]) -> list[list[str]] | None:
    if cache_dir is None:
        return None
    path = _cache_file(cache_dir, collection)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("keyword index cache %s unreadable (%s); rebuilding it", path, exc)
        return None
    if data.get("version") != CACHE_VERSION or data.get("fingerprint") != fingerprint:
        return None
    by_id = dict(zip(data["ids"], data["tokens"], strict=True))
    if set(by_id) != set(ids):
        return None
    return [by_id[chunk_id] for chunk_id in ids]


def _write_cache(cache_dir: Path | None, collection: str, fingerprint: str, ids: list[str], tokens: list[list[str]]) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = _cache_file(cache_dir, collection)
    payload = {"version": CACHE_VERSION, "fingerprint": fingerprint, "ids": ids, "tokens": tokens}
    # Written to a temporary file and renamed, so a reader (or a kill) never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, ensure_ascii=False)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
