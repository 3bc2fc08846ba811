"""intent, sentiment and escalation suites end to end on a few cases with a real trained understanding model:
the recorded numbers equal what we compute by hand from the recorded predictions, and the predictions are the model's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

from assistant.escalation import EscalationInput, EscalationPolicy
from assistant.settings import Settings
from assistant.understanding.service import MessageUnderstanding
from evals.harness.models import CaseRecord
from evals.harness.runner import RunRequest, run_suite
from evals.harness.store import RunStore, runs_dir
from evals.suites import get_suite
from evals.suites.escalation import bank_settings
from tests.understanding.small_model import embedder as small_model_embedder
from tests.understanding.small_model import understanding_settings

CASES = ["cm-002", "cm-016", "cm-019", "cm-022", "cm-026", "cm-046", "cm-049", "cm-054"]


@pytest.fixture
def settings(make_settings: Callable[..., Settings], understanding_model_file: Path) -> Settings:
    return make_settings(understanding=understanding_settings(understanding_model_file))


def _records(settings: Settings, run_id: str) -> list[CaseRecord]:
    records = RunStore(runs_dir(settings.data_dir) / run_id).records()
    return [records[case_id] for case_id in sorted(records)]


def test_intent_and_sentiment_numbers_equal_hand_computed_ones(settings: Settings) -> None:
    understanding = MessageUnderstanding.from_settings(settings, small_model_embedder())
    for suite_name, label in (("intent", "intent"), ("sentiment", "sentiment")):
        results = run_suite(
            RunRequest(suite=get_suite(suite_name), settings=settings, only=CASES, run_id=suite_name, progress=False)
        )
        records = _records(settings, suite_name)
        assert [r.case_id for r in records] == sorted(CASES) and all(r.ok for r in records)
        truth = [r.inputs[label] for r in records]
        predicted = [r.outputs[label] for r in records]
        for record in records:  # the recorded prediction is the model's
            assert getattr(understanding.analyse(record.inputs["text"]), label) == record.outputs[label]
        accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)
        assert results.metrics["accuracy"].value == pytest.approx(accuracy)
        labels = sorted(set(truth))
        assert results.metrics["macro_f1"].value == pytest.approx(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        )
        assert results.metrics["macro_recall"].value == pytest.approx(
            recall_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        )
        table = results.tables[label]
        assert sum(map(sum, table["confusion"])) == len(CASES)
        assert sum(table["confusion"][i][i] for i in range(len(table["labels"]))) == round(accuracy * len(CASES))


def test_escalation_numbers_equal_hand_computed_ones(settings: Settings) -> None:
    cases = [*CASES, "banking-task_004", "banking-task_003"]
    results = run_suite(RunRequest(suite=get_suite("escalation"), settings=settings, only=cases, run_id="esc", progress=False))
    records = _records(settings, "esc")
    assert len(records) == len(cases) and all(r.ok for r in records)
    truth = [bool(r.inputs["escalate"]) for r in records]
    predicted = [bool(r.outputs["escalate"]) for r in records]
    assert truth.count(True) == 5  # cm-016, cm-019, cm-046, cm-049 and banking task_004 (a human transfer)
    assert results.metrics["precision"].value == pytest.approx(precision_score(truth, predicted, zero_division=0))
    assert results.metrics["recall"].value == pytest.approx(recall_score(truth, predicted, zero_division=0))
    assert results.metrics["accuracy"].value == pytest.approx(
        sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)
    )
    # The explicit "转人工" must escalate with its reason: the rules fire whatever the small model thinks.
    by_id = {r.case_id: r for r in records}
    assert by_id["cm-046"].outputs == {**by_id["cm-046"].outputs, "escalate": True, "reason": "explicit_request"}
    reasoned = [r for r in records if r.inputs["reason"] and r.outputs["escalate"]]
    assert results.metrics["reason_accuracy"].value == pytest.approx(
        sum(r.outputs["reason"] == r.inputs["reason"] for r in reasoned) / len(reasoned)
    )
    shop, bank = EscalationPolicy.from_settings(settings), EscalationPolicy.from_settings(bank_settings(settings))
    understanding = MessageUnderstanding.from_settings(settings, small_model_embedder())
    for record in records:
        text = record.inputs["text"]
        policy = bank if record.inputs["source"] == "banking" else shop
        decision = policy.decide(EscalationInput(current=understanding.analyse(text), text=text))
        assert (decision.escalate, decision.reason) == (record.outputs["escalate"], record.outputs["reason"])
        assert record.outputs["probability"] == decision.probability and record.outputs["threshold"] == policy.threshold
    # The precision-recall curve at the chosen threshold is the part's own precision and recall.
    develop = [r for r in records if r.inputs["split"] == "develop"]
    curve = results.tables["precision-recall curve: develop"]["curve"]
    at = curve["thresholds"].index(shop.threshold)
    develop_truth = [bool(r.inputs["escalate"]) for r in develop]
    develop_predicted = [bool(r.outputs["escalate"]) for r in develop]
    assert (curve["precision"][at], curve["recall"][at]) == pytest.approx(
        (precision_score(develop_truth, develop_predicted, zero_division=0), recall_score(develop_truth, develop_predicted)),
        abs=1e-3,
    )


def test_a_real_run_interrupted_and_resumed_equals_an_uninterrupted_one(settings: Settings) -> None:
    suite = get_suite("intent")
    whole = run_suite(RunRequest(suite=suite, settings=settings, only=CASES, run_id="whole", progress=False))

    def stop(record: CaseRecord) -> None:
        if len(RunStore(runs_dir(settings.data_dir) / "parted").records()) >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_suite(RunRequest(suite=suite, settings=settings, only=CASES, run_id="parted", progress=False, on_case=stop))
    assert len(RunStore(runs_dir(settings.data_dir) / "parted").records()) < len(CASES)
    resumed = run_suite(RunRequest(suite=suite, settings=settings, only=CASES, run_id="parted", progress=False))
    strip = lambda results: {k: v for k, v in results.metrics.items() if k != "seconds_per_case"}  # noqa: E731
    assert strip(resumed) == strip(whole)
    assert [(r.case_id, r.outputs) for r in _records(settings, "parted")] == [
        (r.case_id, r.outputs) for r in _records(settings, "whole")
    ]


def test_two_prompt_versions_side_by_side_in_one_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, understanding_model_file: Path
) -> None:
    import shutil

    from typer.testing import CliRunner

    from evals.cli import app

    prompts = tmp_path / "prompts"
    shutil.copytree(Path(__file__).resolve().parents[2] / "prompts" / "v1", prompts / "v1")
    shutil.copytree(prompts / "v1", prompts / "v2")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_PROMPTS__DIRECTORY", str(prompts))
    monkeypatch.setenv("ASSISTANT_UNDERSTANDING__MODEL_PATH", str(understanding_model_file))
    command = ["run", "intent", "--case", "cm-001", "--case", "cm-046", "--prompt-version", "v1", "--prompt-version", "v2"]
    result = CliRunner().invoke(app, [*command, "--no-progress"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    folders = sorted(runs_dir(tmp_path / "data").iterdir())
    assert [RunStore(f).manifest().options.prompt_version for f in folders] == ["v1", "v2"]
    assert "2 cases in both runs; 0 changed outcome" in result.output  # the same model: nothing may differ
    missing = CliRunner().invoke(app, ["run", "intent", "--case", "cm-001", "--prompt-version", "v9"])
    assert missing.exit_code != 0 and "v9" in str(missing.exception)
