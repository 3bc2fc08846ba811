"""The CI gate: each suite's metrics held to the minimums (or maximums) of a thresholds file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel

from assistant.errors import BadInputError
from evals.harness.models import RunResults

DEFAULT_THRESHOLDS = Path(__file__).parent / "thresholds.toml"


class Threshold(BaseModel):
    minimum: float | None = None
    maximum: float | None = None


class GateCheck(BaseModel):
    suite: str
    run_id: str
    metric: str
    value: float | None
    threshold: Threshold
    passed: bool


def read_thresholds(path: Path) -> dict[str, dict[str, Threshold]]:
    """`[suite]` tables of `metric = minimum` or `metric = { min = .., max = .. }`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInputError(f"thresholds file {path}: {exc}") from exc
    thresholds: dict[str, dict[str, Threshold]] = {}
    for suite, metrics in raw.items():
        if not isinstance(metrics, dict):
            raise BadInputError(f"thresholds file {path}: [{suite}] must be a table of metric thresholds")
        thresholds[suite] = {}
        for metric, value in metrics.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                thresholds[suite][metric] = Threshold(minimum=float(value))
            elif isinstance(value, dict) and set(value) <= {"min", "max"} and value:
                thresholds[suite][metric] = Threshold(minimum=value.get("min"), maximum=value.get("max"))
            else:
                raise BadInputError(f"thresholds file {path}: {suite}.{metric} must be a number or {{min = .., max = ..}}")
    return thresholds


def check(results: RunResults, thresholds: dict[str, dict[str, Threshold]]) -> list[GateCheck]:
    """One check per threshold of the run's suite; a metric the run lacks (or could not compute) fails."""
    suite = results.manifest.options.suite
    checks = []
    for metric, threshold in thresholds.get(suite, {}).items():
        entry = results.metrics.get(metric)
        value = entry.value if entry is not None else None
        passed = value is not None
        if value is not None and threshold.minimum is not None:
            passed &= value >= threshold.minimum
        if value is not None and threshold.maximum is not None:
            passed &= value <= threshold.maximum
        checks.append(
            GateCheck(suite=suite, run_id=results.manifest.run_id, metric=metric, value=value, threshold=threshold, passed=passed)
        )
    return checks
