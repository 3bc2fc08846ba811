"""Interleaved conversations for bench/turn_latency.py (`--interleaved N`): questions and operations mixed.

Conversation i is a question conversation when i is even, an operation one when odd; round k
sends message k of every conversation in order, one turn at a time, so every prompt the model
reads follows another conversation's. The questions come from a pool, so no two conversations
send the same prompt. The operations are the demo customer's (noah_brown_6181, order
#W7678072, delivered): its status, a return proposed, and the proposal declined (nothing is
written). Figures from the client (time to first token, whole turn) and from the stages each
turn recorded (`turns.stages`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

QUESTIONS = [
    "What is your return policy?",
    "How long does a refund take to reach my card?",
    "Can I exchange an item for a different colour?",
    "I would like to know the payment options you accept.",
    "退货政策是什么？",
    "Can I cancel an order after it has shipped?",
    "Do you offer gift cards?",
    "Tell me how exchanges work for delivered orders.",
    "换货需要多久？",
    "Which items cannot be returned?",
    "How do I change the shipping address of a pending order?",
    "I want to understand the refund rules for returned items.",
    "What happens if my package is lost?",
    "Is there a fee for returns?",
    "我可以修改订单的收货地址吗？",
]
OPERATIONS = [
    "I am Noah Brown, zip 80279. Where is my order #W7678072?",
    "I want to return the backpack from order #W7678072.",
    "no",
]
STAGES = (
    "understanding_seconds", "routing_seconds", "retrieval_seconds", "lookup_seconds", "model_seconds",
    "reply_wait_seconds", "first_token_seconds", "last_token_seconds", "overhead_seconds", "prompt_tokens",
)  # fmt: skip


def script(index: int, turns: int) -> list[str]:
    if index % 2:
        return OPERATIONS[:turns]
    start = (index // 2) * turns
    return [QUESTIONS[(start + k) % len(QUESTIONS)] for k in range(turns)]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if unit == "ms" else f"{value:.2f} s" if unit == "s" else f"{value:.0f}"


def recorded_stages(database: str, turn_ids: list[str]) -> dict[str, dict[str, Any]]:
    engine = create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, stages FROM turns WHERE stages IS NOT NULL")).all()
    engine.dispose()
    wanted = set(turn_ids)
    return {row[0]: json.loads(row[1]) if isinstance(row[1], str) else row[1] for row in rows if row[0] in wanted}


def run_interleaved(args: argparse.Namespace, one_turn: Callable[..., dict[str, Any]], results: Path) -> None:
    headers = {"Authorization": f"Bearer {args.key}", "X-Customer-Id": args.customer}
    turns = len(OPERATIONS)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    with httpx.Client(base_url=args.url, headers=headers, timeout=600) as http:
        warm = http.post("/v1/conversations").json()["id"]
        print(json.dumps({"warm": one_turn(http, warm, "How long do I have to return an item?")}, ensure_ascii=False))
        conversations = [(http.post("/v1/conversations").json()["id"], script(i, turns)) for i in range(args.interleaved)]
        for k in range(turns):
            for i, (conversation, messages) in enumerate(conversations):
                row = one_turn(http, conversation, messages[k])
                row.update(conversation=i, kind="operation" if i % 2 else "question", round=k)
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
    wall = time.perf_counter() - started
    stages = recorded_stages(args.database, [str(row["turn_id"]) for row in rows])
    for row in rows:
        row["stages"] = stages.get(str(row["turn_id"]))
    summary = summarise(rows)
    print(f"\n{args.label}\n{len(rows)} turns in {args.interleaved} interleaved conversations, {wall:.0f} s\n")
    for line in report(summary):
        print(line)
    results.mkdir(parents=True, exist_ok=True)
    out = results / "turn_latency_interleaved.json"
    out.write_text(json.dumps({"label": args.label, "summary": summary, "rows": rows}, ensure_ascii=False, indent=1))


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    staged = [row for row in rows if row["stages"]]
    first = [row["first_token_s"] for row in rows if row["first_token_s"] is not None]
    # Questions the model answered (a streamed reply): a fixed reply (no knowledge, waiting for a person) is not one.
    questions = [r["first_token_s"] for r in staged if r["kind"] == "question" and r["stages"]["reply_wait_seconds"]]
    deterministic = [row["total_s"] for row in staged if row["kind"] == "operation" and row["stages"]["model_calls"] == 0]
    routed = [row for row in staged if row["stages"]["routed_by"] is not None]
    by = statistics.multimode([row["stages"]["routed_by"] for row in routed]) if routed else []
    return {
        "turns": len(rows),
        "statuses": sorted({str(row["status"]) for row in rows}),
        "first_token_p50": pct(first, 0.5),
        "first_token_p95": pct(first, 0.95),
        "question_first_token_p50": pct(questions, 0.5),
        "question_first_token_p95": pct(questions, 0.95),
        "deterministic_reply_p50": pct(deterministic, 0.5),
        "deterministic_replies": len(deterministic),
        "overhead_p95": pct([row["stages"]["overhead_seconds"] for row in staged], 0.95),
        "no_routing_call_share": sum(not row["stages"]["routing_model_call"] for row in staged) / len(staged) if staged else None,
        "routed_by": {
            key: sum(row["stages"]["routed_by"] == key for row in routed) for key in ("rule", "intent", "model", "fallback")
        },
        "most_routed_by": by,
        "stages": {
            name: {
                kind: {"p50": pct(values, 0.5), "p95": pct(values, 0.95)}
                for kind in ("question", "operation")
                if (values := [float(r["stages"][name]) for r in staged if r["kind"] == kind and r["stages"][name] is not None])
            }
            for name in STAGES
        },
    }


def report(summary: dict[str, Any]) -> list[str]:
    lines = [
        "| figure | measured | target |",
        "|---|---|---|",
        f"| time to first token p50 | {fmt(summary['first_token_p50'])} | ≤ 2 s |",
        f"| time to first token p95 | {fmt(summary['first_token_p95'])} | ≤ 6 s |",
        f"| model-answered questions: first token p50 / p95 | {fmt(summary['question_first_token_p50'])} / "
        f"{fmt(summary['question_first_token_p95'])} | |",
        f"| deterministic operation reply p50 ({summary['deterministic_replies']} turns) | "
        f"{fmt(summary['deterministic_reply_p50'], 'ms')} | ≤ 100 ms |",
        f"| overhead (turn − model seconds) p95 | {fmt(summary['overhead_p95'], 'ms')} | ≤ 50 ms |",
        f"| turns with no routing call | {summary['no_routing_call_share']:.0%} | |",
        f"| routed by | {summary['routed_by']} | |",
        "",
        "| stage (recorded) | question p50 | question p95 | operation p50 | operation p95 |",
        "|---|---|---|---|---|",
    ]
    for name, kinds in summary["stages"].items():
        unit = "n" if name == "prompt_tokens" else "ms"
        cells = [fmt(kinds.get(kind, {}).get(q), unit) for kind in ("question", "operation") for q in ("p50", "p95")]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return lines
