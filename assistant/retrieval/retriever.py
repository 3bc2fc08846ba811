"""Search over the knowledge collection: dense (vector store), keyword (BM25) or both fused by reciprocal rank."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.components.vector_store.store import Filter
from assistant.errors import BadInputError, NotFoundError
from assistant.retrieval.audience import FIELD, Audience, audience_of, kinds_defaulting_to
from assistant.retrieval.collection import HEADING_SEPARATOR, KnowledgeCollection, collection_name, open_collection
from assistant.retrieval.corrections import CorrectionIndex, corrections_root, is_correction
from assistant.retrieval.focus import focus
from assistant.retrieval.fusion import reciprocal_rank_fusion, with_document_ranking
from assistant.retrieval.keyword_index import KeywordIndex, cache_dir_of
from assistant.retrieval.rerank import Reranker

if TYPE_CHECKING:
    from assistant.components.container import Components

logger = logging.getLogger(__name__)
Mode = Literal["hybrid", "dense", "keyword"]


class Hit(BaseModel):
    """One retrieved chunk, with what a citation needs.

    `score` is the fused rank score in [0, 1]: the reciprocal-rank-fusion sum of the hit divided by
    the best sum possible, so 1.0 means "ranked first by every retriever used" (in `dense` or `keyword`
    mode, by that one). It orders hits within one result list but says nothing absolute; for a
    "the knowledge base has nothing relevant" decision threshold `dense_score` instead.
    """

    chunk_id: str
    document_id: str
    title: str
    heading_path: list[str] = Field(description="Headings from the document's top down to this chunk.")
    kind: str = Field(description="product, policy or ticket.")
    audience: Audience = Field(description="customer (may be quoted to a customer) or internal (agent-facing).")
    language: str = Field(description="zh or en (by the chunk's script).")
    source: str = Field(description="File the chunk came from.")
    text: str
    score: float = Field(ge=0.0, le=1.0, description="Fused rank score, 1.0 = first everywhere.")
    dense_score: float = Field(
        ge=-1.0, le=1.0, description="Cosine similarity of the query and the chunk embeddings, whatever the mode."
    )
    keyword_score: float = Field(ge=0.0, description="BM25 score of the chunk for the query (0 when no term matches).")


class Retriever:
    """The knowledge-base search the agent calls. Opens the collection on first use and follows its changes."""

    def __init__(self, components: Components, collection: str | None = None) -> None:
        self._components = components
        self._name = collection_name(components, collection)
        self._settings = components.settings.knowledge
        self._collection: KnowledgeCollection | None = None
        self._keyword: KeywordIndex | None = None
        self._corrections: CorrectionIndex | None = None  # built with the keyword index, from the same chunks
        self._rerank: Reranker | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @property
    def scores_keywords(self) -> bool:
        """Do hits of a search without a named mode carry BM25 scores (hybrid or keyword mode)?"""
        return self._settings.default_mode in ("hybrid", "keyword")

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        kinds: list[str] | None = None,
        mode: Mode | None = None,
        max_per_document: int | None = None,
        audience: Audience | None = None,
    ) -> list[Hit]:
        """The `k` best chunks for `query`, best first.

        Args:
            query: What the customer asked (Chinese, English or mixed).
            k: How many hits to return.
            kinds: Only these document kinds (product, policy, ticket); all when None.
            mode: `hybrid` (default from settings knowledge.default_mode), `dense` or `keyword`.
            max_per_document: At most this many chunks of one document, so the hits cover more documents.
            audience: Only chunks written for this audience (`customer` for anything quoted to a customer); all when
                None. A chunk stored without one counts as its kind's default (assistant/retrieval/audience.py).

        An empty knowledge base (never ingested) yields no hits; a collection made by another embedding
        model raises EmbeddingModelMismatchError.
        """
        query = query.strip()
        if not query:
            raise BadInputError("the search query is empty")
        if k < 1:
            raise BadInputError(f"k must be at least 1, not {k}")
        mode = mode or self._settings.default_mode
        collection = self._open()
        if collection is None:
            return []
        # A long message is searched by the sentences that ask something (focus.py): each one a dense query, the
        # hit's dense score its best; their text for keywords and the second stage.
        focused = focus(query, self._settings.focus_min_words) if self._settings.focus_min_words else None
        searched = focused.text if focused else query
        query_vectors = self._components.embedder().embed_queries(focused.queries if focused else [query])
        pool = max(self._settings.candidates, 4 * k if max_per_document else k)
        rows: dict[str, tuple[dict, str]] = {}
        rankings: list[list[str]] = []
        weights: list[float] = []
        dense_scores: dict[str, float] = {}
        keyword_scores: dict[str, float] = {}
        if mode in ("hybrid", "dense"):
            for query_vector in query_vectors:
                self._dense(collection, query_vector, pool, kinds, audience, rows, dense_scores)
            rankings.append(sorted(dense_scores, key=lambda chunk_id: -dense_scores[chunk_id])[:pool])
            weights.append(self._settings.dense_weight)
        if mode in ("hybrid", "keyword"):
            index = self._keyword_index(collection)
            ranking = []
            for row, bm25 in index.search(searched, pool, kinds, audience):
                chunk_id = index.ids[row]
                rows.setdefault(chunk_id, (index.metadatas[row], index.texts[row]))
                keyword_scores[chunk_id] = bm25
                ranking.append(chunk_id)
            rankings.append(ranking)
            weights.append(1.0)
        if mode == "hybrid" and self._settings.title_weight > 0:
            # Titles as a stage of their own: a product's name holds the words that tell it from its siblings
            # (60升 and 80升, X6Max and X6S Max), which its long chunks share with theirs.
            # A correction's title is a customer's question, not a name: it is matched by meaning (corrections.py),
            # and as a name it would match any question sharing a word with it ("gift cards", "gift wrap").
            root = corrections_root(self._components.settings)
            titles = index.search_titles(searched, pool, kinds, skip=lambda metadata: is_correction(metadata, root))
            document_of = {chunk_id: str(rows[chunk_id][0].get("document_id", "")) for chunk_id in rows}
            fused = with_document_ranking(
                rankings, weights, self._settings.rrf_k, document_of, titles, self._settings.title_weight
            )
        else:
            fused = reciprocal_rank_fusion(rankings, self._settings.rrf_k, weights)
        reranker = self._reranker()
        candidates = self._settings.rerank_candidates if reranker else k
        chosen = _cap_per_document(fused, rows, max(k, candidates), max_per_document)
        if reranker is not None:
            chosen = reranker.rerank(searched, chosen, rows, candidates)[0]
        chosen = self._correction_first(collection, query, chosen, rows, kinds, audience)
        chosen = chosen[:k]
        missing = [chunk_id for chunk_id, _ in chosen if chunk_id not in dense_scores]
        for chunk_id, vector in collection.embeddings_of(missing).items():
            dense_scores[chunk_id] = float(np.max(query_vectors @ vector))
        return [_hit(chunk_id, rows[chunk_id], score, dense_scores, keyword_scores) for chunk_id, score in chosen]

    def _open(self) -> KnowledgeCollection | None:
        if self._collection is None:
            try:
                self._collection = open_collection(self._components, self._name)
            except NotFoundError:
                logger.warning("knowledge collection %r does not exist yet: no hits", self._name)
                return None
        return self._collection

    def _reranker(self) -> Reranker | None:
        if self._settings.rerank_model is None:
            return None
        with self._lock:
            if self._rerank is None:
                wanted = self._components.settings.embedding.model_copy(
                    update={"provider": "packaged", "packaged_model": self._settings.rerank_model}
                )
                model_id = wanted.model_id.replace("/", "_").replace(":", "_")
                self._rerank = Reranker(
                    lambda: self._components.packaged_embedder(wanted),
                    self._cache_dir() / f"{self._name}.rerank.{model_id}.npz",
                    self._settings.rrf_k,
                    self._settings.rerank_weight,
                )
            return self._rerank

    def _dense(
        self,
        collection: KnowledgeCollection,
        query_vector: np.ndarray,
        pool: int,
        kinds: list[str] | None,
        audience: Audience | None,
        rows: dict[str, tuple[dict, str]],
        dense_scores: dict[str, float],
    ) -> list[str]:
        """The `pool` nearest chunks, best first; each hit's text in `rows`, its best similarity so far in
        `dense_scores` (several queries keep the best of each chunk's)."""
        kind_filter = {"kind": list(kinds)} if kinds else {}
        if audience is None:
            hits = collection.store.query(embedding=query_vector, k=pool, filter=Filter(within=kind_filter) if kinds else None)
        else:
            hits = collection.store.query(
                embedding=query_vector, k=pool, filter=Filter(equals={FIELD: audience}, within=kind_filter)
            )
            # Chunks stored before the field existed have none, which a store filter cannot ask for: the kinds whose
            # default is this audience are searched too, and only their unmarked chunks kept.
            legacy_kinds = kinds_defaulting_to(audience, kinds)
            if legacy_kinds:
                legacy = collection.store.query(embedding=query_vector, k=pool, filter=Filter(within={"kind": legacy_kinds}))
                unmarked = [hit for hit in legacy if FIELD not in hit.metadata]
                hits = sorted([*hits, *unmarked], key=lambda hit: hit.score, reverse=True)[:pool]
        hits = [hit for hit in hits if audience is None or audience_of(hit.metadata) == audience]
        for hit in hits:
            rows[hit.id] = (dict(hit.metadata), hit.text)
            dense_scores[hit.id] = max(hit.score, dense_scores.get(hit.id, -1.0))
        return [hit.id for hit in hits]

    def _correction_first(
        self,
        collection: KnowledgeCollection,
        query: str,
        fused: list[tuple[str, float]],
        rows: dict[str, tuple[dict, str]],
        kinds: list[str] | None,
        audience: Audience | None,
    ) -> list[tuple[str, float]]:
        """`fused` with the published correction whose question means what the query asks put first (score 1.0),
        when there is one (assistant/retrieval/corrections.py); unchanged otherwise."""
        threshold = self._settings.correction_similarity
        if threshold is None:
            return fused
        index = self._keyword_index(collection)
        corrections = self._corrections
        found = corrections.best(query, threshold, index.metadatas, kinds, audience) if corrections else None
        if found is None:
            return fused
        chunk_id = index.ids[found[0]]
        rows.setdefault(chunk_id, (index.metadatas[found[0]], index.texts[found[0]]))
        return [(chunk_id, 1.0), *((other, score) for other, score in fused if other != chunk_id)]

    def _keyword_index(self, collection: KnowledgeCollection) -> KeywordIndex:
        """The BM25 index of the collection as it is now (re-checked every keyword_refresh_seconds)."""
        with self._lock:
            now = time.monotonic()
            index = self._keyword
            if index is None or now - self._checked_at >= self._settings.keyword_refresh_seconds:
                if index is None or index.fingerprint != collection.fingerprint():
                    index = KeywordIndex.build(collection, self._cache_dir())
                    self._keyword = index
                    self._corrections = None
                if self._corrections is None and self._settings.correction_similarity is not None:
                    self._corrections = CorrectionIndex.build(
                        index.metadatas, self._components.correction_embedder, corrections_root(self._components.settings)
                    )
                self._checked_at = now
            return index

    def _cache_dir(self) -> Path:
        return cache_dir_of(self._components.settings)


def _cap_per_document(
    fused: list[tuple[str, float]], rows: dict[str, tuple[dict, str]], k: int, cap: int | None
) -> list[tuple[str, float]]:
    if cap is None:
        return fused[:k]
    taken: dict[str, int] = {}
    chosen = []
    for chunk_id, score in fused:
        document_id = str(rows[chunk_id][0].get("document_id", ""))
        if taken.get(document_id, 0) < cap:
            taken[document_id] = taken.get(document_id, 0) + 1
            chosen.append((chunk_id, score))
            if len(chosen) == k:
                break
    return chosen


def _hit(
    chunk_id: str, row: tuple[dict, str], score: float, dense_scores: dict[str, float], keyword_scores: dict[str, float]
) -> Hit:
    metadata, text = row
    heading = str(metadata.get("heading_path") or "")
    return Hit(
        chunk_id=chunk_id,
        document_id=str(metadata.get("document_id", "")),
        title=str(metadata.get("title", "")),
        heading_path=heading.split(HEADING_SEPARATOR) if heading else [],
        kind=str(metadata.get("kind", "")),
        audience=audience_of(metadata),
        language=str(metadata.get("language", "")),
        source=str(metadata.get("source", "")),
        text=text,
        score=min(1.0, max(0.0, score)),
        dense_score=min(1.0, max(-1.0, dense_scores.get(chunk_id, 0.0))),
        keyword_score=keyword_scores.get(chunk_id, 0.0),
    )
