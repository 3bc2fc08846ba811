"""Two runs of one suite side by side: metric deltas with paired bootstrap intervals, and the cases that changed outcome."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from assistant.errors import BadInputError
from evals.harness.aggregate import ERROR_RATE, SECONDS, all_specs
from evals.harness.models import CaseRecord
from evals.harness.store import RunStore
from evals.metrics.bootstrap import paired_difference_ci, paired_statistic_ci
from evals.suites import get_suite


class MetricDelta(BaseModel):
    metric: str
    a: float | None = Field(description="Run A's value over all its cases (as in its results.json).")
    b: float | None
    delta: float | None = Field(description="B - A over the cases both runs have.")
    low: float | None
    high: float | None
    higher_is_better: bool
    verdict: str = Field(description="better / worse (the interval excludes 0), or no clear change.")


class CaseChange(BaseModel):
    case_id: str
    a: str
    b: str


class Comparison(BaseModel):
    suite: str
    run_a: str
    run_b: str
    common_cases: int
    metrics: list[MetricDelta]
    changed: list[CaseChange]
    only_in_a: list[str]
    only_in_b: list[str]


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else value


def compare_runs(store_a: RunStore, store_b: RunStore) -> Comparison:
    manifest_a, manifest_b = store_a.manifest(), store_b.manifest()
    if manifest_a.options.suite != manifest_b.options.suite:
        raise BadInputError(f"runs of different suites: {manifest_a.options.suite} and {manifest_b.options.suite}")
    suite = get_suite(manifest_a.options.suite)
    results_a, results_b = store_a.results(), store_b.results()
    records_a, records_b = store_a.records(), store_b.records()
    common = [case_id for case_id in manifest_a.case_ids if case_id in records_a and case_id in records_b]
    paired_a: list[CaseRecord] = [records_a[case_id] for case_id in common]
    paired_b: list[CaseRecord] = [records_b[case_id] for case_id in common]
    deltas = []
    for spec in all_specs(suite.metrics()):
        if spec is ERROR_RATE:
            delta = paired_difference_ci([0.0 if r.ok else 1.0 for r in paired_a], [0.0 if r.ok else 1.0 for r in paired_b])
        elif spec is SECONDS:
            delta = paired_difference_ci([r.seconds for r in paired_a], [r.seconds for r in paired_b])
        elif spec.statistic is not None:
            # Only the cases both runs could score, so the difference is about the same cases.
            both = [
                i for i, (ra, rb) in enumerate(zip(paired_a, paired_b, strict=True))
                if ra.ok and rb.ok and (spec.per_case is None or (ra.scores.get(spec.per_case) is not None
                                                                   and rb.scores.get(spec.per_case) is not None))
            ]  # fmt: skip
            statistic = spec.statistic
            delta = paired_statistic_ci([paired_a[i] for i in both], [paired_b[i] for i in both], statistic)  # type: ignore[arg-type]
        else:
            delta = paired_difference_ci(spec.case_values(paired_a), spec.case_values(paired_b))
        value, low, high = (_clean(v) for v in delta)
        verdict = "no clear change"
        if low is not None and high is not None and (low > 0 or high < 0):
            verdict = "better" if (low > 0) == spec.higher_is_better else "worse"
        deltas.append(
            MetricDelta(
                metric=spec.name,
                a=results_a.metrics[spec.name].value,
                b=results_b.metrics[spec.name].value,
                delta=value,
                low=low,
                high=high,
                higher_is_better=spec.higher_is_better,
                verdict=verdict,
            )  # fmt: skip
        )
    changed = []
    for ra, rb in zip(paired_a, paired_b, strict=True):
        outcome_a, outcome_b = _outcome(suite, ra), _outcome(suite, rb)
        if outcome_a != outcome_b:
            changed.append(CaseChange(case_id=ra.case_id, a=outcome_a, b=outcome_b))
    return Comparison(
        suite=suite.name, run_a=store_a.run_id, run_b=store_b.run_id, common_cases=len(common), metrics=deltas,
        changed=changed,
        only_in_a=[c for c in manifest_a.case_ids if c in records_a and c not in records_b],
        only_in_b=[c for c in manifest_b.case_ids if c in records_b and c not in records_a],
    )  # fmt: skip


def _outcome(suite: object, record: CaseRecord) -> str:
    if not record.ok:
        return f"error: {record.error}"
    return suite.outcome(record)  # type: ignore[attr-defined, no-any-return]
