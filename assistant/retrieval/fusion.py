"""Weighted reciprocal rank fusion (Cormack et al., 2009), normalised to [0, 1]."""

from __future__ import annotations


def reciprocal_rank_fusion(rankings: list[list[str]], k: int, weights: list[float] | None = None) -> list[tuple[str, float]]:
    """Fuse ranked id lists: an id scores the sum of weight/(k + rank) over the lists it is in (rank from 1).

    The sum is divided by its maximum (first in every non-empty list), so 1.0 means ranked first
    everywhere. Ties keep the order of first appearance, which favours the first list given.
    """
    weights = weights or [1.0] * len(rankings)
    used = [(ranking, weight) for ranking, weight in zip(rankings, weights, strict=True) if ranking]
    if not used:
        return []
    best = sum(weight for _, weight in used) / (k + 1)
    scores: dict[str, float] = {}
    for ranking, weight in used:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(((item, score / best) for item, score in scores.items()), key=lambda pair: -pair[1])


def with_document_ranking(
    rankings: list[list[str]],
    weights: list[float],
    k: int,
    document_of: dict[str, str],
    documents: list[str],
    document_weight: float,
) -> list[tuple[str, float]]:
    """Weighted RRF of chunk rankings, the best chunk of each document in `documents` (a ranking of whole
    documents, such as by title) also scoring `document_weight`/(k + that document's rank). Only the best chunk
    rises, so a well-named document is ranked higher without its other chunks crowding out other documents';
    only chunks some chunk ranking found are returned. Normalised like reciprocal_rank_fusion."""
    used = [(ranking, weight) for ranking, weight in zip(rankings, weights, strict=True) if ranking]
    if not used:
        return []
    document_rank = {document: rank for rank, document in enumerate(documents, start=1)}
    best = (sum(weight for _, weight in used) + (document_weight if documents else 0.0)) / (k + 1)
    scores: dict[str, float] = {}
    for ranking, weight in used:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    best_of: dict[str, str] = {}
    for item, score in scores.items():
        document = document_of.get(item, "")
        if document in document_rank and (document not in best_of or score > scores[best_of[document]]):
            best_of[document] = item
    for document, item in best_of.items():
        scores[item] += document_weight / (k + document_rank[document])
    return sorted(((item, score / best) for item, score in scores.items()), key=lambda pair: -pair[1])
