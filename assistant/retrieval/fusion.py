"""Reciprocal rank fusion (Cormack et al., 2009), normalised to [0, 1]."""

from __future__ import annotations


def reciprocal_rank_fusion(rankings: list[list[str]], k: int) -> list[tuple[str, float]]:
    """Fuse ranked id lists: each id scores the sum of 1/(k + rank) over the lists it is in (rank from 1).

    The sum is divided by its maximum (first in every list), so 1.0 means ranked first everywhere.
    Ties keep the order of first appearance, which favours the first list given.
    """
    used = [ranking for ranking in rankings if ranking] or rankings
    if not used:
        return []
    best = len(used) / (k + 1)
    scores: dict[str, float] = {}
    for ranking in used:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(((item, score / best) for item, score in scores.items()), key=lambda pair: -pair[1])
