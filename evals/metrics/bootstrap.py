"""Bootstrap confidence intervals: of a mean over cases, and of the paired difference of two runs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20261122


def _clean(values: Sequence[float | None]) -> np.ndarray:
    return np.array([v for v in values if v is not None and not math.isnan(v)], dtype=float)


def mean_ci(
    values: Sequence[float | None], *, confidence: float = 0.95, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
) -> tuple[float, float, float]:
    """(mean, low, high) by the percentile bootstrap; None/NaN values are left out. All NaN when nothing is left."""
    data = _clean(values)
    if data.size == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    return float(data.mean()), float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def paired_difference_ci(
    before: Sequence[float | None],
    after: Sequence[float | None],
    *,
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float, float]:
    """(mean of after - before, low, high) over the cases both runs scored, resampling cases in pairs."""
    if len(before) != len(after):
        raise ValueError("paired values differ in length")
    pairs = [
        (b, a)
        for b, a in zip(before, after, strict=True)
        if b is not None and a is not None and not math.isnan(b) and not math.isnan(a)
    ]
    return mean_ci([a - b for b, a in pairs], confidence=confidence, resamples=resamples, seed=seed)


def statistic_ci(
    items: Sequence[object],
    statistic: Callable[[Sequence[object]], float],
    *,
    confidence: float = 0.95,
    resamples: int = 500,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float, float]:
    """(statistic, low, high) for a statistic that is not a mean (macro F1): cases resampled, the statistic recomputed."""
    if not items:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    samples = [statistic([items[i] for i in rng.integers(0, len(items), size=len(items))]) for _ in range(resamples)]
    tail = (1 - confidence) / 2 * 100
    return float(statistic(items)), float(np.percentile(samples, tail)), float(np.percentile(samples, 100 - tail))


def paired_statistic_ci(
    before: Sequence[object],
    after: Sequence[object],
    statistic: Callable[[Sequence[object]], float],
    *,
    confidence: float = 0.95,
    resamples: int = 500,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float, float]:
    """(statistic(after) - statistic(before), low, high), resampling the same case indices in both runs."""
    if len(before) != len(after):
        raise ValueError("paired items differ in length")
    if not before:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(resamples):
        picked = rng.integers(0, len(before), size=len(before))
        samples.append(statistic([after[i] for i in picked]) - statistic([before[i] for i in picked]))
    tail = (1 - confidence) / 2 * 100
    delta = statistic(after) - statistic(before)
    return float(delta), float(np.percentile(samples, tail)), float(np.percentile(samples, 100 - tail))
