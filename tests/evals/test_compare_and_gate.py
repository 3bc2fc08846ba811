"""`compare` reports exactly the known differences of two runs; `gate` fails a run under its thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.compare import compare_runs
from tests.evals.synthetic_runs import intent_record, write_run

TRUTH = {"m1": "x", "m2": "x", "m3": "y", "m4": "y", "m5": "z", "m6": "z"}
RUN_A = {"m1": "x", "m2": "x", "m3": "y", "m4": "z", "m5": "z", "m6": "z"}  # m4 wrong
RUN_B = {"m1": "x", "m2": "y", "m3": "y", "m4": "y", "m5": "z", "m6": None}  # m2 now wrong, m4 now right, m6 raised


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, Path]:
    a = write_run(tmp_path / "runs" / "run-a", "intent", [intent_record(i, TRUTH[i], RUN_A[i]) for i in TRUTH])
    b = write_run(tmp_path / "runs" / "run-b", "intent", [intent_record(i, TRUTH[i], RUN_B[i]) for i in TRUTH], "v2")
    return a.folder, b.folder


def test_compare_reports_exactly_the_known_differences(two_runs: tuple[Path, Path]) -> None:
    from evals.harness.store import RunStore

    comparison = compare_runs(RunStore(two_runs[0]), RunStore(two_runs[1]))
    changed = {change.case_id: (change.a, change.b) for change in comparison.changed}
    assert changed == {"m2": ("x", "y"), "m4": ("z", "y"), "m6": ("z", "error: RuntimeError: boom")}
    metrics = {delta.metric: delta for delta in comparison.metrics}
    assert metrics["accuracy"].a == pytest.approx(5 / 6)
    assert metrics["accuracy"].b == pytest.approx(4 / 5)  # m6 raised: left out of B's accuracy
    assert metrics["accuracy"].delta == pytest.approx(0.0)  # on m1..m5 scored by both: one lost, one won
    assert metrics["accuracy"].verdict == "no clear change"
    assert metrics["error_rate"].delta == pytest.approx(1 / 6)
    # macro F1 over m1..m5 (the cases both runs scored), by hand:
    # A predicts x,x,y,z,z for x,x,y,y,z: x P1 R1, y P1 R.5 (F .667), z P.5 R1 (F .667) → .7778
    # B predicts x,y,y,y,z: x P1 R.5 (F .667), y P.667 R1 (F .8), z P1 R1 → .8222
    assert metrics["macro_f1"].delta == pytest.approx((2 / 3 + 0.8 + 1) / 3 - (1 + 2 / 3 + 2 / 3) / 3)
    assert comparison.common_cases == 6 and comparison.only_in_a == [] and comparison.only_in_b == []


def test_compare_command_prints_and_writes_json(
    two_runs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    out = tmp_path / "comparison.json"
    result = CliRunner().invoke(app, ["compare", str(two_runs[0]), str(two_runs[1]), "--json", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "3 changed outcome" in result.output and "m4" in result.output
    assert {change["case_id"] for change in json.loads(out.read_text())["changed"]} == {"m2", "m4", "m6"}


def test_gate_fails_under_threshold_and_passes_over_it(
    two_runs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("[intent]\naccuracy = 0.82\nerror_rate = { max = 0.0 }\n")
    runner = CliRunner()
    passing = runner.invoke(app, ["gate", str(two_runs[0]), "--thresholds", str(thresholds)], env={"COLUMNS": "200"})
    assert passing.exit_code == 0, passing.output  # A: accuracy 0.833, no errors
    failing = runner.invoke(app, ["gate", str(two_runs[1]), "--thresholds", str(thresholds)], env={"COLUMNS": "200"})
    assert failing.exit_code == 1 and "FAIL" in failing.output  # B: 0.8 < 0.82, and one error
    thresholds.write_text("[intent]\naccuracy = 'high'\n")
    broken = runner.invoke(app, ["gate", str(two_runs[0]), "--thresholds", str(thresholds)])
    assert broken.exit_code != 0 and "must be a number" in str(broken.exception or broken.output)


def test_gate_without_runs_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["gate"])
    assert result.exit_code == 1 and "no runs" in result.output
