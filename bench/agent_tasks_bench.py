"""Agent benchmark on the tau2 retail tasks, one-message form (a script, not a test).

Each task's whole scenario is the customer's first message; every proposed
write is answered "yes". A task succeeds when the writes the assistant executed
(the tools' audit log) equal the ground-truth write actions in name and
arguments. Runs the real stack: the local model (default 1.5B) on loopback, the
reference commerce service (reset to the retail seed before every task), Chroma
with the retail policy ingested, and the chat API in process.

    python bench/agent_tasks_bench.py [--split dev|test] [--limit N] [--model qwen2.5-coder-1.5b]

`dev` is data/retail/tasks_dev.json (74 tasks). `test` is a fixed seeded slice of
data/retail/tasks_v1.json kept aside (never used to tune the agent). Also measured:
orchestration overhead per turn excluding model time (p50/p95), and time to the
first streamed token of a first turn (cold prefix cache) vs a second turn (warm).
Writes bench/results/agent_tasks_<split>.json.
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

import httpx
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.llm.local_server import LocalLLMServer  # noqa: E402
from assistant.server.app import create_app  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from commerce.database import copy_sqlite, open_database  # noqa: E402
from commerce.process import CommerceProcess  # noqa: E402
from commerce.seed import load_seed  # noqa: E402
from evals.suites.agent_data import normal_write, retail_dev_tasks, retail_v1_tasks  # noqa: E402

DATA = REPO / "data" / "retail"
TEST_SEED, TEST_SIZE = 20261122, 40
SHOP_KEY = "bench-shop-key"
MAX_TURNS = 6
TTFT_QUESTIONS = (
    "What is your policy on returning delivered items?",
    "Can I cancel an order that is already processed?",
)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_tasks(split: str) -> list[dict[str, Any]]:
    """(id, message, customer id, ground-truth writes) of each task; the task reading is the evals suite's (one copy)."""
    if split == "dev":
        tasks = retail_dev_tasks()
    else:
        pool = retail_v1_tasks()
        tasks = [pool[index] for index in sorted(random.Random(TEST_SEED).sample(range(len(pool)), TEST_SIZE))]
    return [{**task, "writes": [tuple(write) for write in task["writes"]]} for task in tasks]


async def run_task(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    headers = {"X-Customer-Id": task["customer"]}
    conversation = (await http.post("/v1/conversations", headers=headers)).json()["id"]
    started = time.perf_counter()
    turns, text_in, errors = 0, task["message"], []
    while turns < MAX_TURNS:
        response = await http.post(f"/v1/conversations/{conversation}/messages", json={"content": text_in}, headers=headers)
        turns += 1
        if response.status_code != 200:
            errors.append(f"{response.status_code}: {response.text[:200]}")
            break
        reply = response.json()
        if not reply["pending_confirmation"]:
            break
        text_in = "yes"
    return {"conversation": conversation, "turns": turns, "seconds": time.perf_counter() - started, "errors": errors}


def executed_writes(database_url: str, conversation: str) -> list[tuple[str, str]]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT tool, arguments FROM tool_audit_log WHERE conversation_id = :c AND outcome IN ('executed', 'handed_off')"
            ),
            {"c": conversation},
        ).all()
    engine.dispose()
    return sorted(normal_write(tool, json.loads(args) if isinstance(args, str) else args) for tool, args in rows)


def tool_call_errors(database_url: str) -> tuple[int, Counter[str]]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT ok, error FROM tool_calls")).all()
    engine.dispose()
    counts: Counter[str] = Counter()
    for ok, error in rows:
        if not ok:
            reason = str(error).split(":", 1)[0]
            counts["bad_arguments" if reason in ("bad_arguments", "bad_input") else f"refused:{reason}"] += 1
    return len(rows), counts


def overhead(database_url: str) -> dict[str, float]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT seconds - llm_seconds FROM turns")).scalars().all()
    engine.dispose()
    values = sorted(float(v) * 1000 for v in rows)
    if not values:
        return {}
    return {
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(values[int(0.95 * (len(values) - 1))], 1),
        "turns": len(values),
    }


async def ttft(http: httpx.AsyncClient, customer: str) -> list[float]:
    """Seconds to the first streamed token of each turn of a two-question conversation."""
    headers = {"X-Customer-Id": customer}
    conversation = (await http.post("/v1/conversations", headers=headers)).json()["id"]
    times = []
    for question in TTFT_QUESTIONS:
        started = time.perf_counter()
        first = None
        async with http.stream(
            "POST", f"/v1/conversations/{conversation}/messages/stream", json={"content": question}, headers=headers
        ) as response:
            async for line in response.aiter_lines():
                if first is None and line.startswith("event: token"):
                    first = time.perf_counter() - started
        times.append(round(first if first is not None else float("nan"), 2))
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--limit", type=int, default=None, help="Run only the first N tasks.")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    tasks = load_tasks(args.split)[: args.limit]

    work = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    template, live = work / "retail-template.db", work / "retail.db"
    database = open_database(f"sqlite:///{template}")
    load_seed(database, "retail")
    database.dispose()
    copy_sqlite(template, live)
    commerce = CommerceProcess(
        database_url=f"sqlite:///{live}", port=free_port(), api_key="bench-commerce-key", log_path=work / "commerce.log"
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=work,
        llm={"local_model": args.model, "models_dir": REPO / "var" / "models", "port": free_port(),
             "n_threads": args.threads, "n_threads_batch": args.threads, "timeout_seconds": 300},
        vector_store={"path": work / "chroma"},
        database={"url": f"sqlite:///{work / 'assistant.db'}"},
        commerce={"base_url": commerce.base_url, "api_key": "bench-commerce-key"},
        server={"api_keys": {"bench": SHOP_KEY}},
        agent={"turn_seconds": 600, "rate_limit": "1000/minute"},
        # Human approval of large refunds is not the agent's decision; the tasks expect the writes to run.
        tools={"approval_refund_limit": 1_000_000},
    )  # fmt: skip
    from assistant.components.container import build_components
    from ingest.pipeline import IngestPipeline

    components = build_components(settings)
    IngestPipeline(components).run([DATA / "policy.md"], "policy")
    llm = LocalLLMServer(settings.llm, log_path=work / "llm.log")
    commerce.start()
    llm.start()
    results = []
    try:
        app = create_app(settings, components)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://assistant",
            headers={"Authorization": f"Bearer {SHOP_KEY}"}, timeout=900,
        ) as http:  # fmt: skip
            ttft_first = await ttft(http, "ttft_customer_1")
            ttft_next = await ttft(http, "ttft_customer_2")
            for number, task in enumerate(tasks, 1):
                copy_sqlite(template, live)
                outcome = await run_task(http, task)
                got = executed_writes(settings.database.url, outcome["conversation"])
                success = got == task["writes"]
                results.append({**task, **outcome, "executed": got, "success": success})
                got_names, want_names = [g[0] for g in got], [w[0] for w in task["writes"]]
                status = "OK " if success else "bad"
                print(f"[{number}/{len(tasks)}] task {task['id']}: {status} {outcome['turns']} turns "
                      f"{outcome['seconds']:.1f} s  got={got_names} want={want_names}", flush=True)  # fmt: skip
    finally:
        llm.stop()
        commerce.stop()
    calls, errors = tool_call_errors(settings.database.url)
    summary = {
        "split": args.split,
        "model": args.model,
        "tasks": len(results),
        "success": sum(r["success"] for r in results),
        "success_rate": round(sum(r["success"] for r in results) / max(1, len(results)), 3),
        "tool_calls": calls,
        "bad_argument_calls": errors["bad_arguments"],
        "refused_calls": {k.split(":", 1)[1]: v for k, v in errors.items() if k.startswith("refused:")},
        "turns_per_task": round(statistics.mean(r["turns"] for r in results), 2) if results else 0,
        "seconds_per_task": round(statistics.mean(r["seconds"] for r in results), 1) if results else 0,
        "orchestration_overhead_per_turn": overhead(settings.database.url),
        "ttft_seconds": {"fresh_server_turn1_turn2": ttft_first, "next_conversation_turn1_turn2": ttft_next},
    }
    out = REPO / "bench" / "results" / f"agent_tasks_{args.split}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "tasks": results}, indent=1, default=str), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    print(f"written {out}; work folder {work}")


if __name__ == "__main__":
    asyncio.run(main())
