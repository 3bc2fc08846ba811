"""EmbeddingGemma fp32 against its int8 variant: CPU per message and how close the vectors stay (a script, not a test).

    python bench/embedding_quantization_bench.py [--messages 100] [--threads 1]

Embeds the first develop shop messages (evals/datasets/shop_messages_dev.jsonl) one at a time through the
`document` prompt (as the understanding service embeds a message), with each variant as the service builds it
(build_embedder), and reports CPU milliseconds per message (median, p95: process time, so a loaded machine
inflates it less than wall clock) and the cosine of each message's two vectors. Needs the prepared folder
(`assistant models prepare --model embeddinggemma-300m`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.embedding.embedder import Embedder, build_embedder  # noqa: E402
from assistant.settings import EmbeddingSettings, load_settings  # noqa: E402


def per_message(embedder: Embedder, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    embedder.embed(texts[:5])  # warm up
    cpu, vectors = [], []
    for text in texts:
        started = time.process_time()
        vectors.append(embedder.embed([text])[0])
        cpu.append((time.process_time() - started) * 1000)
    return np.asarray(cpu), np.asarray(vectors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    rows = (REPO / "evals" / "datasets" / "shop_messages_dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(row)["text"] for row in rows[: args.messages]]
    models_dir = load_settings().llm.models_dir
    results: dict[str, object] = {"messages": len(texts), "threads": args.threads}
    vectors = {}
    for name in ("embeddinggemma-300m", "embeddinggemma-300m-int8"):
        embedder = build_embedder(EmbeddingSettings(packaged_model=name, threads=args.threads), models_dir)  # type: ignore[arg-type]
        cpu, vectors[name] = per_message(embedder, texts)
        results[name] = {"cpu_ms_median": round(float(np.median(cpu)), 1), "cpu_ms_p95": round(float(np.percentile(cpu, 95)), 1)}
        print(name, results[name], flush=True)
    full, small = vectors["embeddinggemma-300m"], vectors["embeddinggemma-300m-int8"]
    cosine = (full * small).sum(axis=1) / np.linalg.norm(full, axis=1) / np.linalg.norm(small, axis=1)
    results["cosine_min"], results["cosine_mean"] = round(float(cosine.min()), 3), round(float(cosine.mean()), 3)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
