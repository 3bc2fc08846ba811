"""Run folders: every case recorded, failures recorded and the run going on, interruption and resume, reports."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from assistant.errors import BadInputError, ConflictError
from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.harness.runner import RunRequest, run_suite, select_cases
from evals.harness.store import RunStore, runs_dir
from tests.evals.toy_suite import ToySuite


def _metrics_without_timing(results: object) -> dict[str, object]:
    metrics = results.metrics  # type: ignore[attr-defined]
    return {name: value.model_dump() for name, value in metrics.items() if name != "seconds_per_case"}


def _cases_without_timing(store: RunStore) -> dict[str, dict[str, object]]:
    return {case_id: record.model_dump(exclude={"seconds"}) for case_id, record in store.records().items()}


def test_a_run_records_every_case_and_a_broken_case_does_not_stop_it(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    suite = ToySuite(count=5, wrong=["c1"], broken=["c2"])
    results = run_suite(RunRequest(suite=suite, settings=settings, run_id="toy-run", progress=False))
    store = RunStore(runs_dir(settings.data_dir) / "toy-run")
    records = store.records()
    assert sorted(records) == ["c0", "c1", "c2", "c3", "c4"]
    assert suite.ran == ["c0", "c1", "c2", "c3", "c4"]  # the run went on after c2 raised
    assert not records["c2"].ok and records["c2"].error == "RuntimeError: case c2 is broken"
    assert records["c1"].outputs == {"answer": 2} and records["c1"].scores == {"correct": 0.0}
    # accuracy over the 4 scored cases: c0, c3, c4 right, c1 wrong; c2 is missing, and counted in error_rate.
    assert results.metrics["accuracy"].value == pytest.approx(3 / 4)
    assert results.metrics["accuracy"].n == 4 and results.metrics["accuracy"].missing == 1
    assert results.metrics["error_rate"].value == pytest.approx(1 / 5)
    assert results.failed_cases == ["c2"] and results.complete
    assert results.tokens_in == 0 + 1 + 3 + 4 and results.tokens_out == 4
    saved = json.loads((store.folder / "results.json").read_text())
    assert saved["metrics"]["accuracy"]["value"] == pytest.approx(0.75)
    html = (store.folder / "report.html").read_text()
    assert (
        "data:image/png;base64," in html and "RuntimeError: case c2 is broken" in html and "http" not in html.split("<body>")[0]
    )


def test_an_interrupted_run_resumed_equals_an_uninterrupted_one(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    whole = run_suite(RunRequest(suite=ToySuite(wrong=["c4"], broken=["c1"]), settings=settings, run_id="whole", progress=False))

    def stop_after_three(record: CaseRecord) -> None:
        if len(RunStore(runs_dir(settings.data_dir) / "parted").records()) == 3:
            raise KeyboardInterrupt

    first = ToySuite(wrong=["c4"], broken=["c1"])
    with pytest.raises(KeyboardInterrupt):
        run_suite(RunRequest(suite=first, settings=settings, run_id="parted", progress=False, on_case=stop_after_three))
    parted = RunStore(runs_dir(settings.data_dir) / "parted")
    assert sorted(parted.records()) == ["c0", "c1", "c2"] and not (parted.folder / "results.json").exists()
    # A kill in the middle of writing a line leaves a torn line: it is dropped, the case runs again.
    with (parted.folder / "cases.jsonl").open("a") as handle:
        handle.write('{"case_id": "c3", "ok": tr')
    second = ToySuite(wrong=["c4"], broken=["c1"])
    resumed = run_suite(RunRequest(suite=second, settings=settings, run_id="parted", progress=False))
    assert second.ran == ["c3", "c4", "c5"]  # only the unfinished cases ran
    assert _metrics_without_timing(resumed) == _metrics_without_timing(whole)
    assert _cases_without_timing(parted) == _cases_without_timing(RunStore(runs_dir(settings.data_dir) / "whole"))
    assert resumed.failed_cases == whole.failed_cases == ["c1"]


def test_resuming_with_other_options_is_refused(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    run_suite(RunRequest(suite=ToySuite(), settings=settings, run_id="r", progress=False))
    with pytest.raises(ConflictError):
        run_suite(RunRequest(suite=ToySuite(), settings=settings, run_id="r", limit=2, progress=False))
    other_prompts = settings.model_copy(update={"agent": settings.agent.model_copy(update={"retrieval_k": 9})})
    with pytest.raises(ConflictError):
        run_suite(RunRequest(suite=ToySuite(), settings=other_prompts, run_id="r", progress=False))


def test_case_selection_is_seeded_and_keeps_data_set_order() -> None:
    cases = ToySuite(count=50).load_cases()
    sample = select_cases(cases, seed=1, limit=5)
    assert sample == select_cases(cases, seed=1, limit=5)
    assert sample != select_cases(cases, seed=2, limit=5)
    assert [c.id for c in sample] == sorted((c.id for c in sample), key=lambda i: int(i[1:]))
    assert [c.id for c in select_cases(cases, seed=1, limit=None, only=["c7", "c3"])] == ["c3", "c7"]
    with pytest.raises(BadInputError):
        select_cases(cases, seed=1, limit=None, only=["nope"])
