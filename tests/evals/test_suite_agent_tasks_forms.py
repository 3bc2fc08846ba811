"""The agent-tasks suite's two forms side by side on one real retail task, with the real 0.5B model, the chat API and
the retail commerce service: the multi-turn case is played by the scripted customer (identity first, then the
request), its turns are the conversation's, its counts (dropped requests, invented ids) agree with the transcript and
the tool calls recorded, and each form's metrics are computed over that form's case alone."""

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
from evals.suites.agent_checks import seed_ids

TASK = "retail-dev-73"  # "return everything you just bought except the coffee machine"; identity by email
CASES = [TASK, f"{TASK}@multi-turn"]


@pytest.mark.slow
def test_both_forms_side_by_side(suite_settings: Callable[..., Settings], retail_service: Any) -> None:
    settings = suite_settings(agent={"turn_seconds": 300.0})
    suite = get_suite("agent-tasks", form="both")
    results = run_suite(
        RunRequest(suite=suite, settings=settings, only=CASES, run_id="f", progress=False, extras={"commerce": retail_service})
    )
    store = RunStore(runs_dir(settings.data_dir) / "f")
    records = store.records()
    assert sorted(records) == sorted(CASES) and all(record.ok for record in records.values()), records
    one, multi = records[TASK], records[f"{TASK}@multi-turn"]
    assert one.outputs["form"] == "one-message" and multi.outputs["form"] == "multi-turn"

    # The scripted customer: its identity first, then the one request, then only answers ("yes" to a proposal).
    script = multi.inputs["script"]
    transcript = multi.outputs["transcript"]
    assert transcript[0] == {**transcript[0], "request": None, "customer": script["identity"]}
    assert "fatima.wilson5721@example.com" in script["identity"]
    assert transcript[1]["customer"] == script["requests"][0]["text"] and transcript[1]["request"] == 0
    assert all(turn["request"] == 0 for turn in transcript[1:])
    engine = create_engine(f"sqlite:///{store.folder / 'work' / 'agent' / 'assistant.db'}")
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT content FROM messages WHERE conversation_id = :c AND role = 'customer' ORDER BY id"),
            {"c": multi.outputs["conversation_id"]},
        ).scalars()
        assert list(stored) == [turn["customer"] for turn in transcript]
        calls = connection.execute(
            text("SELECT c.arguments FROM tool_calls c JOIN turns t ON c.turn_id = t.id WHERE t.conversation_id = :c"),
            {"c": multi.outputs["conversation_id"]},
        ).scalars()
        arguments = [json.loads(a) if isinstance(a, str) else a for a in calls]
    engine.dispose()
    assert multi.scores["turns"] == len(transcript) == len(multi.outputs["replies"])

    # The counts: an invented id is one in neither the seed nor the conversation; a dropped request was never spoken to.
    for record in (one, multi):
        assert record.scores["invented_id_calls"] == len(record.outputs["invented_ids"])
        assert record.scores["dropped_requests"] == len(record.outputs["dropped"])
        assert set(record.outputs["dropped"]) <= {"return_delivered_order_items"}
        if record.outputs["executed"]:  # the return ran, so it was proposed: not dropped
            assert record.outputs["dropped"] == []
    ids = {str(v) for a in arguments for k, v in a.items() if k in ("order_id", "user_id", "payment_method_id")}
    if ids <= seed_ids():
        assert multi.outputs["invented_ids"] == []

    # Side by side: each form's metrics are its own case's; the table counts both.
    metrics = results.metrics
    for key, record in (("one_message", one), ("multi_turn", multi)):
        assert metrics[f"{key}.success_rate"].value == record.scores["success"]
        assert metrics[f"{key}.db_match"].value == record.scores["db_match"]
        assert metrics[f"{key}.dropped_requests"].value == record.scores["dropped_requests"]
        assert metrics[f"{key}.invented_id_calls"].value == record.scores["invented_id_calls"]
    assert metrics["multi_turn.retail_dev.success_rate"].value == multi.scores["success"]
    assert metrics["retail_dev.success_rate"].n == 1  # the unprefixed per-set figures stay the one-message form's
    by_form = results.tables["tasks by form"]
    assert set(by_form) == {"one-message", "multi-turn"}
    assert by_form["multi-turn"]["requests"] == 1 and by_form["multi-turn"]["tasks"] == 1
