"""How well the requests of a message are read in code (a script, not a test): the retail agent tasks' messages.

For each task's one-message text, `operations.plan.plan_requests` (with the router's keyword rule for a message
naming one operation) gives the requests it finds; the task's ground-truth writes say which there are. A request
matches a write when the write's operation is the request's or one of its status alternatives (cancel/return,
modify/exchange: the order's status decides at run time). Reports, per split: messages whose requests equal the
ground truth's writes in order (counting "cancel all my pending orders" as one request per order is left to run
time, so writes of one operation on several orders are compared as one), requests found, missed and extra.

    python bench/request_plan_bench.py [--split dev|test|both] [--show]

`dev` is tasks_dev.json (74); `test` is the agent-tasks benchmark's held-back slice of tasks_v1.json (40), never
used to tune the rules. No model, no service: a few milliseconds per message.
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import groupby
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.agent.operations.offered import ShopOperations  # noqa: E402
from assistant.agent.operations.plan import plan_requests  # noqa: E402
from assistant.agent.operations.registry import OPERATIONS  # noqa: E402
from assistant.agent.router import rule_route  # noqa: E402
from assistant.shops import load_shop  # noqa: E402
from bench.agent_tasks_bench import task_ids  # noqa: E402
from evals.suites.agent_data import retail_dev_tasks, retail_v1_tasks  # noqa: E402

OPERATION_OF_TOOL = {tool: operation.name for operation in OPERATIONS for tool in operation.tools}


def expected(task: dict) -> list[str]:  # type: ignore[type-arg]
    """The ground truth's write operations in order, repeated ones (one per order) counted once."""
    names = [OPERATION_OF_TOOL.get(name, name) for name, _ in task["writes"]]
    return [name for name, _ in groupby(names)]


def found(message: str) -> list[set[str]]:
    retail = ShopOperations.of(load_shop("retail"))  # the tasks are the retail shop's
    planned = plan_requests(message, retail)
    if not planned:
        by_rule = rule_route(message, retail)
        return [{by_rule}] if by_rule and by_rule not in ("question", "human_agent", "identify") else []
    return [{p.name, *(a.name for a in p.alternatives), *(f.name for f in p.fallbacks)} for p in planned]


def score(tasks: list[dict], show: bool) -> dict[str, float]:  # type: ignore[type-arg]
    exact = hits = missed = extra = 0
    started = time.perf_counter()
    for task in tasks:
        truth, got = expected(task), found(task["message"])
        remaining = list(got)
        for name in truth:
            match = next((requests for requests in remaining if name in requests), None)
            if match is None:
                missed += 1
            else:
                hits += 1
                remaining.remove(match)
        extra += len(remaining)
        same = len(truth) == len(got) and all(name in requests for name, requests in zip(truth, got, strict=True))
        exact += same
        if show and not same:
            print(f"  {task['id']}: truth {truth}, read {[sorted(r) for r in got]}")
    seconds = time.perf_counter() - started
    total = sum(len(expected(task)) for task in tasks)
    return {
        "messages": len(tasks), "exact": exact, "exact_rate": round(exact / len(tasks), 3),
        "writes": total, "found": hits, "missed": missed, "extra": extra,
        "ms_per_message": round(1000 * seconds / len(tasks), 2),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--show", action="store_true", help="list the messages whose requests differ (dev only)")
    args = parser.parse_args()
    if args.split in ("dev", "both"):
        print("dev", score(retail_dev_tasks(), args.show))
    if args.split in ("test", "both"):
        held_back = set(task_ids("test", None))
        print("test", score([t for t in retail_v1_tasks() if t["id"] in held_back], show=False))


if __name__ == "__main__":
    main()
