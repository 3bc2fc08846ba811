"""From case records to run-level metrics with bootstrap intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence

from evals.harness.models import CaseRecord, MetricValue
from evals.metrics.bootstrap import mean_ci, statistic_ci
from evals.suites.base import MetricSpec

ERROR_RATE = MetricSpec("error_rate", higher_is_better=False, description="Share of cases that raised.")
SECONDS = MetricSpec("seconds_per_case", higher_is_better=False, description="Mean wall time of a case.")


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


def metric_value(spec: MetricSpec, records: Sequence[CaseRecord]) -> MetricValue:
    """The metric over the cases it applies to: a per-case score applies where the suite recorded it (a banking-only
    score does not apply to product cases); `missing` counts the applicable cases that failed or were not computable."""
    values: list[float | None]
    if spec is ERROR_RATE:
        applicable, values = list(records), [0.0 if r.ok else 1.0 for r in records]
    elif spec is SECONDS:
        applicable, values = list(records), [r.seconds for r in records]
    else:
        key = spec.per_case or spec.name
        applicable = [r for r in records if not r.ok or key in r.scores or spec.statistic is not None and spec.per_case is None]
        if spec.statistic is not None:
            usable = [r for r in applicable if r.ok and (spec.per_case is None or r.scores.get(spec.per_case) is not None)]
            value, low, high = statistic_ci(usable, spec.statistic)  # type: ignore[arg-type]
            return MetricValue(
                value=_none_if_nan(value), low=_none_if_nan(low), high=_none_if_nan(high), n=len(usable),
                missing=len(applicable) - len(usable), higher_is_better=spec.higher_is_better,
            )  # fmt: skip
        values = spec.case_values(applicable)
    counted = [v for v in values if v is not None]
    value, low, high = mean_ci(counted)
    return MetricValue(
        value=_none_if_nan(value), low=_none_if_nan(low), high=_none_if_nan(high), n=len(counted),
        missing=len(applicable) - len(counted), higher_is_better=spec.higher_is_better,
    )  # fmt: skip


def all_specs(suite_specs: Sequence[MetricSpec]) -> list[MetricSpec]:
    return [*suite_specs, ERROR_RATE, SECONDS]


def aggregate(specs: Sequence[MetricSpec], records: Sequence[CaseRecord]) -> dict[str, MetricValue]:
    return {spec.name: metric_value(spec, records) for spec in all_specs(specs)}
