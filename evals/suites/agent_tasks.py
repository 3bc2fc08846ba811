"""`agent-tasks`: the agent on retail and banking tasks through the chat API, in one-message form, multi-turn form or both.

One-message form: each task's scenario is the customer's first message and every
proposed write is answered "yes" (at most MAX_TURNS messages). Multi-turn form
(retail tasks; case ids end in `@multi-turn`): a scripted customer gives its
identity, then asks for each ground-truth write in its own message and answers
the assistant's questions from the scenario (evals/suites/customer_script.py). Success: the writes the assistant
executed (the tools' audit log) equal the ground truth's in name and compared
arguments, and every output fact the task lists appears in a reply. Runs the real
stack: the configured model, the chat API in process over its own conversation
database in the run folder, the configured knowledge base, and the reference
commerce service reset to the retail seed before every task — one task at a
time, since tasks share that one database.

Next to the audit log's writes, the state the agent left is scored the way
tau2-bench scores it: the task's ground-truth writes are replayed on a fresh
copy of the seed and the whole commerce database is compared with the agent's
(`db_match`, and the rows that differ; evals/suites/state_oracle.py). Both forms also
count tool calls with invented ids and ground-truth writes no reply spoke to
(evals/suites/agent_checks.py), overall and per form.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import text

from assistant.errors import BadInputError
from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.metrics.text import facts_recall
from evals.suites.agent_checks import dropped_requests, invented_ids
from evals.suites.agent_data import (
    HANDOFF,
    banking_one_message_tasks,
    normal_write,
    retail_db,
    retail_dev_tasks,
    retail_scenarios,
    retail_v1_tasks,
)
from evals.suites.agent_play import FORMS, MAX_TURNS, MULTI_TURN, ONE_MESSAGE, ChatRefused, play_multi_turn, play_one_message
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec
from evals.suites.chat_env import ChatEnvironment, chat_environment
from evals.suites.conversation_usage import llm_usage, tool_calls, turn_overhead
from evals.suites.customer_script import Script, build_script
from evals.suites.state_oracle import InspectableCommerce, StateOracle

__all__ = ["MAX_TURNS", "AgentTasksSuite", "ChatRefused", "form_key"]
RETAIL_SETS = ("retail_dev", "retail_v1")
MULTI_TURN_SUFFIX = "@" + MULTI_TURN


def form_key(form: str) -> str:
    """The prefix of a form's scores and metrics: `one_message`, `multi_turn`."""
    return form.replace("-", "_")


class AgentTasksSuite:
    name = "agent-tasks"
    description = (
        "Retail (dev, v1) and banking tasks in one-message form (and, with form multi-turn or both, retail tasks played"
        " by a scripted customer): executed writes, output facts and the final commerce database vs ground truth."
    )
    needs_llm = True

    def __init__(self, form: str = ONE_MESSAGE) -> None:
        if form not in (*FORMS, "both"):
            raise BadInputError(f"unknown form {form!r}; forms: {', '.join(FORMS)}, both")
        self.forms = FORMS if form == "both" else (form,)

    def load_cases(self) -> list[Case]:
        cases = []
        if ONE_MESSAGE in self.forms:
            tasks = [*retail_dev_tasks(), *retail_v1_tasks(), *banking_one_message_tasks()]
            cases += [Case(id=task.pop("id"), inputs=task) for task in tasks]
        if MULTI_TURN in self.forms:
            scenarios, db = retail_scenarios(), retail_db()
            for task in [*retail_dev_tasks(), *retail_v1_tasks()]:
                script = build_script(scenarios[task["id"]], db).to_json()
                inputs = {**task, "form": MULTI_TURN, "script": script}
                cases.append(Case(id=inputs.pop("id") + MULTI_TURN_SUFFIX, inputs=inputs))
        return cases

    def concurrency(self, settings: Settings) -> int:
        return 1  # every task resets the one commerce database

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        async with chat_environment(context, "agent") as chat:
            commerce = chat.commerce if isinstance(chat.commerce, InspectableCommerce) else None
            oracle = StateOracle.for_commerce(commerce, context.work_dir / "state") if commerce is not None else None
            with oracle or nullcontext():
                yield _TaskRunner(chat, oracle, commerce.db_path if commerce is not None else None)

    def metrics(self) -> list[MetricSpec]:
        specs = [
            MetricSpec("success_rate", per_case="success", failed_as=0.0, description="Writes and facts as in the ground truth."),
            MetricSpec("writes_match", per_case="writes_match", failed_as=0.0),
            MetricSpec(
                "db_match",
                per_case="db_match",
                failed_as=0.0,
                description="The commerce database the agent left equals the ground truth's replayed on the seed.",
            ),
            MetricSpec("facts_recall", per_case="facts_recall", description="Over tasks that list output facts."),
        ]
        specs += [MetricSpec(f"{s}.success_rate", per_case=f"{s}.success") for s in ("retail_dev", "retail_v1", "banking")]
        specs += [MetricSpec(f"{s}.db_match", per_case=f"{s}.db_match") for s in ("retail_dev", "retail_v1", "banking")]
        specs += [
            MetricSpec("tool_argument_errors", per_case="tool_argument_errors", higher_is_better=False, description="Per task."),
            MetricSpec("turns", per_case="turns", higher_is_better=False),
            MetricSpec("tool_calls", per_case="tool_calls", higher_is_better=False),
            MetricSpec("llm_calls", per_case="llm_calls", higher_is_better=False),
            MetricSpec("tokens", per_case="tokens", higher_is_better=False, description="Prompt + completion tokens per task."),
            MetricSpec(
                "invented_id_calls", per_case="invented_id_calls", higher_is_better=False,
                description="Tool calls per task with an id in neither the seed nor the conversation before the call.",
            ),
            MetricSpec(
                "dropped_requests", per_case="dropped_requests", higher_is_better=False,
                description="Ground-truth writes per task that no reply proposed, refused or asked about.",
            ),
        ]  # fmt: skip
        for form in self.forms:
            key = form_key(form)
            specs += [
                MetricSpec(f"{key}.success_rate", per_case=f"{key}.success", failed_as=0.0),
                MetricSpec(f"{key}.db_match", per_case=f"{key}.db_match", failed_as=0.0),
                MetricSpec(f"{key}.invented_id_calls", per_case=f"{key}.invented_id_calls", higher_is_better=False),
                MetricSpec(f"{key}.dropped_requests", per_case=f"{key}.dropped_requests", higher_is_better=False),
            ]
        if MULTI_TURN in self.forms:  # the one-message form keeps the unprefixed per-set names
            specs += [MetricSpec(f"multi_turn.{s}.success_rate", per_case=f"multi_turn.{s}.success") for s in RETAIL_SETS]
            specs += [MetricSpec(f"multi_turn.{s}.db_match", per_case=f"multi_turn.{s}.db_match") for s in RETAIL_SETS]
        return specs

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        tasks_by_set: dict[str, Any] = {}
        for record in records:
            entry = tasks_by_set.setdefault(record.inputs["set"], {"tasks": 0, "success": 0, "db_match": 0, "failed_to_run": 0})
            entry["tasks"] += 1
            entry["success"] += bool(record.ok and record.scores.get("success"))
            entry["db_match"] += bool(record.ok and record.scores.get("db_match"))
            entry["failed_to_run"] += not record.ok
        by_form: dict[str, Any] = {}
        for record in records:
            entry = by_form.setdefault(record.inputs.get("form", ONE_MESSAGE), dict.fromkeys(_FORM_COUNTS, 0))
            entry["tasks"] += 1
            entry["success"] += bool(record.ok and record.scores.get("success"))
            entry["db_match"] += bool(record.ok and record.scores.get("db_match"))
            entry["invented_id_calls"] += int(record.scores.get("invented_id_calls") or 0)
            entry["requests"] += len(record.inputs["writes"])
            entry["dropped_requests"] += int(record.scores.get("dropped_requests") or 0)
            entry["failed_to_run"] += not record.ok
        return {"tasks by set": tasks_by_set, "tasks by form": by_form}

    def outcome(self, record: CaseRecord) -> str:
        got = [name for name, _ in record.outputs.get("executed", [])]
        match = record.scores.get("db_match")
        state = "state=unchecked" if match is None else "state=match" if match else "state=differs"
        return f"{'success' if record.scores.get('success') else 'fail'} {state} {got}"


_FORM_COUNTS = ("tasks", "success", "db_match", "invented_id_calls", "requests", "dropped_requests", "failed_to_run")


class _TaskRunner:
    def __init__(self, chat: ChatEnvironment, oracle: StateOracle | None, agent_db: Path | None) -> None:
        self._chat = chat
        self._engine = chat.engine
        self._commerce = chat.commerce
        self._oracle = oracle
        self._agent_db = agent_db  # the commerce service's live database, read after each task

    async def run(self, case: Case) -> CaseOutput:
        task = case.inputs
        self._commerce.reset()
        customer = task["customer"]
        conversation = await self._chat.start(customer)
        form = task.get("form", ONE_MESSAGE)
        started = time.perf_counter()
        if form == MULTI_TURN:
            transcript = await play_multi_turn(self._chat, conversation, customer, Script.from_json(task["script"]))
        else:
            transcript = await play_one_message(self._chat, conversation, customer, task["message"], writes=len(task["writes"]))
        replies = [turn["reply"] for turn in transcript]
        turns, handed_off = len(transcript), any(turn["handoff"] for turn in transcript)
        requested = task["actions"] or [{"name": name, "arguments": {}} for name, _ in task["writes"]]
        dropped = dropped_requests(requested, transcript)
        invented = invented_ids(self._turn_calls(transcript))
        facts = task["facts"]
        executed = self._executed_writes(conversation, handed_off)
        expected = [list(w) for w in task["writes"]]
        writes_match = executed == expected
        recall = facts_recall("\n".join(replies), facts)
        success = writes_match and recall == 1.0
        db_match, state = self._state(task["actions"])
        calls, argument_errors, refusals = self._tool_calls(conversation)
        llm_calls, tokens_in, tokens_out = self._llm_usage(conversation)
        scores: dict[str, float | None] = {
            "success": float(success),
            "writes_match": float(writes_match),
            "db_match": db_match,
            f"{task['set']}.success": float(success),
            f"{task['set']}.db_match": db_match,
            "tool_argument_errors": float(argument_errors),
            "turns": float(turns),
            "tool_calls": float(calls),
            "llm_calls": float(llm_calls),
            "tokens": float(tokens_in + tokens_out),
            "invented_id_calls": float(len(invented)),
            "dropped_requests": float(len(dropped)),
        }
        key = form_key(form)
        scores.update({
            f"{key}.success": float(success), f"{key}.db_match": db_match,
            f"{key}.invented_id_calls": float(len(invented)), f"{key}.dropped_requests": float(len(dropped)),
        })  # fmt: skip
        if form == MULTI_TURN:  # the per-set names without a prefix stay the one-message form's
            for name in (f"{task['set']}.success", f"{task['set']}.db_match"):
                scores[f"{key}.{name}"] = scores.pop(name)
        if facts:
            scores["facts_recall"] = recall
        return CaseOutput(
            outputs={
                "conversation_id": conversation, "executed": executed, "handoff": handed_off, "replies": replies,
                "chat_seconds": round(time.perf_counter() - started, 3), **state, "tool_refusals": refusals,
                "turn_overhead_ms": self._turn_overhead(conversation), "form": form,
                "invented_ids": invented, "dropped": [requested[i]["name"] for i in dropped],
                "transcript": [{k: t[k] for k in ("request", "customer", "reply")} for t in transcript],
            },
            scores=scores, tokens_in=tokens_in, tokens_out=tokens_out,
        )  # fmt: skip

    def _state(self, actions: list[dict[str, Any]]) -> tuple[float | None, dict[str, Any]]:
        """`db_match` (None when not certifiable) and what the record keeps of the check: the rows that differ, in brief,
        and the ground-truth writes the service refused on replay."""
        if self._oracle is None or self._agent_db is None:
            return None, {"db_check": "not checked: the commerce service given to the run exposes no database files"}
        check = self._oracle.check(actions, self._agent_db)
        db_match = None if check.db_match is None else float(check.db_match)
        return db_match, {"db_diff": check.brief(), "gold_refused": check.refused}

    def _executed_writes(self, conversation: str, handed_off: bool) -> list[list[str]]:
        """The executed writes of the audit log; a handoff is the chat API's (the human queue took the conversation)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT tool, arguments FROM tool_audit_log"
                    " WHERE conversation_id = :c AND outcome IN ('executed', 'handed_off')"
                ),
                {"c": conversation},
            ).all()
        writes = [list(normal_write(tool, json.loads(args) if isinstance(args, str) else args)) for tool, args in rows]
        writes = [write for write in writes if write[0] != HANDOFF] + ([[HANDOFF, ""]] if handed_off else [])
        return sorted(writes)

    def _tool_calls(self, conversation: str) -> tuple[int, int, dict[str, int]]:
        return tool_calls(self._engine, conversation)

    def _turn_calls(self, transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The transcript's turns with the tool calls each recorded (name, arguments, result), in order."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT turn_id, name, arguments, result FROM tool_calls WHERE turn_id IN"
                    " (SELECT id FROM turns WHERE conversation_id = (SELECT conversation_id FROM turns WHERE id = :t))"
                    " ORDER BY id"
                ),
                {"t": transcript[0]["turn_id"] if transcript else ""},
            ).all()
        calls: dict[str, list[dict[str, Any]]] = {}
        for turn_id, name, arguments, result in rows:
            arguments = json.loads(arguments) if isinstance(arguments, str) else arguments
            result = json.loads(result) if isinstance(result, str) else result
            calls.setdefault(turn_id, []).append({"name": name, "arguments": arguments, "result": result})
        return [{"customer": t["customer"], "reply": t["reply"], "calls": calls.get(t["turn_id"], [])} for t in transcript]

    def _turn_overhead(self, conversation: str) -> list[float]:
        return turn_overhead(self._engine, conversation)

    def _llm_usage(self, conversation: str) -> tuple[int, int, int]:
        return llm_usage(self._engine, conversation)
