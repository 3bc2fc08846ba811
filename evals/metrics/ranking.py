"""Ranking metrics over one query: a ranked list of ids and the set of gold (relevant) ids.

Relevance is binary (an id is gold or not); duplicates in the ranking count once, at their best rank.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence


def _dedup(ranked: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    return [item for item in ranked if not (item in seen or seen.add(item))]  # type: ignore[func-returns-value]


def recall_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the gold ids found in the first k results."""
    if not gold:
        raise ValueError("recall needs at least one gold id")
    return len(set(_dedup(ranked)[:k]) & set(gold)) / len(set(gold))


def hit_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """1.0 when any gold id is in the first k results."""
    return float(bool(set(_dedup(ranked)[:k]) & set(gold)))


def reciprocal_rank(ranked: Sequence[str], gold: Collection[str], k: int | None = None) -> float:
    """1/rank of the first gold id (within the first k when given), 0 when none."""
    for rank, item in enumerate(_dedup(ranked)[:k], start=1):
        if item in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain with binary gains: DCG = sum 1/log2(rank+1) over gold hits."""
    if not gold:
        raise ValueError("nDCG needs at least one gold id")
    dcg = sum(1.0 / math.log2(rank + 1) for rank, item in enumerate(_dedup(ranked)[:k], start=1) if item in gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(set(gold))) + 1))
    return dcg / ideal
