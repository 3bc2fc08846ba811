"""Reading the labelled examples the understanding model learns from.

A labelled file is a CSV with a header, or JSON lines, holding a text field (`text`,
`instruction` or `utterance`) and a label field (`intent`, `category`, `label` or
`sentiment`, as asked). Bitext's and Banking77's CSVs are read as they are, and the
shop's own messages (evals/datasets/shop_messages_dev.jsonl) too. A public set named
with other intents is renamed onto the shop's set by a label map (a two-column CSV,
`from,to`; an empty `to` drops the rows). Bad files are refused with the reason,
before anything is trained or replaced.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.errors import BadInputError
from assistant.understanding.models import OUT_OF_SCOPE

TEXT_COLUMNS = ("text", "instruction", "utterance")
INTENT_COLUMNS = ("intent", "category", "label")
SENTIMENT_COLUMNS = ("sentiment", "label")
SENTIMENT_LABELS = ("negative", "neutral", "positive")


def read_labelled(path: Path, *, label_columns: Sequence[str] = INTENT_COLUMNS) -> list[tuple[str, str]]:
    """(text, label) rows of a CSV or JSON-lines file; BadInputError names the file and what is wrong with it."""
    if not path.is_file():
        raise BadInputError(f"{path}: no such file")
    try:
        records = _json_lines(path) if path.suffix.lower() == ".jsonl" else _csv_records(path)
        rows = [_row(path, line, record, label_columns) for line, record in records]
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise BadInputError(f"{path}: not a readable CSV ({exc})") from exc
    if not rows:
        raise BadInputError(f"{path}: no examples")
    return rows


def _csv_records(path: Path) -> list[tuple[int, Mapping[str, Any]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(line, record) for line, record in enumerate(reader, start=2)]


def _json_lines(path: Path) -> list[tuple[int, Mapping[str, Any]]]:
    records: list[tuple[int, Mapping[str, Any]]] = []
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BadInputError(f"{path}: line {line} is not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise BadInputError(f"{path}: line {line} is not a JSON object")
        records.append((line, record))
    return records


def _row(path: Path, line: int, record: Mapping[str, Any], label_columns: Sequence[str]) -> tuple[str, str]:
    text_column = next((c for c in TEXT_COLUMNS if c in record), None)
    label_column = next((c for c in label_columns if c in record), None)
    if text_column is None or label_column is None:
        raise BadInputError(
            f"{path}: needs a text field ({'/'.join(TEXT_COLUMNS)}) and a label field ({'/'.join(label_columns)}); "
            f"row {line} has {sorted(record)}"
        )
    text, label = str(record.get(text_column) or "").strip(), str(record.get(label_column) or "").strip()
    if not text or not label:
        raise BadInputError(f"{path}: row {line} has an empty {text_column!r} or {label_column!r}")
    return text, label


def read_label_map(path: Path) -> dict[str, str]:
    """`from -> to` of a two-column CSV with a header; an empty `to` means: leave those rows out."""
    if not path.is_file():
        raise BadInputError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if len(rows) < 2 or any(len(row) != 2 for row in rows):
        raise BadInputError(f"{path}: a label map is a CSV with a header and two columns (from,to) on every row")
    return {source.strip(): target.strip() for source, target in rows[1:]}


def map_labels(examples: Sequence[tuple[str, str]], label_map: Mapping[str, str], *, source: Path) -> list[tuple[str, str]]:
    """The examples under their mapped labels; a label the map does not know is refused (a stale map)."""
    unknown = sorted({label for _, label in examples} - set(label_map))
    if unknown:
        raise BadInputError(f"{source}: labels {unknown} are not in the label map")
    return [(text, label_map[label]) for text, label in examples if label_map[label]]


def check_intent_examples(examples: Sequence[tuple[str, str]]) -> None:
    counts = Counter(intent for _, intent in examples)
    if len(counts) < 2:
        raise BadInputError(f"intent data needs at least two intents; found {sorted(counts)}")
    if OUT_OF_SCOPE in counts:
        raise BadInputError(f"{OUT_OF_SCOPE!r} is reserved for the out-of-scope class; rename that intent")
    rare = sorted(intent for intent, count in counts.items() if count < 3)
    if rare:
        raise BadInputError(f"intents with fewer than 3 examples cannot be learned: {rare}")


def read_intent_examples(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """The shop's own labelled messages (its intent names, `out_of_scope` rows kept as such)."""
    examples = [row for path in paths for row in read_labelled(path)]
    check_intent_examples([row for row in examples if row[1] != OUT_OF_SCOPE])
    return examples


def read_public_intent_examples(paths: Sequence[Path], label_map_path: Path) -> list[tuple[str, str]]:
    """Public intent sets (Bitext) renamed onto the shop's intents through the label map."""
    label_map = read_label_map(label_map_path)
    return [row for path in paths for row in map_labels(read_labelled(path), label_map, source=path)]


def read_out_of_scope(path: Path, splits: Sequence[str] = ("oos_train", "oos_val")) -> list[str]:
    """Out-of-scope sentences of a CLINC150-layout JSON file ({split: [[text, label], ...]})."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [str(text) for split in splits for text, _label in data[split]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInputError(f"{path}: not a CLINC150-layout file with {list(splits)} ({exc})") from exc


def read_sentiment_examples(paths: Sequence[Path]) -> list[tuple[str, str]]:
    examples = [row for path in paths for row in read_labelled(path, label_columns=SENTIMENT_COLUMNS)]
    unknown = sorted({label for _, label in examples} - set(SENTIMENT_LABELS))
    if unknown:
        raise BadInputError(f"sentiment labels must be {SENTIMENT_LABELS}; found {unknown}")
    return examples


def neutral_requests(
    intent_examples: Sequence[tuple[str, str]], *, count: int, exclude: Sequence[str], seed: int = 0
) -> list[str]:
    """Plain requests taught to the sentiment head as neutral: the packaged Chinese ones plus a seeded sample of
    intent examples (the public sentiment sets label most support requests negative; see the benchmark)."""
    if count == 0:
        return []
    pool = sorted({text for text, intent in intent_examples if intent not in {*exclude, OUT_OF_SCOPE}})
    sample = random.Random(seed).sample(pool, min(count, len(pool)))
    return [*packaged_neutral_requests(), *sample]


def packaged_neutral_requests() -> list[str]:
    text = resources.files("assistant.understanding.resources").joinpath("neutral_requests_zh.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def cap_per_label(examples: Sequence[tuple[str, str]], cap: int | None, seed: int = 0) -> list[tuple[str, str]]:
    """At most `cap` examples of each label (seeded), so no merged public intent outweighs the shop's own."""
    if cap is None:
        return list(examples)
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for example in examples:
        by_label[example[1]].append(example)
    rng = random.Random(seed)
    kept: list[tuple[str, str]] = []
    for label in sorted(by_label):
        rows = by_label[label]
        kept += rows if len(rows) <= cap else rng.sample(rows, cap)
    return kept
