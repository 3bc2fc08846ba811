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
