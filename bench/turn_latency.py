"""Time to first token and to the whole reply of real turns, through a running assistant (a script, not a test).

Start the assistant (`bash scripts/quickstart.sh serve`, or `assistant serve` with the
settings to compare), then:

    python bench/turn_latency.py [--url http://127.0.0.1:8000] [--repeats 2]

Each repeat opens a new conversation for the demo customer and sends the same
messages through the streaming chat API; the first message of the first repeat
is the cold one (the model reads the system prompt unless the warm-up did).
Prints a markdown table (median over repeats per message) and writes
bench/results/turn_latency.json. What the figures mean depends on the server's
settings: note them (`assistant doctor`, the serve log's "llama.cpp build" line).

    python bench/turn_latency.py --interleaved 20 [--database sqlite:///var/assistant.db]

runs 20 conversations instead, questions and operations mixed, one turn of each in turn
(round robin, so every prompt follows another conversation's), after one warm turn that is
not counted; it reports time to first token p50/p95, the deterministic operation replies'
p50, the overhead (turn seconds minus model seconds) p95, the share of turns routed without
a model call, and each stage's p50/p95 as the turns recorded them (`turns.stages`, read
from the assistant's database). See bench/interleaved.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import httpx

MESSAGES = [
    "What is your return policy?",
    "退货政策是什么？",
    "Do you sell gift cards, and can I pay with one?",
    "I am Noah Brown, zip 80279. Where is my order #W7678072?",
]
RESULTS = Path(__file__).resolve().parent / "results"


def one_turn(http: httpx.Client, conversation: str, text: str) -> dict[str, object]:
    started = time.perf_counter()
    first = None
    final: dict[str, object] = {}
    with http.stream("POST", f"/v1/conversations/{conversation}/messages/stream", json={"content": text}) as response:
        response.raise_for_status()
        event = "message"
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                if event == "token" and first is None:
                    first = time.perf_counter() - started
                elif event == "final":
                    final = json.loads(line[6:])
    total = time.perf_counter() - started
    return {"text": text, "first_token_s": first, "total_s": total, "status": final.get("status"), "route": final.get("route"),
            "turn_id": final.get("turn_id")}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default="dev-shop-key")
    parser.add_argument("--customer", default="noah_brown_6181")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--label", default="", help="what was measured (settings), stored with the figures")
    parser.add_argument("--interleaved", type=int, default=0, help="run this many interleaved conversations instead")
    parser.add_argument("--database", default="sqlite:///var/assistant.db", help="the assistant's database (stages)")
    args = parser.parse_args()
    if args.interleaved:
        from interleaved import run_interleaved  # bench/interleaved.py, next to this script

        run_interleaved(args, one_turn, RESULTS)
        return
    headers = {"Authorization": f"Bearer {args.key}", "X-Customer-Id": args.customer}
    rows = []
    with httpx.Client(base_url=args.url, headers=headers, timeout=600) as http:
        for repeat in range(args.repeats):
            conversation = http.post("/v1/conversations").json()["id"]
            for text in MESSAGES:
                row = one_turn(http, conversation, text)
                row["repeat"] = repeat
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
    print(f"\n{args.label}")
    print("| message | first token s (median) | whole reply s (median) | status |")
    print("|---|---|---|---|")
    for text in MESSAGES:
        mine = [row for row in rows if row["text"] == text]
        firsts = [row["first_token_s"] for row in mine if row["first_token_s"] is not None]
        first = f"{statistics.median(firsts):.1f}" if firsts else "–"  # type: ignore[type-var]
        total = statistics.median(row["total_s"] for row in mine)  # type: ignore[type-var]
        print(f"| {text} | {first} | {total:.1f} | {', '.join(sorted({str(row['status']) for row in mine}))} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "turn_latency.json").write_text(json.dumps({"label": args.label, "rows": rows}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
