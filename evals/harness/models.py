"""What a run records: its manifest, one record per case, and the aggregated results."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RunOptions(BaseModel):
    """What the developer asked for; two runs with equal options over equal code and data give equal results."""

    suite: str
    prompt_version: str
    model: str = Field(description="The chat model served (local packaged model name, or the endpoint's model).")
    seed: int = 20261122
    limit: int | None = Field(None, ge=1, description="Run a seeded sample of this many cases (in data-set order).")
    only: list[str] | None = Field(None, description="Run only these case ids (before the sample is drawn).")
    judge: str | None = Field(None, description="The judge model of suites that use one (answers, drafts).")


class Manifest(BaseModel):
    run_id: str
    options: RunOptions
    case_ids: list[str] = Field(description="The selected cases, in data-set order.")
    git_commit: str
    settings_digest: str = Field(description="sha256 of the effective settings (secrets masked).")
    dataset_digest: str = Field(description="sha256 of the selected cases' inputs.")
    created_at: str
    machine: str


class CaseRecord(BaseModel):
    """One finished case: appended to cases.jsonl the moment it finishes."""

    case_id: str
    ok: bool = Field(description="False when running the case raised; `error` says why.")
    error: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    scores: dict[str, float | None] = Field(
        default_factory=dict, description="Per-case metric values; None where the metric could not be computed (NaN)."
    )
    seconds: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0


class MetricValue(BaseModel):
    value: float | None = Field(description="None when no case could be scored.")
    low: float | None = Field(None, description="Lower end of the 95% bootstrap interval.")
    high: float | None = None
    n: int = Field(description="Cases the value is computed over.")
    missing: int = Field(0, description="Cases the metric applies to that failed or could not be scored (NaN).")
    higher_is_better: bool = True


class RunResults(BaseModel):
    manifest: Manifest
    metrics: dict[str, MetricValue]
    tables: dict[str, Any] = Field(default_factory=dict, description="Confusion matrices and other per-suite detail.")
    cases: int
    failed_cases: list[str]
    seconds_total: float
    tokens_in: int
    tokens_out: int
    complete: bool = Field(description="Every selected case has a record.")
