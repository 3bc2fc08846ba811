"""Reading labelled examples and training the understanding model file.

A shop's intent CSV has a header with a text column (`text`, `instruction` or
`utterance`) and an intent column (`intent`, `category` or `label`); Bitext's and
Banking77's files are read as they are. Bad files are refused with the reason,
before anything is trained or replaced.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.errors import BadInputError
from assistant.understanding.classifier import UnderstandingModel, fit_intent_head, fit_sentiment_head
from assistant.understanding.models import OUT_OF_SCOPE

TEXT_COLUMNS = ("text", "instruction", "utterance")
INTENT_COLUMNS = ("intent", "category", "label")
SENTIMENT_LABELS = ("negative", "neutral", "positive")

Embed = Callable[[Sequence[str]], np.ndarray]


def read_labelled_csv(path: Path, *, label_columns: Sequence[str] = INTENT_COLUMNS) -> list[tuple[str, str]]:
    """(text, label) rows of a CSV; BadInputError names the file and what is wrong with it."""
    if not path.is_file():
        raise BadInputError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            text_column = next((c for c in TEXT_COLUMNS if c in columns), None)
            label_column = next((c for c in label_columns if c in columns), None)
            if text_column is None or label_column is None:
                raise BadInputError(
                    f"{path}: needs a header with a text column ({'/'.join(TEXT_COLUMNS)}) and a label column "
                    f"({'/'.join(label_columns)}); found {columns}"
                )
            rows = []
            for line, record in enumerate(reader, start=2):
                text, label = (record.get(text_column) or "").strip(), (record.get(label_column) or "").strip()
                if not text or not label:
                    raise BadInputError(f"{path}: row {line} has an empty {text_column!r} or {label_column!r}")
                rows.append((text, label))
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise BadInputError(f"{path}: not a readable CSV ({exc})") from exc
    if not rows:
        raise BadInputError(f"{path}: no examples")
    return rows


def read_intent_examples(paths: Sequence[Path]) -> list[tuple[str, str]]:
    examples = [row for path in paths for row in read_labelled_csv(path)]
    counts = Counter(intent for _, intent in examples)
    if len(counts) < 2:
        raise BadInputError(f"intent data needs at least two intents; found {sorted(counts)}")
    if OUT_OF_SCOPE in counts:
        raise BadInputError(f"{OUT_OF_SCOPE!r} is reserved for the out-of-scope class; rename that intent")
    rare = sorted(intent for intent, count in counts.items() if count < 3)
    if rare:
        raise BadInputError(f"intents with fewer than 3 examples cannot be learned: {rare}")
    return examples


def read_out_of_scope(path: Path, splits: Sequence[str] = ("oos_train", "oos_val")) -> list[str]:
    """Out-of-scope sentences of a CLINC150-layout JSON file ({split: [[text, label], ...]})."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [str(text) for split in splits for text, _label in data[split]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInputError(f"{path}: not a CLINC150-layout file with {list(splits)} ({exc})") from exc


def read_sentiment_examples(paths: Sequence[Path]) -> list[tuple[str, str]]:
    examples = [row for path in paths for row in read_labelled_csv(path, label_columns=("label", "sentiment"))]
    unknown = sorted({label for _, label in examples} - set(SENTIMENT_LABELS))
    if unknown:
        raise BadInputError(f"sentiment labels must be {SENTIMENT_LABELS}; found {unknown}")
    return examples


def neutral_requests(
    intent_examples: Sequence[tuple[str, str]], *, count: int, exclude: Sequence[str], seed: int = 0
) -> list[str]:
    """Plain requests taught to the sentiment head as neutral: the packaged Chinese ones plus a seeded sample of
    intent examples (the packaged sentiment sets label most support requests negative; see the benchmark)."""
    if count == 0:
        return []
    pool = sorted({text for text, intent in intent_examples if intent not in set(exclude)})
    sample = random.Random(seed).sample(pool, min(count, len(pool)))
    return [*packaged_neutral_requests(), *sample]


def packaged_neutral_requests() -> list[str]:
    text = resources.files("assistant.understanding.resources").joinpath("neutral_requests_zh.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def cap_per_label(examples: list[tuple[str, str]], cap: int | None, seed: int = 0) -> list[tuple[str, str]]:
    """At most `cap` examples of each label (seeded), so training time stays bounded on big files."""
    if cap is None:
        return examples
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for example in examples:
        by_label[example[1]].append(example)
    rng = random.Random(seed)
    kept: list[tuple[str, str]] = []
    for label in sorted(by_label):
        rows = by_label[label]
        kept += rows if len(rows) <= cap else rng.sample(rows, cap)
    return kept


def train_understanding_model(
    *,
    embed: Embed,
    embedder_model_id: str,
    intent_examples: list[tuple[str, str]],
    out_of_scope: list[str],
    sentiment_examples: list[tuple[str, str]],
    neutral_requests: Sequence[str] = (),
) -> UnderstandingModel:
    """Embed every example once and fit both heads; nothing is written here.

    `neutral_requests` are plain support requests added to the sentiment head's neutral class.
    """
    sentiment_examples = [*sentiment_examples, *((text, "neutral") for text in neutral_requests)]
    intent_vectors = embed([text for text, _ in intent_examples])
    oos_vectors = embed(out_of_scope) if out_of_scope else None
    sentiment_vectors = embed([text for text, _ in sentiment_examples])
    intent = fit_intent_head(intent_vectors, [label for _, label in intent_examples], oos_vectors)
    sentiment = fit_sentiment_head(sentiment_vectors, [label for _, label in sentiment_examples])
    summary: dict[str, object] = {
        "intent_examples": len(intent_examples),
        "intents": len(intent.intents),
        "out_of_scope_examples": len(out_of_scope),
        "sentiment_examples": len(sentiment_examples),
        **intent.calibration,
    }
    return UnderstandingModel(
        embedder_model_id=embedder_model_id,
        intent=intent,
        sentiment=sentiment,
        trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        training_summary=summary,
    )
