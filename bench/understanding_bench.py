"""Benchmark of per-message understanding and escalation (a script, not a test).

    python bench/understanding_bench.py            # everything, ~10-20 min cold on 2 busy cores
    python bench/understanding_bench.py --parts sentiment,latency
    python bench/understanding_bench.py --embedding embeddinggemma-300m [--prompt Classification]   # hours cold

Reports, with the data and split named next to each figure:
- intent accuracy on a held-back 20% of Bitext (stratified, seed 20261122),
- Banking77 accuracy by 5-fold cross-validation on its train set,
- CLINC150 in-scope accuracy and out-of-scope recall on its validation split,
- sentiment accuracy on two labelled sets written by others (evals/datasets/),
- escalation precision/recall on Bitext `contact_human_agent` + `complaint` (held-back 20%) and on
  banking_knowledge dev tasks whose actions include `transfer_to_human_agents`,
- latency of `MessageUnderstanding.analyse` per message and of one query embedding; the embedder's load
  time and the process's resident memory once it is loaded.
`--embedding` picks the packaged embedder (default: the one the understanding heads use by the settings);
`--prompt` EmbeddingGemma's prompt for the messages (`document`, as the service embeds them, or another of
its task prompts such as `Classification`). Embeddings are cached under var/cache/embeddings in blocks of
512 texts keyed by model id + texts, so an interrupted run resumes. Results go to
var/bench/understanding[-<model>[-<prompt>]].json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import get_args

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.embedding.embedder import Embedder, build_embedder  # noqa: E402
from assistant.components.embedding.gemma import embeddinggemma_encoders  # noqa: E402
from assistant.escalation import EscalationInput, EscalationPolicy  # noqa: E402
from assistant.settings import EmbeddingSettings, PackagedEmbeddingModel, Settings  # noqa: E402
from assistant.understanding.classifier import (  # noqa: E402
    UnderstandingModel,
    fit_intent_head,
    fit_sentiment_head,
)
from assistant.understanding.models import OUT_OF_SCOPE  # noqa: E402
from assistant.understanding.service import MessageUnderstanding  # noqa: E402
from assistant.understanding.signals import load_signal_rules  # noqa: E402
from assistant.understanding.training import (  # noqa: E402
    neutral_requests,
    read_labelled_csv,
    read_out_of_scope,
    read_sentiment_examples,
)

SEED = 20261122
DATA = REPO / "data"
CACHE = REPO / "var" / "cache" / "embeddings"
ESCALATING_INTENTS = {"contact_human_agent", "complaint"}
SENTIMENT_FILES = [REPO / "evals/datasets/sentiment_en_crowdflower.csv", REPO / "evals/datasets/sentiment_zh_snownlp.csv"]


def cached_embed(embedder: Embedder, texts: list[str], block: int = 256) -> np.ndarray:
    """Vectors of `texts`, each text embedded once per model and kept on disk (saved after every block)."""
    path = CACHE / f"{hashlib.sha1(embedder.model_id.encode()).hexdigest()[:16]}.npz"
    known: dict[str, np.ndarray] = _CACHES.setdefault(path.name, _load_cache(path))
    missing = sorted({t for t in texts if t not in known}, key=len)  # similar lengths batch with less padding
    started = time.perf_counter()
    for i in range(0, len(missing), block):
        batch = missing[i : i + block]
        known.update(zip(batch, embedder.embed(batch), strict=True))
        _save_cache(path, embedder.model_id, known)
        print(
            f"  {embedder.model_id}: {i + len(batch)}/{len(missing)} new texts, {time.perf_counter() - started:.0f}s", flush=True
        )
    return np.vstack([known[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


_CACHES: dict[str, dict[str, np.ndarray]] = {}


def _load_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    data = np.load(path)
    return dict(zip(json.loads(str(data["texts"])), data["vectors"], strict=True))


def _save_cache(path: Path, model_id: str, known: dict[str, np.ndarray]) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    texts = list(known)
    np.savez(partial, model=model_id, texts=json.dumps(texts, ensure_ascii=False), vectors=np.vstack([known[t] for t in texts]))
    partial.replace(path)


# --sample K: at most K examples per label in each training set and K // 3 in each test set (seeded), the
# same for every embedder, so a slow model (EmbeddingGemma on one busy thread) is compared on a subset.
SAMPLE: int | None = None


def sampled(rows: list[tuple[str, str]], per_label: int | None) -> list[tuple[str, str]]:
    if per_label is None:
        return rows
    rng = random.Random(SEED)
    by_label: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        by_label.setdefault(row[1], []).append(row)
    return [row for label in sorted(by_label) for row in rng.sample(by_label[label], min(per_label, len(by_label[label])))]


def bitext_split() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    rows = read_labelled_csv(DATA / "intents/bitext_customer_support.csv")
    train, test = train_test_split(rows, test_size=0.2, random_state=SEED, stratify=[label for _, label in rows])
    return sampled(train, SAMPLE), sampled(test, SAMPLE and SAMPLE // 3)


def tfidf_accuracy(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> float:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    x_train = vectorizer.fit_transform([t for t, _ in train])
    model = LogisticRegression(C=10, max_iter=3000).fit(x_train, [label for _, label in train])
    return float(np.mean(model.predict(vectorizer.transform([t for t, _ in test])) == np.array([lab for _, lab in test])))


def bench_bitext(embedder: Embedder, oos: list[str], results: dict) -> UnderstandingModel:
    train, test = bitext_split()
    x_train, x_test = cached_embed(embedder, [t for t, _ in train]), cached_embed(embedder, [t for t, _ in test])
    oos_vectors = cached_embed(embedder, oos)
    started = time.perf_counter()
    head = fit_intent_head(x_train, [label for _, label in train], oos_vectors)
    fit_seconds = time.perf_counter() - started
    truth = np.array([label for _, label in test])
    predictions = head.predict(x_test)
    with_rejection = np.array([p.intent for p in predictions])
    raw = head.classifier.predict(x_test)
    results["bitext"] = {
        "split": f"stratified 80/20, seed {SEED}; {len(train)} train / {len(test)} test; {len(oos)} CLINC oos as out-of-scope",
        "embedding_accuracy_with_oos_rejection": float(np.mean(with_rejection == truth)),
        "embedding_accuracy_top1": float(np.mean(raw == truth)),
        "rejected_as_oos": int(np.sum(with_rejection == OUT_OF_SCOPE)),
        "threshold": head.threshold,
        "fit_seconds_incl_calibration": round(fit_seconds, 1),
        "tfidf_accuracy_top1": tfidf_accuracy(train, test),
    }
    print("bitext", results["bitext"], flush=True)
    sentiment = read_sentiment_examples(SENTIMENT_FILES)
    if SAMPLE:  # the rows bench_sentiment samples
        files = [read_labelled_csv(path, label_columns=("label",)) for path in SENTIMENT_FILES]
        sentiment = [row for rows in files for row in sampled(rows, 4 * SAMPLE)]
    neutral = neutral_requests(train, count=300, exclude=["complaint"])
    x_sentiment = np.vstack([cached_embed(embedder, [t for t, _ in sentiment]), cached_embed(embedder, neutral)])
    sentiment_head = fit_sentiment_head(x_sentiment, [lab for _, lab in sentiment] + ["neutral"] * len(neutral))
    return UnderstandingModel(embedder.model_id, head, sentiment_head, trained_at="bench")


def bench_banking77(embedder: Embedder, results: dict) -> None:
    rows = read_labelled_csv(DATA / "intents/banking77_train.csv")
    if SAMPLE:
        _banking77_held_out(embedder, rows, results)
        return
    texts, labels = [t for t, _ in rows], np.array([lab for _, lab in rows])
    x = cached_embed(embedder, texts)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    started = time.perf_counter()
    predictions = cross_val_predict(LogisticRegression(C=10, max_iter=3000), x, labels, cv=folds)
    seconds = time.perf_counter() - started
    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    tfidf_predictions = cross_val_predict(LogisticRegression(C=10, max_iter=3000), tfidf, labels, cv=folds)
    results["banking77"] = {
        "split": f"5-fold stratified CV on the {len(rows)}-row train set, seed {SEED}",
        "embedding_accuracy": float(np.mean(predictions == labels)),
        "tfidf_accuracy": float(np.mean(tfidf_predictions == labels)),
        "embedding_cv_seconds": round(seconds, 1),
    }
    print("banking77", results["banking77"], flush=True)


def _banking77_held_out(embedder: Embedder, rows: list[tuple[str, str]], results: dict) -> None:
    assert SAMPLE
    test = sampled(rows, SAMPLE // 3)
    held = set(test)
    train = sampled([row for row in rows if row not in held], SAMPLE)
    head = LogisticRegression(C=10, max_iter=3000).fit(cached_embed(embedder, [t for t, _ in train]), [lab for _, lab in train])
    predictions = head.predict(cached_embed(embedder, [t for t, _ in test]))
    results["banking77"] = {
        "split": f"held out: {SAMPLE // 3}/intent test, {SAMPLE}/intent train of the rest (seed {SEED}); "
        f"{len(train)} train / {len(test)} test",
        "embedding_accuracy": float(np.mean(predictions == np.array([lab for _, lab in test]))),
    }
    print("banking77", results["banking77"], flush=True)


def bench_clinc(embedder: Embedder, per_intent: int, results: dict) -> None:
    data = json.loads((DATA / "intents/clinc150_train_val.json").read_text())
    rng = random.Random(SEED)
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    train = [
        (t, intent)
        for intent in sorted(by_intent)
        for t in rng.sample(by_intent[intent], min(per_intent, len(by_intent[intent])))
    ]
    oos_train = [t for t, _ in data["oos_train"]]
    val, oos_val = sampled([(t, lab) for t, lab in data["val"]], SAMPLE and SAMPLE // 3), [t for t, _ in data["oos_val"]]
    head = fit_intent_head(
        cached_embed(embedder, [t for t, _ in train]), [lab for _, lab in train], cached_embed(embedder, oos_train)
    )
    in_scope = head.predict(cached_embed(embedder, [t for t, _ in val]))
    out_scope = head.predict(cached_embed(embedder, oos_val))
    results["clinc150"] = {
        "split": f"train: {per_intent}/intent of train (seed {SEED}) + oos_train ({len(oos_train)}); "
        f"eval: val ({len(val)}) + oos_val ({len(oos_val)}); threshold by 3-fold CV on train",
        "in_scope_accuracy": float(np.mean([p.intent == lab for p, (_, lab) in zip(in_scope, val, strict=True)])),
        "oos_recall": float(np.mean([p.out_of_scope for p in out_scope])),
        "threshold": head.threshold,
    }
    print("clinc150", results["clinc150"], flush=True)


def bench_sentiment(embedder: Embedder, results: dict, neutral_band: float) -> None:
    """5-fold CV of the sentiment head as the service trains it (both sets + neutral requests in every training fold)."""
    rules = load_signal_rules()
    sets = {
        path.stem: sampled(read_labelled_csv(path, label_columns=("label",)), SAMPLE and 4 * SAMPLE) for path in SENTIMENT_FILES
    }
    rows = [(t, lab, name) for name, examples in sets.items() for t, lab in examples]
    x = cached_embed(embedder, [t for t, _, _ in rows])
    labels = np.array([lab for _, lab, _ in rows])
    train, test = bitext_split()
    neutral = neutral_requests(train, count=300, exclude=["complaint"])
    x_neutral = cached_embed(embedder, neutral)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    score = np.zeros(len(rows))
    for fit_rows, test_rows in folds.split(x, labels):
        head = fit_sentiment_head(np.vstack([x[fit_rows], x_neutral]), [*labels[fit_rows], *["neutral"] * len(neutral)])
        score[test_rows] = head.scores(x[test_rows])
    with_rules = np.array([min(s, -0.6) if rules.fires("anger", t) else s for s, (t, _, _) in zip(score, rows, strict=True)])
    band = neutral_band
    report: dict[str, object] = {
        "method": f"logistic regression over {embedder.model_id} embeddings + {len(neutral)} neutral requests; "
        f"5-fold CV, seed {SEED}; "
        f"label by score = P(pos)-P(neg) with neutral band {band}",
    }
    for name in sets:
        mask = np.array([n == name for _, _, n in rows])
        truth = labels[mask]
        polar = truth != "neutral"
        entry: dict[str, object] = {
            "rows": int(mask.sum()),
            "binary_accuracy_on_polar_rows": float(np.mean((score[mask][polar] >= 0) == (truth[polar] == "positive"))),
            "binary_with_anger_rules": float(np.mean((with_rules[mask][polar] >= 0) == (truth[polar] == "positive"))),
        }
        if (~polar).any():
            three = np.where(score[mask] >= band, "positive", np.where(score[mask] <= -band, "negative", "neutral"))
            entry["three_class_accuracy"] = float(np.mean(three == truth))
        report[name] = entry
    # Plain requests (Bitext held-out rows, not complaints) that the shipped head would call negative.
    head = fit_sentiment_head(np.vstack([x, x_neutral]), [*labels, *["neutral"] * len(neutral)])
    plain = [t for t, intent in test if intent != "complaint"]
    report["bitext_heldout_non_complaint_called_negative"] = float(np.mean(head.scores(cached_embed(embedder, plain)) <= -band))
    report.update(_lexicon_baselines(sets))
    results["sentiment"] = report
    print("sentiment", json.dumps(report, indent=1), flush=True)


def _lexicon_baselines(sets: dict[str, list[tuple[str, str]]]) -> dict[str, object]:
    out: dict[str, object] = {}
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        out["vader"] = "not installed (pip install vaderSentiment==3.3.2 to compare)"
    else:
        vader = SentimentIntensityAnalyzer()
        english = sets["sentiment_en_crowdflower"]
        compound = np.array([vader.polarity_scores(t)["compound"] for t, _ in english])
        truth = np.array([lab for _, lab in english])
        three = np.where(compound >= 0.05, "positive", np.where(compound <= -0.05, "negative", "neutral"))
        out["vader_en_3class_accuracy"] = float(np.mean(three == truth))
        polar = truth != "neutral"
        out["vader_en_binary_on_polar_rows"] = float(np.mean((compound[polar] >= 0) == (truth[polar] == "positive")))
    try:
        from snownlp import SnowNLP
    except ImportError:
        out["snownlp"] = "not installed (pip install snownlp==0.12.3 to compare)"
    else:
        chinese = sets["sentiment_zh_snownlp"]
        started = time.perf_counter()
        probability = np.array([SnowNLP(t).sentiments for t, _ in chinese])
        out["snownlp_zh_binary_accuracy_ON_ITS_OWN_TRAINING_DATA"] = float(
            np.mean((probability >= 0.5) == (np.array([lab for _, lab in chinese]) == "positive"))
        )
        out["snownlp_ms_per_message"] = round((time.perf_counter() - started) / len(chinese) * 1000, 1)
    return out


def precision_recall(predicted: list[bool], truth: list[bool]) -> dict[str, float | int]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "n": len(truth),
    }


def bench_escalation(embedder: Embedder, model: UnderstandingModel, settings: Settings, results: dict) -> None:
    understanding = MessageUnderstanding.from_model(model, settings.understanding, embedder)
    policy = EscalationPolicy.from_settings(settings)
    _, test = bitext_split()
    texts = [t for t, _ in test]
    analysed = understanding.analyse_vectors(texts, cached_embed(embedder, texts))
    decisions = [policy.decide(EscalationInput(current=u)) for u in analysed]
    truth = [label in ESCALATING_INTENTS for _, label in test]
    bitext = precision_recall([d.escalate for d in decisions], truth)
    bitext["reasons"] = dict(Counter(d.reason for d in decisions if d.escalate))
    bitext["false_positive_intents"] = dict(
        Counter(lab for (_, lab), d in zip(test, decisions, strict=True) if d.escalate and lab not in ESCALATING_INTENTS)
    )
    tasks = json.loads((DATA / "banking_knowledge/tasks_dev.json").read_text())
    scenarios = [task["user_scenario"]["instructions"] for task in tasks]
    task_truth = [
        any(a["name"] == "transfer_to_human_agents" for a in (task["evaluation_criteria"].get("actions") or [])) for task in tasks
    ]
    task_analysed = understanding.analyse_vectors(scenarios, cached_embed(embedder, scenarios))
    task_decisions = [policy.decide(EscalationInput(current=u)) for u in task_analysed]
    banking = precision_recall([d.escalate for d in task_decisions], task_truth)
    banking["message"] = "the task's whole user-scenario text, as one message, empty history"
    banking["reasons"] = dict(Counter(d.reason for d in task_decisions if d.escalate))
    results["escalation"] = {"bitext_heldout_contact_human_agent_and_complaint": bitext, "banking_dev_tasks": banking}
    print("escalation", json.dumps(results["escalation"], indent=1, default=str), flush=True)


def bench_latency(embedder: Embedder, model: UnderstandingModel, settings: Settings, results: dict) -> None:
    understanding = MessageUnderstanding.from_model(model, settings.understanding, embedder)
    _, test = bitext_split()
    chinese = [t for t, _ in read_labelled_csv(SENTIMENT_FILES[1], label_columns=("label",)) if len(t) <= 60]
    messages = [t for t, _ in test[:50]] + chinese[:50]
    understanding.analyse("warm up")
    embedder.embed_queries(["warm up"])
    totals, embeds, queries, cpu = [], [], [], []
    for text in messages:
        started = time.perf_counter()
        embedder.embed([text])
        embeds.append(time.perf_counter() - started)
        started = time.perf_counter()
        embedder.embed_queries([text])
        queries.append(time.perf_counter() - started)
        started, cpu_started = time.perf_counter(), time.thread_time()
        understanding.analyse(text)
        totals.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - cpu_started)  # what it costs on a core of its own (one thread)
    ms = sorted(t * 1000 for t in totals)
    cpu_ms = sorted(t * 1000 for t in cpu)
    results["latency"] = {
        "messages": len(messages),
        "analyse_ms_median": round(statistics.median(ms), 1),
        "analyse_ms_p95": round(ms[int(0.95 * len(ms)) - 1], 1),
        "embedding_ms_median": round(statistics.median(embeds) * 1000, 1),
        "query_embedding_ms_median": round(statistics.median(queries) * 1000, 1),
        "query_embedding_ms_p95": round(sorted(queries)[int(0.95 * len(queries)) - 1] * 1000, 1),
        "heads_and_rules_ms_median": round(statistics.median(ms) - statistics.median(embeds) * 1000, 1),
        "analyse_cpu_ms_median": round(statistics.median(cpu_ms), 1),
        "analyse_cpu_ms_p95": round(cpu_ms[int(0.95 * len(cpu_ms)) - 1], 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }
    print("latency", results["latency"], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="bitext,banking77,clinc150,sentiment,escalation,latency")
    parser.add_argument("--clinc-per-intent", type=int, default=50, help="CLINC train examples per intent (of 100).")
    parser.add_argument("--embedding", choices=get_args(PackagedEmbeddingModel), help="default: the heads' embedder")
    parser.add_argument("--prompt", default="document", help="EmbeddingGemma's prompt for the messages")
    parser.add_argument("--sample", type=int, help="at most K examples per label to train, K // 3 to test (see SAMPLE)")
    parser.add_argument("--out", type=Path, help="default var/bench/understanding[-<model>[-<prompt>]][-sample<K>].json")
    args = parser.parse_args()
    global SAMPLE
    SAMPLE = args.sample
    parts = set(args.parts.split(","))
    settings = Settings(_env_file=None, llm={"models_dir": REPO / "var/models"})  # type: ignore[call-arg, arg-type]
    started = time.perf_counter()
    embedder = _embedder(settings, args.embedding, args.prompt)
    results: dict[str, object] = {
        "embedding_model": embedder.model_id,
        "embedder_load_seconds": round(time.perf_counter() - started, 1),
        "rss_mb_after_load": _rss_mb(),
    }
    print(results, flush=True)
    suffix = "" if args.embedding is None else f"-{args.embedding}" + ("" if args.prompt == "document" else f"-{args.prompt}")
    suffix += f"-sample{SAMPLE}" if SAMPLE else ""
    out = args.out or REPO / f"var/bench/understanding{suffix}.json"
    results["sample_per_label"] = SAMPLE
    started = time.perf_counter()
    oos = read_out_of_scope(DATA / "intents/clinc150_train_val.json", splits=("oos_train",))
    model = None
    if parts & {"bitext", "escalation", "latency"}:
        model = bench_bitext(embedder, oos, results)
    if "banking77" in parts:
        bench_banking77(embedder, results)
    if "clinc150" in parts:
        bench_clinc(embedder, min(args.clinc_per_intent, SAMPLE or args.clinc_per_intent), results)
    if "sentiment" in parts:
        bench_sentiment(embedder, results, settings.understanding.neutral_band)
    if model is not None and "escalation" in parts:
        bench_escalation(embedder, model, settings, results)
    if model is not None and "latency" in parts:
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
    if name != "embeddinggemma-300m" or prompt == "document":
        return build_embedder(EmbeddingSettings(packaged_model=name), settings.llm.models_dir)
    documents, queries = embeddinggemma_encoders(settings.llm.models_dir, threads=1, document_prompt=prompt)
    return Embedder(model_id=f"packaged:{name}#{prompt}", encode_batch=documents, encode_query_batch=queries)


def _rss_mb() -> float:
    """Resident memory of this process now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


if __name__ == "__main__":
    main()
