"""The retrieval step of a turn: search, record what was found, decide whether it is relevant at all."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.conversations.records import Citation, RetrievalRecord, TurnRecord
from assistant.retrieval.audience import Audience

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Hit, Retriever

SNIPPET_CHARS = 240


@dataclass
class Knowledge:
    hits: list[Hit]
    confident: bool

    def citations(self) -> list[Citation]:
        """One citation per document, in rank order."""
        seen: set[str] = set()
        citations = []
        for hit in self.hits:
            if hit.document_id in seen:
                continue
            seen.add(hit.document_id)
            snippet = " ".join(hit.text.split())[:SNIPPET_CHARS]
            citations.append(
                Citation(document_id=hit.document_id, chunk_id=hit.chunk_id, title=hit.title, snippet=snippet, source=hit.source)
            )
        return citations


async def retrieve(
    retriever: Retriever,
    query: str,
    *,
    k: int,
    threshold: float,
    record: TurnRecord,
    kinds: list[str] | None = None,
    audience: Audience | None = None,
) -> Knowledge:
    """Top-k chunks for the query; `confident` is False when even the best is not similar enough to use.

    The decision uses the dense cosine similarity, an absolute measure; the fused
    rank score only orders hits within one list. A hit also needs a keyword of the
    question (a positive BM25 score): a passage related only by meaning ("What tools
    can you call?" near "What we can help you with") is no answer to quote.
    `audience="customer"` for anything a customer reads: internal text (agent
    procedures, tool instructions) never becomes a passage of their answer.
    """
    # The retriever embeds and queries synchronously; keep the event loop free for other conversations.
    hits = await asyncio.to_thread(retriever.search, query, k=k, kinds=kinds, max_per_document=2, audience=audience)
    for rank, hit in enumerate(hits, start=1):
        record.retrievals.append(
            RetrievalRecord(
                query=query, rank=rank, chunk_id=hit.chunk_id, document_id=hit.document_id,
                score=hit.score, dense_score=hit.dense_score,
            )
        )  # fmt: skip
    keywords = retriever.scores_keywords
    relevant = [hit for hit in hits if hit.dense_score >= threshold and (hit.keyword_score > 0 or not keywords)]
    return Knowledge(hits=relevant, confident=bool(relevant))
