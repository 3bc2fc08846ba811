"""Agent benchmark on the Chinese appliance shop's own eval set (a script, not a test): `agent-tasks --shop
jd_appliances`, through the evaluation harness.

Each task of evals/datasets/jd_tasks.jsonl is played in its own form (one message with every proposed write answered
确认, or the scripted customer) against the suite's own reference commerce service over the `ecom_store` seed; a task
succeeds when the commerce database it left satisfies the task's assertions and nothing else changed, every required
fact is in a reply, no forbidden fact is, and the conversation went to a person exactly when the task says. Runs the
real stack: the local model (default 1.5B) on loopback, Chroma with the shop's knowledge (its shop.toml [[knowledge]]:
products.json for customers, policy_zh.md internal) ingested into the bench's own folder, the chat API in process.

    python bench/jd_tasks_bench.py --split dev|test [--form one-message|multi-turn|both] [--limit N]
        [--model qwen2.5-coder-1.5b] [--threads 1]

`dev` is for tuning; `test` was written first and is only reported (evals/datasets/JD_TASKS.md). With --limit N the
first N tasks of the split run. Prints one line per task, then the figures overall, per form and per category, and
writes bench/results/jd_tasks_<split>.json; the run folder (cases.jsonl, results.json, report.html) is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.settings import Settings  # noqa: E402
from assistant.shops import load_shop  # noqa: E402
from evals.harness.environment import model_server  # noqa: E402
from evals.harness.models import CaseRecord  # noqa: E402
from evals.harness.runner import RunRequest, run_suite  # noqa: E402
from evals.harness.store import RunStore, runs_dir  # noqa: E402
from evals.suites import get_suite  # noqa: E402

SHOP = "jd_appliances"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def print_case(number: list[int], total: int, record: CaseRecord) -> None:
    number[0] += 1
    if not record.ok:
        print(f"[{number[0]}/{total}] {record.case_id}: failed to run: {record.error}", flush=True)
        return
    scores, outputs = record.scores, record.outputs
    state = "state ok" if scores.get("db_match") else f"state differs {outputs.get('db_diff', [])[:2]}"
    verdict = "OK " if scores.get("success") else "bad"
    print(f"[{number[0]}/{total}] {record.case_id} ({record.inputs['category']}, {record.inputs['form']}): {verdict} "
          f"{state} facts={scores.get('facts_recall', '-')} handoff={outputs.get('handoff')} {scores['turns']:.0f} turns "
          f"{outputs['chat_seconds']:.1f} s", flush=True)  # fmt: skip


def figures(records: list[CaseRecord]) -> dict[str, Any]:
    ran = [record for record in records if record.ok]

    def count(score: str) -> int:
        return sum(bool(record.scores.get(score)) for record in ran)

    with_facts = [float(recall) for record in ran if (recall := record.scores.get("facts_recall")) is not None]
    return {
        "tasks": len(records),
        "failed_to_run": len(records) - len(ran),
        "success": count("success"),
        "success_rate": round(count("success") / len(records), 3) if records else None,
        "db_match": count("db_match"),
        "handoff_match": count("handoff_match"),
        "facts_recall": round(statistics.mean(with_facts), 3) if with_facts else None,
        "turns_per_task": round(statistics.mean(record.scores["turns"] or 0 for record in ran), 2) if ran else 0,
        "seconds_per_task": round(statistics.mean(record.outputs["chat_seconds"] for record in ran), 1) if ran else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--form", choices=["one-message", "multi-turn", "both"], default="both")
    parser.add_argument("--limit", type=int, default=None, help="Run only the first N tasks of the split.")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    suite = get_suite("agent-tasks", shop=SHOP, split=args.split, form=args.form)
    ids = [case.id for case in suite.load_cases()][: args.limit]

    work = Path(tempfile.mkdtemp(prefix="jd-bench-"))
    values: dict[str, Any] = {
        "data_dir": work,
        "llm": {"local_model": args.model, "models_dir": REPO / "var" / "models", "port": free_port(),
                "n_threads": args.threads, "n_threads_batch": args.threads, "timeout_seconds": 300},
        "vector_store": {"path": work / "chroma"},
        "agent": {"turn_seconds": 600},
    }  # fmt: skip
    trained = REPO / "var" / "understanding" / "model.joblib"
    if trained.exists():  # the model `assistant understand train` made: intents route as served
        values["understanding"] = {"model_path": trained}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    from assistant.components.container import build_components
    from ingest.pipeline import IngestPipeline

    components = build_components(settings)
    for source in load_shop(SHOP).profile.knowledge:
        # Into the shop's own collection: its turns search only that one (a tenant's knowledge is its own).
        IngestPipeline(components, load_shop(SHOP).profile.collection).run(
            [REPO / source.path], source.kind, audience=source.audience
        )
    asyncio.run(components.close())
    run_id = f"jd-tasks-bench-{args.split}-{args.form}-{time.strftime('%Y%m%d-%H%M%S')}"
    number = [0]
    with model_server(settings, True):
        run_suite(
            RunRequest(suite=suite, settings=settings, only=ids, run_id=run_id, progress=False,
                       on_case=lambda record: print_case(number, len(ids), record))
        )  # fmt: skip
    store = RunStore(runs_dir(settings.data_dir) / run_id)
    by_id = store.records()
    records = [by_id[case_id] for case_id in ids if case_id in by_id]
    summary = {
        "split": args.split, "model": args.model, "form": args.form, **figures(records),
        "per_form": {f: figures([r for r in records if r.inputs["form"] == f]) for f in ("one_message", "multi_turn")},
        "per_category": {
            c: figures([r for r in records if r.inputs["category"] == c]) for c in sorted({r.inputs["category"] for r in records})
        },
        "run_folder": str(store.folder),
    }  # fmt: skip
    out = REPO / "bench" / "results" / f"jd_tasks_{args.split}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tasks = [
        record.model_dump(mode="json", include={"case_id", "ok", "error", "inputs", "outputs", "scores"}) for record in records
    ]
    out.write_text(json.dumps({"summary": summary, "tasks": tasks}, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "per_category"}, indent=1, ensure_ascii=False))
    print(f"written {out}; run folder {store.folder} (report.html)")


if __name__ == "__main__":
    main()
