"""Benchmark of the embedded local models (a script, not a test).

Two parts:

* `serve` (the default): for each packaged model, assembly time from its part
  packages, server load time, time to first token and decode tokens/s through
  the OpenAI-compatible server, cold and warm.

      python bench/llm_bench.py [serve] [--model qwen2.5-coder-0.5b] [--threads 1]

* `builds`: which llama-cpp-python build and thread setting is fastest on this
  machine. For every candidate build (a folder holding an unpacked
  llama-cpp-python wheel, or `installed`), every model, every (decode threads,
  prompt threads) pair and both loads (quiet, and the other core kept busy by a
  spinning process), it reads a fixed ~300-token prompt and decodes 48 tokens
  with llama_cpp directly, each configuration in a fresh process, and reports
  prompt-processing and decode tokens/s (median of the repeats).

      python bench/llm_bench.py builds --build avx2=variant:avx2 --build avx512=variant:avx512
      python bench/llm_bench.py builds --build native=/tmp/unpacked-wheel --build avx2=installed

Prints markdown tables with the machine's CPU line and writes bench/results/llm_bench*.json.
Run it on a quiet machine: it measures the machine, and anything else running is in the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PROMPT = [
    {"role": "system", "content": "You are a helpful customer-service assistant for an online shop."},
    {"role": "user", "content": "Explain in about 100 words how a customer can return a delivered item and get a refund."},
]
MAX_TOKENS = 128
THREAD_PAIRS = ((1, 1), (1, 2), (2, 2))  # (decode threads, prompt threads)
DECODE_TOKENS = 48


def cpu_line() -> str:
    """Model name and the instruction-set flags that decide which build can run (from /proc/cpuinfo)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    lines = info.splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
    keep = [flag for flag in flags if flag.startswith(("avx", "amx", "fma", "f16c", "bmi"))]
    return f"{model}, {os.cpu_count()} cores; flags: {' '.join(keep)}"


# --- serve: the model server as the assistant uses it ------------------------------------------------


def measure_stream(client: object, model: str) -> dict[str, float]:
    started = time.perf_counter()
    first = None
    pieces = 0
    stream = client.chat.completions.create(model=model, messages=PROMPT, max_tokens=MAX_TOKENS, temperature=0, stream=True)  # type: ignore[attr-defined]
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces += 1
            if first is None:
                first = time.perf_counter()
    ended = time.perf_counter()
    ttft = (first or ended) - started
    # One streamed piece is one token for llama.cpp's server; streaming carries no usage counts.
    return {"ttft_s": ttft, "tokens": pieces, "decode_tokens_per_s": (pieces - 1) / max(ended - (first or ended), 1e-9)}


def bench_serve(name: str, threads: int, threads_batch: int, port: int) -> dict[str, object]:
    import openai

    from assistant.components.llm.local_server import LocalLLMServer
    from assistant.components.llm.model_files import PACKAGED_MODELS, assemble
    from assistant.settings import LLMSettings

    spec = PACKAGED_MODELS[name]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        assemble(spec, Path(folder))
        assembly_s = time.perf_counter() - started
    values = {"local_model": name, "models_dir": REPO / "var/models", "port": port}
    settings = LLMSettings.model_validate({**values, "n_threads": threads, "n_threads_batch": threads_batch})
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
    return {
        "model": name, "threads": threads, "threads_batch": threads_batch,
        "assembly_s": assembly_s, "load_s": load_s, "cold": cold, "warm": warm,
    }  # fmt: skip


def run_serve(args: argparse.Namespace) -> None:
    from assistant.components.llm.model_files import PACKAGED_MODELS

    results = [bench_serve(name, args.threads, args.threads_batch, args.port) for name in args.model or sorted(PACKAGED_MODELS)]
    print(f"machine: {cpu_line()}; prompt {len(json.dumps(PROMPT))} chars, {MAX_TOKENS} tokens max")
    print("| model | threads (decode/prompt) | assembly s | load s | TTFT cold s | TTFT warm s | decode tok/s |")
    print("|---|---|---|---|---|---|---|")
    for row in results:
        cold, warm = row["cold"], row["warm"]  # type: ignore[index]
        print(
            f"| {row['model']} | {row['threads']}/{row['threads_batch']} | {row['assembly_s']:.1f} | {row['load_s']:.1f} "
            f"| {cold['ttft_s']:.2f} | {warm['ttft_s']:.2f} | {warm['decode_tokens_per_s']:.1f} |"  # type: ignore[index]
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "llm_bench.json").write_text(json.dumps(results, indent=2))


# --- builds: raw speed of each candidate build, model, thread pair and load ---------------------------


def measure_raw(model_file: str, threads: int, threads_batch: int, repeats: int) -> dict[str, object]:
    """Runs in a fresh process whose PYTHONPATH selects the build: prompt and decode tokens/s."""
    import llama_cpp

    text = (REPO / "data" / "retail" / "policy.md").read_text(encoding="utf-8")
    llm = llama_cpp.Llama(
        model_path=model_file, n_ctx=2048, n_batch=512, n_threads=threads, n_threads_batch=threads_batch,
        logits_all=False, verbose=False,
    )  # fmt: skip
    prompt = llm.tokenize(text.encode("utf-8"))[:300]
    llm.eval(prompt[:8])  # first touch of the weights, outside the timing
    prompt_rates, decode_rates = [], []
    for _ in range(repeats):
        llm.reset()
        started = time.perf_counter()
        llm.eval(prompt)
        prompt_rates.append(len(prompt) / (time.perf_counter() - started))
        started = time.perf_counter()
        for _ in range(DECODE_TOKENS):
            token = llm.sample(temp=0.0)
            llm.eval([token])
        decode_rates.append(DECODE_TOKENS / (time.perf_counter() - started))
    return {
        "library": os.environ.get("LLAMA_CPP_LIB_PATH") or str(Path(llama_cpp.__file__).parent / "lib"),
        "prompt_tokens": len(prompt),
        "prompt_tok_s": statistics.median(prompt_rates),
        "decode_tok_s": statistics.median(decode_rates),
        "prompt_runs": prompt_rates,
        "decode_runs": decode_rates,
    }


def spin() -> subprocess.Popen[bytes]:
    """Another process keeping one core busy, as the API process or a test run would."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def run_builds(args: argparse.Namespace) -> None:
    from assistant.components.llm.cpu_builds import server_environment
    from assistant.components.llm.model_files import PACKAGED_MODELS, assemble

    builds = dict(item.split("=", 1) for item in args.build)
    models = args.model or sorted(PACKAGED_MODELS)
    files = {name: str(assemble(PACKAGED_MODELS[name], REPO / "var/models")) for name in models}
    load_before = os.getloadavg()[0]
    rows = []
    # Builds innermost: whatever drifts on the machine during the run falls on every build alike.
    for model in models:
        for load in args.loads:
            for threads, threads_batch in THREAD_PAIRS:
                for build, folder in builds.items():
                    env = dict(os.environ)
                    if folder.startswith("variant:"):  # a build the project installed (portable_build)
                        env.update(server_environment(folder.split(":", 1)[1])[1])
                    elif folder != "installed":
                        env["PYTHONPATH"] = os.pathsep.join([folder, str(REPO)])
                    busy = spin() if load == "busy" else None
                    try:
                        command = [sys.executable, __file__, "_raw", files[model], str(threads), str(threads_batch)]
                        command.append(str(args.repeats))
                        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=REPO)
                    finally:
                        if busy is not None:
                            busy.kill()
                            busy.wait()
                    row: dict[str, Any]
                    if done.returncode != 0:
                        row = {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
                    else:
                        row = json.loads(done.stdout.strip().splitlines()[-1])
                    row.update(build=build, model=model, load=load, threads=threads, threads_batch=threads_batch)
                    rows.append(row)
                    print(json.dumps({k: v for k, v in row.items() if not k.endswith("_runs")}), flush=True)
    print(f"\nmachine: {cpu_line()}; 1-minute load average before the run: {load_before:.2f}")
    print("| build | model | load | decode threads | prompt threads | prompt tok/s | decode tok/s |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        figures = f"| {row['prompt_tok_s']:.1f} | {row['decode_tok_s']:.1f} |" if "error" not in row else f"| {row['error']} | |"
        print(f"| {row['build']} | {row['model']} | {row['load']} | {row['threads']} | {row['threads_batch']} {figures}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = {"machine": cpu_line(), "load_before": load_before, "rows": rows}
    (RESULTS / "llm_bench_builds.json").write_text(json.dumps(summary, indent=2))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_raw":  # the measuring child of `builds`
        model_file, threads, threads_batch, repeats = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(measure_raw(model_file, threads, threads_batch, repeats)))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="part")
    serve = sub.add_parser("serve", help="through the model server (default)")
    builds = sub.add_parser("builds", help="candidate builds × threads × load, llama_cpp directly")
    for part in (parser, serve, builds):
        part.add_argument("--model", action="append", help="packaged model; default: both")
    for part in (parser, serve):
        part.add_argument("--threads", type=int, default=1)
        part.add_argument("--threads-batch", type=int, default=None)
        part.add_argument("--port", type=int, default=8799)
    builds.add_argument(
        "--build", action="append", default=[],
        help="NAME=FOLDER of an unpacked wheel, NAME=installed, or NAME=variant:avx512 (a build portable_build installed)",
    )  # fmt: skip
    builds.add_argument("--loads", nargs="+", default=["quiet", "busy"], choices=["quiet", "busy"])
    builds.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.part == "builds":
        if not args.build:
            parser.error("builds needs at least one --build NAME=FOLDER")
        run_builds(args)
    else:
        args.threads_batch = args.threads_batch or args.threads
        run_serve(args)


if __name__ == "__main__":
    main()
