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
    if spec is ERROR_RATE:
        values: list[float | None] = [0.0 if r.ok else 1.0 for r in records]
    elif spec is SECONDS:
        values = [r.seconds for r in records]
    elif spec.statistic is not None:
        usable = [r for r in records if r.ok and (spec.per_case is None or r.scores.get(spec.per_case) is not None)]
        value, low, high = statistic_ci(usable, spec.statistic)  # type: ignore[arg-type]
        return MetricValue(
            value=_none_if_nan(value), low=_none_if_nan(low), high=_none_if_nan(high), n=len(usable),
            missing=len(records) - len(usable), higher_is_better=spec.higher_is_better,
        )  # fmt: skip
    else:
        values = spec.case_values(records)
    counted = [v for v in values if v is not None]
    value, low, high = mean_ci(counted)
    return MetricValue(
        value=_none_if_nan(value), low=_none_if_nan(low), high=_none_if_nan(high), n=len(counted),
        missing=len(records) - len(counted), higher_is_better=spec.higher_is_better,
    )  # fmt: skip


def all_specs(suite_specs: Sequence[MetricSpec]) -> list[MetricSpec]:
    return [*suite_specs, ERROR_RATE, SECONDS]


def aggregate(specs: Sequence[MetricSpec], records: Sequence[CaseRecord]) -> dict[str, MetricValue]:
    return {spec.name: metric_value(spec, records) for spec in all_specs(specs)}
