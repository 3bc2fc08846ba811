"""`agent-tasks --shop jd_appliances` end to end with the real 0.5B model, the chat API in process and the suite's own
commerce service over the `ecom_store` seed: one multi-turn task (the scripted customer) and two one-message tasks run
through the harness, and every recorded number equals one computed by hand from what the run left — the replies, the
conversation database and the commerce database. (On main the agent does not serve the Chinese shop yet: the figures
are whatever it does; what is tested is that they are measured right.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assistant.settings import Settings
from evals.harness.runner import RunRequest, run_suite
from evals.harness.store import RunStore, runs_dir
from evals.metrics.text import fact_present, facts_recall
from evals.suites import get_suite
from evals.suites.jd_oracle import JdStateOracle
from evals.suites.jd_task_model import JdTask, load_jd_tasks

CASES = ["jd-dev-05", "jd-dev-06", "jd-dev-56"]  # status questions (multi-turn), a cancel, a product question


@pytest.mark.slow
def test_jd_task_numbers_equal_hand_computed_ones(suite_settings: Callable[..., Settings]) -> None:
    settings = suite_settings(agent={"turn_seconds": 300.0})
    suite = get_suite("agent-tasks", shop="jd_appliances", split="dev")
    results = run_suite(RunRequest(suite=suite, settings=settings, only=CASES, run_id="jd", progress=False))
    store = RunStore(runs_dir(settings.data_dir) / "jd")
    records = store.records()
    assert sorted(records) == CASES and all(record.ok for record in records.values()), records
    tasks = {task.id: task for task in load_jd_tasks("dev")}
    engine = create_engine(f"sqlite:///{store.folder / 'work' / 'agent-jd' / 'assistant.db'}")
    with engine.connect() as connection:
        for case_id, record in records.items():
            task: JdTask = tasks[case_id]
            conversation = record.outputs["conversation_id"]
            customers = connection.execute(
                text("SELECT customer_id, shop FROM conversations WHERE id = :c"), {"c": conversation}
            ).one()
            assert tuple(customers) == (task.customer_id, "jd_appliances")
            said = connection.execute(text("SELECT COUNT(*) FROM turns WHERE conversation_id = :c"), {"c": conversation}).scalar()
            assert record.scores["turns"] == said == len(record.outputs["replies"]) == len(record.outputs["transcript"])
            handoffs = connection.execute(
                text("SELECT COUNT(*) FROM handoffs WHERE conversation_id = :c"), {"c": conversation}
            ).scalar()
            assert record.outputs["handoff"] == bool(handoffs)
            replies = "\n".join(record.outputs["replies"])
            assert record.scores.get("facts_recall") == facts_recall(replies, task.facts())
            assert record.outputs["forbidden_found"] == [f.any[0] for f in task.forbidden_facts if fact_present(replies, f.any)]
            handoff_match = record.outputs["handoff"] == task.handoff
            assert record.scores["handoff_match"] == float(handoff_match)
            assert record.scores["db_match"] == float(record.outputs["db_diff"] == []), record.outputs["db_diff"]
            expected = bool(record.scores["db_match"]) and facts_recall(replies, task.facts()) == 1.0 and handoff_match
            assert record.scores["success"] == float(expected)
            assert record.scores["jd_dev.success"] == record.scores[f"{task.form}.success"] == record.scores["success"]
    engine.dispose()
    # The scripted customer opened with the task's own words, one request per message.
    multi = records["jd-dev-05"].outputs["transcript"]
    assert multi[0]["customer"] == "我买的热水器到哪了" and multi[0]["request"] == 0
    assert any(turn["customer"].endswith("还有一个315084487289呢，发货没") for turn in multi)
    # The last task's database is the one the service holds now: the oracle, run again on it, says the same.
    commerce = store.folder / "work" / "commerce-jd_appliances"
    last = tasks["jd-dev-56"]
    check = JdStateOracle(commerce / "ecom_store-template.db").check(last.expected, commerce / "ecom_store.db", last.customer_id)
    assert records["jd-dev-56"].scores["db_match"] == float(check.ok)
    for name in ("success_rate", "db_match", "handoff_match", "turns"):
        per_case = "success" if name == "success_rate" else name
        assert results.metrics[name].value == pytest.approx(sum(r.scores[per_case] or 0.0 for r in records.values()) / 3)
    assert results.metrics["jd_dev.success_rate"].value == results.metrics["success_rate"].value
    assert results.tables["tasks by form"]["multi_turn"]["tasks"] == 1
    assert Path(store.folder / "report.html").is_file()
