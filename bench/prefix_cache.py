"""Does the static system prompt stay cached across interleaved conversations, and which server options read least?

    python bench/prefix_cache.py [--model qwen2.5-coder-1.5b] [--conversations 6] [--configs default,ram_cache,lookup]

Starts the embedded llama.cpp server (the project's own command, llm.* settings) once per
configuration, then sends the assistant's own prompt shapes — the system prompt, then a route
prompt and an answer prompt over policy passages — for several conversations, round robin,
one request at a time (as the LLM queue does). Each conversation's history grows by its answers.
Per request it records the time to the first streamed piece and to the last, and from the
server's log how many prompt tokens it read and how many it found cached. Configurations:
- default: the server as `assistant serve` starts it (its single context reuses the longest
  prefix it shares with the previous prompt);
- ram_cache: `--cache true --cache_type ram` (saves every finished prompt's state; a prompt
  whose longest shared prefix is in a saved state loads that state first);
- lookup: `--draft_model prompt-lookup-decoding` (LlamaPromptLookupDecoding: drafts tokens
  copied from the prompt; needs logits for every prompt token).
Writes var/bench/prefix_cache.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.agent.operations.registry import route_choices  # noqa: E402
from assistant.agent.prompt_library import LANGUAGE_NAMES, PromptLibrary  # noqa: E402
from assistant.components.child_process import ChildProcess  # noqa: E402
from assistant.components.llm.cpu_builds import server_environment  # noqa: E402
from assistant.components.llm.local_server import local_model_file, server_command  # noqa: E402
from assistant.settings import Settings  # noqa: E402

CONFIGS: dict[str, list[str]] = {
    "default": [],
    "ram_cache": ["--cache", "true", "--cache_type", "ram"],
    # The draft needs logits of every prompt token: with the server's `--logits_all false` the first request fails
    # (llama-cpp-python 0.3.36: "could not broadcast input array from shape (77791232,) into shape (0,)").
    "lookup": ["--draft_model", "prompt-lookup-decoding", "--draft_model_num_pred_tokens", "10", "--logits_all", "true"],
}
QUESTIONS = [
    "What is your return policy?",
    "How long does a refund take?",
    "Can I exchange an item for a different colour?",
    "Can I cancel an order after it has shipped?",
    "Which payment methods can a refund go to?",
    "How do I change the shipping address of a pending order?",
]
HIT = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")
EVAL = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")


def passages(policy: str) -> list[dict[str, str]]:
    """Policy paragraphs as the answer prompt shows passages (about the size PASSAGE_TOKENS cuts to)."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", policy) if len(p.strip()) > 200]
    return [{"title": "Retail store policy", "text": part[:900]} for part in parts]


def stream(http: httpx.Client, model: str, messages: list[dict[str, str]], max_tokens: int) -> dict[str, Any]:
    started = time.perf_counter()
    first: float | None = None
    pieces: list[str] = []
    body = {"model": model, "messages": messages, "max_tokens": max_tokens, "temperature": 0.0, "stream": True}
    with http.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            delta = json.loads(line[6:])["choices"][0].get("delta", {}).get("content")
            if delta:
                first = first if first is not None else time.perf_counter() - started
                pieces.append(delta)
    return {"first_s": first, "last_s": time.perf_counter() - started, "text": "".join(pieces)}


def run_config(name: str, args: argparse.Namespace, settings: Settings, prompts: PromptLibrary) -> list[dict[str, Any]]:
    llm = settings.llm
    log = REPO / "var" / "bench" / f"prefix_cache_{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    _, env = server_environment(llm.cpu_build)
    command = server_command(llm, local_model_file(llm)) + CONFIGS[name]
    health = f"http://{llm.host}:{llm.port}/v1/models"
    child = ChildProcess("model server", command, health, env={**os.environ, **env} if env else None, log_path=log)
    child.start(llm.startup_timeout_seconds)
    rows: list[dict[str, Any]] = []
    chunks = passages(prompts.policy)
    try:
        with httpx.Client(base_url=f"http://{llm.host}:{llm.port}", timeout=600) as http:
            warm = [{"role": "system", "content": prompts.system}, {"role": "user", "content": "hello"}]
            stream(http, llm.served_model_name, warm, 1)  # the warm-up `assistant serve` does
            histories: list[list[dict[str, str]]] = [[] for _ in range(args.conversations)]
            for turn in range(args.turns):
                for c in range(args.conversations):
                    question = QUESTIONS[(c + turn) % len(QUESTIONS)]
                    route = prompts.messages("route", message=question, history=histories[c], summary=None,
                                             routes=route_choices())  # fmt: skip
                    picked = [chunks[(c * 3 + turn + k) % len(chunks)] for k in range(3)]
                    answer = prompts.messages(
                        "answer", summary=None, history=histories[c], passages=picked, observations=[], message=question,
                        language="en", language_name=LANGUAGE_NAMES["en"],
                    )  # fmt: skip
                    for purpose, messages, max_tokens in (("route", route, 12), ("answer", answer, args.max_tokens)):
                        mark = log.stat().st_size
                        result = stream(http, llm.served_model_name, messages, max_tokens)
                        time.sleep(0.2)  # the server's log lines of this request
                        text = log.read_text(errors="replace")[mark:]
                        hits, evals = HIT.findall(text), EVAL.findall(text)
                        row = {"config": name, "conversation": c, "turn": turn, "purpose": purpose,
                               "first_s": result["first_s"], "last_s": result["last_s"],
                               "cached": int(hits[-1][0]) if hits else 0,
                               "read": int(evals[-1][1]) if evals else None,
                               "cache_hit": "cache hit" in text, "text": result["text"][:300]}  # fmt: skip
                        rows.append(row)
                        print(json.dumps(row, ensure_ascii=False), flush=True)
                    histories[c] += [{"role": "customer", "content": question}, {"role": "assistant", "content": result["text"]}]
    finally:
        child.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", default=None, help="packaged model (default: the settings')")
    parser.add_argument("--conversations", type=int, default=6)
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=120)
    parser.add_argument("--configs", default="default,ram_cache,lookup")
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    settings = Settings()
    update: dict[str, Any] = {"port": args.port}
    if args.model:
        update["local_model"] = args.model
    settings = settings.model_copy(update={"llm": settings.llm.model_copy(update=update)})
    from assistant.shops import load_shop

    prompts = PromptLibrary.for_shop(settings.prompts, load_shop("retail"))
    results: dict[str, list[dict[str, Any]]] = {}
    for name in args.configs.split(","):
        results[name] = run_config(name, args, settings, prompts)
    print(f"\n{settings.llm.served_model_name}, {args.conversations} conversations x {args.turns} turns, interleaved")
    print("| config | purpose | first piece p50 | last piece p50 | prompt tokens read p50 | cached p50 |")
    print("|---|---|---|---|---|---|")
    for name, rows in results.items():
        for purpose in ("route", "answer"):
            mine = [r for r in rows if r["purpose"] == purpose]
            firsts = [r["first_s"] for r in mine if r["first_s"] is not None]
            reads = [r["read"] for r in mine if r["read"] is not None]
            last = statistics.median(r["last_s"] for r in mine)
            read = statistics.median(reads) if reads else "–"
            cached = statistics.median(r["cached"] for r in mine)
            print(f"| {name} | {purpose} | {statistics.median(firsts):.2f} s | {last:.2f} s | {read} | {cached} |")
    same = [(a["text"] == b["text"]) for a, b in zip(results.get("default", []), results.get("lookup", []), strict=False)]
    if same:
        print(f"\nlookup wrote the same text as default in {sum(same)}/{len(same)} requests")
    out = REPO / "var" / "bench" / "prefix_cache.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
