"""Training the understanding model from labelled examples (read by training_data.py).

The intent head learns the shop's own messages at weight 1 and public examples mapped
onto the shop's intents at `public_weight`, at most `public_per_intent` of them per
intent; the out-of-scope class learns CLINC150's out-of-scope sentences and the shop's
own `out_of_scope` messages. The sentiment head learns per language (sentiment.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from assistant.understanding.classifier import UnderstandingModel, fit_intent_head
from assistant.understanding.language import detect_language
from assistant.understanding.models import OUT_OF_SCOPE
from assistant.understanding.sentiment import fit_sentiment_head
from assistant.understanding.training_data import cap_per_label, check_intent_examples

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass
class TrainingData:
    """Everything one model is trained from, already read and checked."""

    intent_examples: list[tuple[str, str]]
    out_of_scope: list[str]
    sentiment_examples: list[tuple[str, str]]
    public_intent_examples: list[tuple[str, str]] = field(default_factory=list)
    neutral_requests: Sequence[str] = ()
    public_weight: float = 1.0
    public_per_intent: int | None = None


def intent_rows(data: TrainingData) -> tuple[list[tuple[str, str]], list[float], list[str]]:
    """(text, intent) rows with their weights, and the out-of-scope texts (CLINC's and the shop's own)."""
    own = [row for row in data.intent_examples if row[1] != OUT_OF_SCOPE]
    public = [row for row in cap_per_label(data.public_intent_examples, data.public_per_intent) if row[1] != OUT_OF_SCOPE]
    rows = [*own, *public]
    check_intent_examples(rows)
    weights = [1.0] * len(own) + [data.public_weight] * len(public)
    out_of_scope = [*data.out_of_scope, *(text for text, intent in data.intent_examples if intent == OUT_OF_SCOPE)]
    return rows, weights, out_of_scope


def train_understanding_model(*, embed: Embed, embedder_model_id: str, data: TrainingData) -> UnderstandingModel:
    """Embed every example once and fit both heads; nothing is written here."""
    rows, weights, out_of_scope = intent_rows(data)
    sentiment = [*data.sentiment_examples, *((text, "neutral") for text in data.neutral_requests)]
    intent_vectors = embed([text for text, _ in rows])
    oos_vectors = embed(out_of_scope) if out_of_scope else None
    sentiment_texts = [text for text, _ in sentiment]
    sentiment_vectors = embed(sentiment_texts)
    intent = fit_intent_head(intent_vectors, [label for _, label in rows], oos_vectors, weights=np.asarray(weights))
    sentiment_head = fit_sentiment_head(
        sentiment_vectors,
        sentiment_texts,
        [label for _, label in sentiment],
        [detect_language(text) for text in sentiment_texts],
    )
    summary: dict[str, object] = {
        "intent_examples": len(rows),
        "own_intent_examples": sum(1 for _, intent in data.intent_examples if intent != OUT_OF_SCOPE),
        "intents": len(intent.intents),
        "out_of_scope_examples": len(out_of_scope),
        "sentiment_examples": len(sentiment),
        "sentiment_languages": ",".join(sorted(sentiment_head.by_language)),
        **intent.calibration,
    }
    return UnderstandingModel(
        embedder_model_id=embedder_model_id,
        intent=intent,
        sentiment=sentiment_head,
        trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        training_summary=summary,
    )
