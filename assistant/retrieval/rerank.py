"""The second stage: the first stage's best candidates re-scored by a stronger embedder, fused with its order.

The first stage (BM25 and the light USE encoder, fused) is fast but weak on long, story-like
messages; EmbeddingGemma ranks better (bench/retrieval_bench.py) but embedding every chunk of a
knowledge base with it costs ~28x USE's ingestion. So only the chunks that reach a first stage's
top `rerank_candidates` are embedded with it — document side, once per chunk content, cached in
memory and on disk by content hash — and the query through its query side. The candidates are
then ordered by reciprocal rank fusion of the first stage's order and the new similarity's, so a
chunk both agree on wins (the first stage's keyword matches on names and numbers are kept).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.retrieval.collection import indexed_text
from assistant.retrieval.fusion import reciprocal_rank_fusion

if TYPE_CHECKING:
    from assistant.components.embedding.embedder import Embedder

logger = logging.getLogger(__name__)


class Reranker:
    """Re-scores candidate chunks with `embedder` (built on first use); vectors cached under `cache_file`."""

    def __init__(self, embedder: Callable[[], Embedder], cache_file: Path | None, rrf_k: int, weight: float) -> None:
        self._embedder_factory = embedder
        self._cache_file = cache_file
        self._rrf_k = rrf_k
        self._weight = weight
        self._vectors: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def rerank(
        self, query: str, fused: list[tuple[str, float]], rows: dict[str, tuple[dict[str, Any], str]], candidates: int
    ) -> tuple[list[tuple[str, float]], dict[str, float]]:
        """(`fused` with its first `candidates` reordered, the new similarity of each of them)."""
        head, tail = fused[:candidates], fused[candidates:]
        if len(head) < 2:
            return fused, {}
        embedder = self._embedder_factory()
        texts = {chunk_id: indexed_text(rows[chunk_id][0], rows[chunk_id][1]) for chunk_id, _ in head}
        # By content, not id: an unchanged chunk keeps its vector across re-ingestion, a changed one gets a new one.
        keys = {chunk_id: hashlib.sha256(texts[chunk_id].encode()).hexdigest()[:32] for chunk_id in texts}
        vectors = self._document_vectors(embedder, {keys[chunk_id]: texts[chunk_id] for chunk_id in texts})
        query_vector = embedder.embed_queries([query])[0]
        similarity = {chunk_id: float(vectors[keys[chunk_id]] @ query_vector) for chunk_id, _ in head}
        by_similarity = sorted(similarity, key=lambda chunk_id: -similarity[chunk_id])
        first = [chunk_id for chunk_id, _ in head]
        reordered = reciprocal_rank_fusion([first, by_similarity], self._rrf_k, [1.0, self._weight])
        # Scores stay in [0, 1] and below the untouched tail's first stage scores' meaning: the tail keeps its own.
        return reordered + tail, similarity

    def _document_vectors(self, embedder: Embedder, texts: dict[str, str]) -> dict[str, np.ndarray]:
        with self._lock:
            if self._vectors is None:
                self._vectors = _read(self._cache_file)
            missing = [key for key in texts if key not in self._vectors]
            if missing:
                for key, vector in zip(missing, embedder.embed([texts[key] for key in missing]), strict=True):
                    self._vectors[key] = vector
                _write(self._cache_file, self._vectors)
            return {key: self._vectors[key] for key in texts}


def _read(path: Path | None) -> dict[str, np.ndarray]:
    if path is None or not path.exists():
        return {}
    try:
        with np.load(path) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    except (OSError, ValueError, KeyError) as exc:
        logger.warning("rerank vector cache %s unreadable (%s); starting afresh", path, exc)
        return {}


def _write(path: Path | None, vectors: dict[str, np.ndarray]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            np.savez(handle, keys=np.array(list(vectors)), vectors=np.vstack(list(vectors.values())))
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
