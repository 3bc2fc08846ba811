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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

from assistant.retrieval.collection import KnowledgeCollection, fingerprint_of, indexed_text
from assistant.retrieval.tokenize import tokenize

logger = logging.getLogger(__name__)
CACHE_VERSION = 1


@dataclass
class KeywordIndex:
    """BM25 over the chunks of one collection, with their metadata and texts for building hits."""

    fingerprint: str
    ids: list[str]
    metadatas: list[dict[str, Any]]
    texts: list[str]
    _bm25: BM25Okapi | None

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
        bm25 = BM25Okapi(tokens) if ids and any(tokens) else None
        return cls(fingerprint=fingerprint, ids=ids, metadatas=metadatas, texts=texts, _bm25=bm25)

    def search(self, query: str, n: int, kinds: list[str] | None = None) -> list[tuple[int, float]]:
        """(row, BM25 score) of the best `n` chunks with a positive score, best first."""
        if self._bm25 is None:
            return []
        query_tokens = tokenize(query)
        if not query_tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float64)
        if kinds is not None:
            allowed = np.fromiter((meta.get("kind") in kinds for meta in self.metadatas), dtype=bool, count=len(self.ids))
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(int(row), float(scores[row])) for row in order if scores[row] > 0.0]


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
