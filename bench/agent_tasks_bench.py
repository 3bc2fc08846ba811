"""Agent benchmark on the tau2 retail tasks, one-message and/or multi-turn form (a script, not a test): the evals
agent-tasks suite.

The tasks run through the evaluation harness (`evals.harness.runner.run_suite`, suite `agent-tasks`), so the loop,
the scores and the run folder are the suite's. One-message form: each task's whole scenario is the customer's first
message, every proposed write is answered "yes". Multi-turn form: a scripted customer gives its identity, then each
request in its own message, answering the assistant's questions from the scenario (evals/suites/customer_script.py).
A task succeeds when the writes the assistant executed (the tools' audit log) equal the ground-truth writes in name
and arguments; the state match says whether the commerce database it left equals the ground truth's replayed on the
seed. Per form also: tool calls with invented ids, and ground-truth writes no reply spoke to (dropped silently).
Runs the real stack: the local model (default 1.5B) on loopback, the suite's own reference commerce service, Chroma
with the retail policy ingested, and the chat API in process.

    python bench/agent_tasks_bench.py [--split dev|test] [--form one-message|multi-turn|both] [--limit N]
        [--model qwen2.5-coder-1.5b] [--threads 1] [--no-ttft]

`dev` is data/retail/tasks_dev.json (74 tasks). `test` is a fixed seeded slice of data/retail/tasks_v1.json kept
aside (never used to tune the agent). Also measured: orchestration overhead per turn excluding model time (p50/p95),
and time to the first streamed token of a first turn (cold prefix cache) vs a second turn (warm).
With --limit N each form runs the same first N tasks of the split. Writes bench/results/agent_tasks_<split>.json
(one-message form) or agent_tasks_<split>_<form>.json; the run folder (cases.jsonl, results.json, report.html) is
printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.agent.events import TokenEvent  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.harness.aggregate import aggregate  # noqa: E402
from evals.harness.environment import model_server  # noqa: E402
from evals.harness.models import CaseRecord, MetricValue  # noqa: E402
from evals.harness.runner import RunRequest, run_suite  # noqa: E402
from evals.harness.store import RunStore, runs_dir  # noqa: E402
from evals.suites import get_suite  # noqa: E402
from evals.suites.agent_data import retail_dev_tasks, retail_v1_tasks  # noqa: E402
from evals.suites.agent_play import FORMS, MULTI_TURN  # noqa: E402
from evals.suites.agent_tasks import MULTI_TURN_SUFFIX  # noqa: E402
from evals.suites.chat_env import ChatEnvironment  # noqa: E402

DATA = REPO / "data" / "retail"
TEST_SEED, TEST_SIZE = 20261122, 40
TTFT_QUESTIONS = (
    "What is your policy on returning delivered items?",
    "Can I cancel an order that is already processed?",
)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def task_ids(split: str, limit: int | None, forms: tuple[str, ...] = (FORMS[0],)) -> list[str]:
    """The split's case ids of the agent-tasks suite, in data-set order, per form; `limit` keeps the first N tasks."""
    if split == "dev":
        ids = [task["id"] for task in retail_dev_tasks()]
    else:
        pool = retail_v1_tasks()
        ids = [pool[index]["id"] for index in sorted(random.Random(TEST_SEED).sample(range(len(pool)), TEST_SIZE))]
    ids = ids[:limit]
    return [case_id + (MULTI_TURN_SUFFIX if form == MULTI_TURN else "") for form in forms for case_id in ids]


async def ttft(chat: ChatEnvironment, customer: str) -> list[float]:
    """Seconds to the first streamed token of each turn of a two-question conversation."""
    conversation = await chat.start(customer)
    times = []
    for question in TTFT_QUESTIONS:
        started = time.perf_counter()
        first = None
        async for event in await chat.stream(conversation, customer, question):
            if first is None and isinstance(event, TokenEvent) and event.text:
                first = time.perf_counter() - started
        times.append(round(first if first is not None else float("nan"), 2))
    return times


async def measure_ttft(settings: Settings, work: Path) -> dict[str, list[float]]:
    """Time to first token on a model server that has served nothing yet, then on a second conversation."""
    from assistant.components.container import build_components
    from evals.suites.base import EvalContext
    from evals.suites.chat_env import chat_environment

    components = build_components(settings)
    try:
        async with chat_environment(EvalContext(settings=settings, components=components, work_dir=work), "ttft") as chat:
            first = await ttft(chat, "ttft_customer_1")
            second = await ttft(chat, "ttft_customer_2")
    finally:
        await components.close()
    return {"fresh_server_turn1_turn2": first, "next_conversation_turn1_turn2": second}


def print_case(number: list[int], total: int, record: CaseRecord) -> None:
    number[0] += 1
    got = [name for name, _ in record.outputs.get("executed", [])]
    want = [name for name, _ in record.inputs["writes"]]
    if not record.ok:
        print(f"[{number[0]}/{total}] task {record.case_id}: failed to run: {record.error}", flush=True)
        return
    status = "OK " if record.scores.get("writes_match") else "bad"
    match = record.scores.get("db_match")
    state = "state unchecked" if match is None else "state ok" if match else "state differs"
    extra = f"dropped={record.scores.get('dropped_requests', 0):.0f} invented={record.scores.get('invented_id_calls', 0):.0f}"
    print(f"[{number[0]}/{total}] task {record.case_id}: {status} {state} {record.scores['turns']:.0f} turns "
          f"{record.outputs['chat_seconds']:.1f} s {extra}  got={got} want={want}", flush=True)  # fmt: skip


def summarise(records: list[CaseRecord], metric: dict[str, MetricValue]) -> dict[str, Any]:
    """The figures of one form's records (`metric`: the suite's metrics over those records alone)."""
    ran = [record for record in records if record.ok]
    single = [record for record in records if len(record.inputs["writes"]) == 1]
    refusals: Counter[str] = Counter()
    for record in ran:
        refusals.update(record.outputs.get("tool_refusals", {}))
    overhead = sorted(ms for record in ran for ms in record.outputs.get("turn_overhead_ms", []))
    checked = [record for record in ran if record.scores.get("db_match") is not None]
    return {
        "tasks": len(records),
        "failed_to_run": len(records) - len(ran),
        "success": sum(bool(record.scores.get("writes_match")) for record in ran),
        "success_rate": metric["writes_match"].value,  # the writes in the audit log = the ground truth's
        "success_with_facts_rate": metric["success_rate"].value,  # the suite's success: writes and output facts
        "single_write_success": f"{sum(bool(r.scores.get('writes_match')) for r in single if r.ok)} of {len(single)}",
        "db_match": sum(bool(record.scores.get("db_match")) for record in checked),
        "db_match_rate": metric["db_match"].value,
        "db_not_certified": len(ran) - len(checked),  # a ground-truth write the service refuses, and the state matches
        "tool_calls": sum(int(record.scores.get("tool_calls") or 0) for record in ran),
        "bad_argument_calls": sum(int(record.scores.get("tool_argument_errors") or 0) for record in ran),
        "invented_id_calls": sum(int(record.scores.get("invented_id_calls") or 0) for record in ran),
        "requests": sum(len(record.inputs["writes"]) for record in ran),
        "dropped_requests": sum(int(record.scores.get("dropped_requests") or 0) for record in ran),
        "refused_calls": dict(refusals),
        "turns_per_task": round(statistics.mean(r.scores["turns"] or 0 for r in ran), 2) if ran else 0,
        "seconds_per_task": round(statistics.mean(r.outputs["chat_seconds"] for r in ran), 1) if ran else 0,
        "orchestration_overhead_per_turn": {
            "p50_ms": round(statistics.median(overhead), 1),
            "p95_ms": round(overhead[int(0.95 * (len(overhead) - 1))], 1),
            "turns": len(overhead),
        }
        if overhead
        else {},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--form", choices=[*FORMS, "both"], default=FORMS[0], help="How the customer plays each task.")
    parser.add_argument("--limit", type=int, default=None, help="Run only the first N tasks.")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ttft", action=argparse.BooleanOptionalAction, default=True, help="Measure time to first token.")
    args = parser.parse_args()
    forms = FORMS if args.form == "both" else (args.form,)
    ids = task_ids(args.split, args.limit, forms)
    suite = get_suite("agent-tasks", form=args.form)

    work = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    values: dict[str, Any] = {
        "data_dir": work,
        "llm": {"local_model": args.model, "models_dir": REPO / "var" / "models", "port": free_port(),
                "n_threads": args.threads, "n_threads_batch": args.threads, "timeout_seconds": 300},
        "vector_store": {"path": work / "chroma"},
        "agent": {"turn_seconds": 600},
    }  # fmt: skip
    trained = REPO / "var" / "understanding" / "model.joblib"
    if trained.exists():  # the model `assistant understand train` made (the quickstart's): intents route as served
        values["understanding"] = {"model_path": trained}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    # The suite's chat environment sets the rest: its own conversation database, commerce service and API key, and
    # no rate limit or human approval of large refunds (not the agent's decision; the tasks expect the writes to run).
    from assistant.components.container import build_components
    from ingest.pipeline import IngestPipeline

    components = build_components(settings)
    from assistant.shops import load_shop

    # The retail shop's own collection: the suite plays its customers (evals/suites/chat_env.py).
    IngestPipeline(components, load_shop("retail").profile.collection).run([DATA / "policy.md"], "policy")
    asyncio.run(components.close())
    run_id = f"agent-tasks-bench-{args.split}-{args.form}-{time.strftime('%Y%m%d-%H%M%S')}"
    number = [0]
    with model_server(settings, True):  # one server for both parts: the suite's run finds it answering
        ttft_seconds = asyncio.run(measure_ttft(settings, work / "ttft")) if args.ttft else {}
        run_suite(
            RunRequest(
                suite=suite,
                settings=settings,
                only=ids,
                run_id=run_id,
                progress=False,
                on_case=lambda record: print_case(number, len(ids), record),
            )  # fmt: skip
        )
    store = RunStore(runs_dir(settings.data_dir) / run_id)
    by_id = store.records()
    records = [by_id[case_id] for case_id in ids if case_id in by_id]
    per_form = {}
    for form in forms:
        mine = [record for record in records if record.inputs.get("form", FORMS[0]) == form]
        per_form[form] = summarise(mine, aggregate(suite.metrics(), mine))
    figures = per_form[forms[0]] if len(forms) == 1 else {"forms": per_form}
    summary = {
        "split": args.split, "model": args.model, "form": args.form, **figures, "ttft_seconds": ttft_seconds,
        "run_folder": str(store.folder),
    }  # fmt: skip
    name = f"agent_tasks_{args.split}" + ("" if args.form == FORMS[0] else f"_{args.form}")
    out = REPO / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tasks = [
        record.model_dump(mode="json", include={"case_id", "ok", "error", "inputs", "outputs", "scores"}) for record in records
    ]
    out.write_text(json.dumps({"summary": summary, "tasks": tasks}, indent=1, default=str), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    print(f"written {out}; run folder {store.folder} (report.html)")


if __name__ == "__main__":
    main()
