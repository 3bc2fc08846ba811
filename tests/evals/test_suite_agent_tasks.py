"""The agent-tasks suite end to end with the real 0.5B model, the chat API and the retail commerce service: the
recorded writes are the audit log's, the recorded success and counts equal those computed by hand from them, and the
state match agrees with the commerce database the tasks left."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from assistant.settings import Settings
from evals.harness.runner import RunRequest, run_suite
from evals.harness.store import RunStore, runs_dir
from evals.suites import get_suite
from evals.suites.agent_data import normal_write
from evals.suites.db_state import compare_databases

CASES = ["retail-dev-73", "banking-task_004"]


@pytest.mark.slow
def test_agent_task_numbers_equal_hand_computed_ones(suite_settings: Callable[..., Settings], retail_service: Any) -> None:
    settings = suite_settings(agent={"turn_seconds": 300.0})
    results = run_suite(
        RunRequest(
            suite=get_suite("agent-tasks"),
            settings=settings,
            only=CASES,
            run_id="a",
            progress=False,
            extras={"commerce": retail_service},
        )  # fmt: skip
    )
    store = RunStore(runs_dir(settings.data_dir) / "a")
    records = store.records()
    assert sorted(records) == sorted(CASES) and all(record.ok for record in records.values()), records
    engine = create_engine(f"sqlite:///{store.folder / 'work' / 'agent' / 'assistant.db'}")
    successes, turns, tokens = [], [], []
    with engine.connect() as connection:
        for record in records.values():
            conversation = record.outputs["conversation_id"]
            rows = connection.execute(
                text("SELECT tool, arguments, outcome FROM tool_audit_log WHERE conversation_id = :c"), {"c": conversation}
            ).all()
            handoffs = connection.execute(
                text("SELECT COUNT(*) FROM handoffs WHERE conversation_id = :c"), {"c": conversation}
            ).scalar()
            assert record.outputs["handoff"] == bool(handoffs)
            executed = sorted(
                [list(normal_write(tool, json.loads(args) if isinstance(args, str) else args)) for tool, args, outcome in rows
                 if outcome == "executed"] + ([["transfer_to_human_agents", ""]] if handoffs else [])
            )  # fmt: skip
            assert record.outputs["executed"] == executed
            success = executed == record.inputs["writes"]  # neither task lists output facts
            assert record.scores["success"] == float(success)
            successes.append(float(success))
            customer_turns = connection.execute(
                text("SELECT COUNT(*) FROM turns WHERE conversation_id = :c"), {"c": conversation}
            ).scalar()
            assert record.scores["turns"] == customer_turns == len(record.outputs["replies"])
            turns.append(len(record.outputs["replies"]))
            used = connection.execute(
                text(
                    "SELECT SUM(l.tokens_in + l.tokens_out) FROM llm_calls l JOIN turns t ON l.turn_id = t.id"
                    " WHERE t.conversation_id = :c"
                ),
                {"c": conversation},
            ).scalar()
            assert record.tokens_in + record.tokens_out == record.scores["tokens"] == (used or 0)
            tokens.append(used or 0)
    engine.dispose()
    assert results.metrics["success_rate"].value == pytest.approx(sum(successes) / 2)
    assert results.metrics["turns"].value == pytest.approx(sum(turns) / 2)
    assert results.metrics["tokens"].value == pytest.approx(sum(tokens) / 2)
    assert results.metrics["banking.success_rate"].value == records["banking-task_004"].scores["success"]
    assert records["banking-task_004"].inputs["writes"] == [["transfer_to_human_agents", ""]]
    # The retail task's return really ran against the commerce service (the audit log has it).
    assert [name for name, _ in records["retail-dev-73"].outputs["executed"]] == ["return_delivered_order_items"]
    # State: a match is a case without differing rows; the banking task ran last, so the service's database is the
    # one it left, and it has no shop writes to make: it matches exactly when that database is still the seed.
    for record in records.values():
        assert record.outputs["gold_refused"] == []
        assert record.scores["db_match"] == float(record.outputs["db_diff"] == []), record.outputs["db_diff"]
    banking = records["banking-task_004"]
    assert banking.scores["db_match"] == float(compare_databases(retail_service.template, retail_service.db_path) == [])
    retail = records["retail-dev-73"]
    if retail.outputs["executed"] == retail.inputs["writes"]:
        assert retail.scores["db_match"] == 1.0  # the ground truth's one write, executed as it is: the same database
    assert results.metrics["db_match"].value == pytest.approx(sum(r.scores["db_match"] or 0.0 for r in records.values()) / 2)
