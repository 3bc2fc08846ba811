"""Run folders written directly from given case records, for compare and gate tests with known differences."""

from __future__ import annotations

from pathlib import Path

from evals.harness.aggregate import aggregate
from evals.harness.models import CaseRecord, Manifest, RunOptions, RunResults
from evals.harness.store import RunStore
from evals.suites import get_suite


def intent_record(case_id: str, truth: str, predicted: str | None) -> CaseRecord:
    """A recorded intent case; `predicted` None means the case raised."""
    inputs = {"text": f"message {case_id}", "language": "en", "intent": truth}
    if predicted is None:
        return CaseRecord(case_id=case_id, ok=False, error="RuntimeError: boom", inputs=inputs, seconds=0.1)
    return CaseRecord(
        case_id=case_id, ok=True, inputs=inputs, outputs={"intent": predicted, "confidence": 0.9},
        scores={"correct": float(truth == predicted)}, seconds=0.1,
    )  # fmt: skip


def write_run(folder: Path, suite: str, records: list[CaseRecord], prompt_version: str = "v1") -> RunStore:
    store = RunStore(folder)
    manifest = Manifest(
        run_id=folder.name, options=RunOptions(suite=suite, prompt_version=prompt_version, model="m"),
        case_ids=[r.case_id for r in records], git_commit="test", settings_digest="x", dataset_digest="y",
        created_at="2026-01-01T00:00:00+00:00", machine="test",
    )  # fmt: skip
    store.write_manifest(manifest)
    for record in records:
        store.append(record)
    spec = get_suite(suite)
    store.write_results(
        RunResults(
            manifest=manifest,
            metrics=aggregate(spec.metrics(), records),
            tables=spec.tables(records),
            cases=len(records),
            failed_cases=[r.case_id for r in records if not r.ok],
            seconds_total=0.1 * len(records),
            tokens_in=0,
            tokens_out=0,
            complete=True,
        )  # fmt: skip
    )
    return store
