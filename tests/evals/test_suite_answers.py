"""The CI-sized suite through the command line, as evals/README.md documents it: `assistant eval run answers` on a
case with the real 0.5B model as assistant and RAGAS judge, then `assistant eval gate` on the CI thresholds.

The deterministic scores must equal those computed by hand from the recorded reply and citations; the RAGAS score
must be in range, or missing with its reason recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.harness.store import RunStore, runs_dir
from tests.conftest import MODELS_DIR, TEST_MODEL

CI_THRESHOLDS = Path(__file__).resolve().parents[2] / "evals" / "thresholds_ci.toml"


@pytest.mark.slow
def test_ci_suite_runs_from_the_command_line_and_passes_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_llm: Any, knowledge_dir: Path
) -> None:
    environment = {
        "ASSISTANT_DATA_DIR": str(tmp_path),
        "ASSISTANT_DATABASE__URL": f"sqlite:///{tmp_path / 'assistant.db'}",
        "ASSISTANT_VECTOR_STORE__PATH": str(knowledge_dir / "chroma"),
        "ASSISTANT_LLM__LOCAL_MODEL": TEST_MODEL,
        "ASSISTANT_LLM__MODELS_DIR": str(MODELS_DIR),
        "ASSISTANT_LLM__PORT": local_llm.base_url.rsplit(":", 1)[1].split("/")[0],
        "ASSISTANT_AGENT__TURN_SECONDS": "300",
        "ASSISTANT_AGENT__REPLY_MAX_TOKENS": "80",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    command = ["run", "answers", "--case", "qa-en-07", "--judge-metric", "context_recall", "--judge-max-tokens", "256"]
    result = runner.invoke(app, [*command, "--no-progress"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    (folder,) = runs_dir(tmp_path).iterdir()
    store = RunStore(folder)
    (record,) = store.records().values()
    assert record.ok, record.error
    reply = record.outputs["reply"]
    found = "18" in reply  # the one required fact of qa-en-07
    assert record.scores["facts_recall"] == float(found) == record.scores["facts_all"]
    answered = record.outputs["status"] == "ok"
    assert record.scores["answered"] == float(answered)
    cited_gold = answered and "doc_bank_accounts_bank_accounts_(general)_001" in record.outputs["cited"]
    assert record.scores["cites_gold"] == float(cited_gold)
    assert record.scores["language_match"] == float(not any("\u4e00" <= ch <= "\u9fff" for ch in reply))
    recall = record.scores["context_recall"]
    assert (recall is None and "context_recall" in record.outputs["judge_errors"]) or 0.0 <= recall <= 1.0  # type: ignore[operator]
    assert record.outputs["judge_calls"] >= 1 and record.outputs["contexts"]
    assert set(record.scores) == {"answered", "facts_recall", "facts_all", "cites_gold", "language_match", "context_recall"}
    results = json.loads((folder / "results.json").read_text())
    assert results["metrics"]["cites_gold"]["value"] == record.scores["cites_gold"]
    assert results["manifest"]["options"]["judge"].endswith("context_recall")
    assert (folder / "report.html").read_text().count("data:image/png;base64,") >= 2

    gate = runner.invoke(app, ["gate", folder.name, "--thresholds", str(CI_THRESHOLDS)], env={"COLUMNS": "200"})
    assert gate.exit_code == (0 if record.scores["language_match"] == 1.0 else 1), gate.output
    strict = tmp_path / "strict.toml"
    strict.write_text("[answers]\nfacts_recall = 1.01\n")  # no run can reach it: the gate must fail
    assert runner.invoke(app, ["gate", folder.name, "--thresholds", str(strict)]).exit_code == 1
