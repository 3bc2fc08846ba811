"""`agent-tasks --shop jd_appliances`: the Chinese appliance shop's eval set (evals/datasets/jd_tasks.jsonl) played
through the chat API against the reference commerce service over the shop's seed (`ecom_store`).

Each task is played in its own form (one message, every proposed write answered 确认; or its scripted customer:
evals/suites/jd_play.py). A task succeeds when the commerce database it left satisfies its assertions and nothing
else changed (evals/suites/jd_oracle.py), every required fact is in a reply, no forbidden fact is, and the
conversation was handed to a person exactly when the task says. The database is put back to the seed before every
task, so tasks run one at a time.

Scores are kept per split (`jd_dev.*`, `jd_test.*`: dev is for tuning, test is only reported) and per form; the
tables count tasks and successes per category, split and form.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

from assistant.errors import BadInputError
from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.metrics.text import fact_present, facts_recall
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec
from evals.suites.chat_env import ChatEnvironment, chat_environment
from evals.suites.conversation_usage import llm_usage, tool_calls, turn_overhead
from evals.suites.jd_oracle import JdStateOracle
from evals.suites.jd_play import play_jd_task
from evals.suites.jd_task_model import JdTask, Split, load_jd_tasks
from evals.suites.state_oracle import InspectableCommerce

SHOP_NAME = "jd_appliances"
FORMS = {"one-message": ("one_message",), "multi-turn": ("multi_turn",), "both": ("one_message", "multi_turn")}
SETS = ("jd_dev", "jd_test")
_COUNTS = ("tasks", "success", "db_match", "failed_to_run")


class JdTasksSuite:
    name = f"agent-tasks-{SHOP_NAME}"
    description = (
        "The Chinese appliance shop's own tasks (jd_tasks.jsonl: one-message and scripted multi-turn, dev and test): the"
        " final commerce database against the task's assertions, required and forbidden facts, handoff."
    )
    needs_llm = True

    def __init__(self, form: str | None = None, split: str | None = None) -> None:
        if form is not None and form not in FORMS:
            raise BadInputError(f"unknown form {form!r}; forms: {', '.join(FORMS)}")
        if split not in (None, "dev", "test"):
            raise BadInputError(f"unknown split {split!r}; splits: dev, test")
        self.forms = FORMS[form or "both"]
        self.split: Split | None = split  # type: ignore[assignment]

    def load_cases(self) -> list[Case]:
        tasks = [task for task in load_jd_tasks(self.split) if task.form in self.forms]
        return [
            Case(id=task.id, inputs={**task.model_dump(mode="json", by_alias=True, exclude_none=True), "set": f"jd_{task.split}"})
            for task in tasks
        ]

    def concurrency(self, settings: Settings) -> int:
        return 1  # every task resets the one commerce database

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        async with chat_environment(context, "agent-jd", shop=SHOP_NAME) as chat:
            commerce = chat.commerce if isinstance(chat.commerce, InspectableCommerce) else None
            oracle = JdStateOracle(commerce.template) if commerce is not None else None
            yield _JdRunner(chat, oracle, commerce.db_path if commerce is not None else None)

    def metrics(self) -> list[MetricSpec]:
        specs = [
            MetricSpec("success_rate", per_case="success", failed_as=0.0,
                       description="Final state, facts, forbidden facts and handoff as the task says."),
            MetricSpec("db_match", per_case="db_match", failed_as=0.0,
                       description="Every assertion on the commerce database holds and nothing else changed."),
            MetricSpec("facts_recall", per_case="facts_recall", description="Over tasks that list required facts."),
            MetricSpec("no_forbidden_facts", per_case="no_forbidden_facts", description="Over tasks that list some."),
            MetricSpec("handoff_match", per_case="handoff_match", failed_as=0.0),
        ]  # fmt: skip
        for key in (*SETS, "one_message", "multi_turn"):
            specs += [
                MetricSpec(f"{key}.success_rate", per_case=f"{key}.success", failed_as=0.0),
                MetricSpec(f"{key}.db_match", per_case=f"{key}.db_match", failed_as=0.0),
            ]
        specs += [
            MetricSpec(name, per_case=name, higher_is_better=False)
            for name in ("tool_argument_errors", "turns", "tool_calls", "llm_calls", "tokens")
        ]
        return specs

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {"tasks by category": {}, "tasks by set": {}, "tasks by form": {}}
        for record in records:
            for table, key in (
                ("tasks by category", record.inputs["category"]),
                ("tasks by set", record.inputs["set"]),
                ("tasks by form", record.inputs["form"]),
            ):
                entry = tables[table].setdefault(key, dict.fromkeys(_COUNTS, 0))
                entry["tasks"] += 1
                entry["success"] += bool(record.ok and record.scores.get("success"))
                entry["db_match"] += bool(record.ok and record.scores.get("db_match"))
                entry["failed_to_run"] += not record.ok
        return tables

    def outcome(self, record: CaseRecord) -> str:
        match = record.scores.get("db_match")
        state = "state=unchecked" if match is None else "state=match" if match else "state=differs"
        return f"{'success' if record.scores.get('success') else 'fail'} {state} handoff={record.outputs.get('handoff')}"


class _JdRunner:
    def __init__(self, chat: ChatEnvironment, oracle: JdStateOracle | None, database: Path | None) -> None:
        self._chat = chat
        self._engine = chat.engine
        self._oracle = oracle
        self._database = database  # the commerce service's live database, read after each task

    async def run(self, case: Case) -> CaseOutput:
        task = JdTask.model_validate({k: v for k, v in case.inputs.items() if k != "set"})
        self._chat.commerce.reset()
        conversation = await self._chat.start(task.customer_id)
        started = time.perf_counter()
        transcript = await play_jd_task(self._chat, conversation, task)
        replies = [turn["reply"] for turn in transcript]
        said = "\n".join(replies)
        recall = facts_recall(said, task.facts())
        forbidden = [fact.any[0] for fact in task.forbidden_facts if fact_present(said, fact.any)]
        handed_off = any(turn["handoff"] for turn in transcript)
        state: dict[str, Any] = {"db_check": "not checked: the commerce service exposes no database files"}
        db_match: float | None = None
        if self._oracle is not None and self._database is not None:
            check = self._oracle.check(task.expected, self._database, task.customer_id)
            db_match, state = float(check.ok), {"db_diff": check.brief(), "changed_rows": check.changed_rows}
        handoff_match = handed_off == task.handoff
        success = None if db_match is None else float(bool(db_match) and recall == 1.0 and not forbidden and handoff_match)
        calls, argument_errors, refusals = tool_calls(self._engine, conversation)
        llm_count, tokens_in, tokens_out = llm_usage(self._engine, conversation)
        key, form = f"jd_{task.split}", task.form
        scores: dict[str, float | None] = {
            "success": success, "db_match": db_match, "handoff_match": float(handoff_match),
            f"{key}.success": success, f"{key}.db_match": db_match, f"{form}.success": success, f"{form}.db_match": db_match,
            "tool_argument_errors": float(argument_errors), "turns": float(len(transcript)), "tool_calls": float(calls),
            "llm_calls": float(llm_count), "tokens": float(tokens_in + tokens_out),
        }  # fmt: skip
        if task.required_facts:
            scores["facts_recall"] = recall
        if task.forbidden_facts:
            scores["no_forbidden_facts"] = float(not forbidden)
        return CaseOutput(
            outputs={
                "conversation_id": conversation, "replies": replies, "handoff": handed_off, "forbidden_found": forbidden,
                "executed": self._audited(conversation), "tool_refusals": refusals, **state,
                "chat_seconds": round(time.perf_counter() - started, 3),
                "turn_overhead_ms": turn_overhead(self._engine, conversation),
                "transcript": [{k: t[k] for k in ("request", "customer", "reply", "proposed")} for t in transcript],
            },
            scores=scores, tokens_in=tokens_in, tokens_out=tokens_out,
        )  # fmt: skip

    def _audited(self, conversation: str) -> list[list[str]]:
        """The writes the tools' audit log holds for the conversation, with their outcome (what was tried, for reading;
        the score is the database's)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                text("SELECT tool, outcome FROM tool_audit_log WHERE conversation_id = :c ORDER BY id"), {"c": conversation}
            ).all()
        return [[str(tool), str(outcome)] for tool, outcome in rows]
