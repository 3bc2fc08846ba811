"""Which clustering groups paraphrased customer questions best (a script, not a test).

A seeded sample of Bitext customer-support instructions (data/intents, labelled with 27
intents) is embedded with the service's embedding model and clustered by each candidate:
agglomerative clustering (average linkage, cosine distance threshold) at several thresholds,
and HDBSCAN at several minimum cluster sizes. The clusters are compared with the intent
labels by adjusted Rand index, adjusted mutual information and V-measure; HDBSCAN's noise
points count as singletons, so leaving questions out is not rewarded.

    python bench/question_clusters_bench.py [--per-intent 12] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, v_measure_score

from assistant.analytics.gaps import cluster_labels
from assistant.components.embedding.embedder import build_embedder
from assistant.settings import EmbeddingSettings

BITEXT = Path(__file__).resolve().parents[1] / "data" / "intents" / "bitext_customer_support.csv"


def labelled_sample(per_intent: int, seed: int) -> tuple[list[str], list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    with BITEXT.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_intent[row["intent"]].append(row["instruction"])
    rng = random.Random(seed)
    texts, labels = [], []
    for intent in sorted(by_intent):
        for text in rng.sample(by_intent[intent], per_intent):
            texts.append(text)
            labels.append(intent)
    return texts, labels


def singletons_for_noise(labels: np.ndarray) -> np.ndarray:
    labels = labels.copy()
    noise = labels < 0
    labels[noise] = labels.max() + 1 + np.arange(noise.sum())
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-intent", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    texts, truth = labelled_sample(args.per_intent, args.seed)
    started = time.perf_counter()
    vectors = build_embedder(EmbeddingSettings()).embed(texts).astype(np.float64)
    print(f"{len(texts)} questions, {len(set(truth))} intents, embedded in {time.perf_counter() - started:.1f} s")
    candidates = [("agglomerative", {"distance": d}) for d in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)]
    candidates += [("hdbscan", {"distance": 0.0, "min_cluster_size": size}) for size in (2, 3, 5, 8)]
    print(f"{'method':15s} {'parameter':22s} {'clusters':>8s} {'ARI':>6s} {'AMI':>6s} {'V':>6s}")
    for method, parameters in candidates:
        labels = singletons_for_noise(cluster_labels(vectors, method=method, **parameters))  # type: ignore[arg-type]
        shown = (
            ("distance", parameters["distance"]) if method == "agglomerative" else ("min size", parameters["min_cluster_size"])
        )
        parameter = f"{shown[0]} {shown[1]}"
        print(
            f"{method:15s} {parameter:22s} {len(set(labels)):8d} {adjusted_rand_score(truth, labels):6.3f} "
            f"{adjusted_mutual_info_score(truth, labels):6.3f} {v_measure_score(truth, labels):6.3f}"
        )


if __name__ == "__main__":
    main()
