"""`MessageUnderstanding.analyse(text)`: language, intent and sentiment of one customer message.

One embedding per message feeds the intent and sentiment heads; keyword rules
add what the heads cannot see (anger, anxiety, an explicit request for a human,
legal/safety/fraud topics). The model file is trained by `assistant understand
train`; with `understanding.auto_train` the first call trains it instead of
failing (minutes of CPU, so off by default: a chat turn should not pay for it).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.components.embedding.embedder import Embedder
from assistant.errors import BadInputError
from assistant.settings import Settings, UnderstandingSettings
from assistant.understanding.classifier import UnderstandingModel
from assistant.understanding.language import detect_language
from assistant.understanding.models import Emotion, Language, SentimentLabel, Signal, Understanding
from assistant.understanding.signals import load_signal_rules
from assistant.understanding.training import TrainingData, train_understanding_model
from assistant.understanding.training_data import (
    neutral_requests,
    read_intent_examples,
    read_out_of_scope,
    read_public_intent_examples,
    read_sentiment_examples,
)

# An angry message is negative whatever the sentiment head says about its words.
ANGER_SCORE_CAP = -0.6
# Intent and model version of an understanding made by the keyword rules alone.
UNKNOWN_INTENT = "unknown"
RULES_ONLY = "rules-only"


def default_model_path(settings: Settings) -> Path:
    return settings.understanding.model_path or settings.data_dir / "understanding" / "model.joblib"


class MessageUnderstanding:
    """Analyses customer messages with a trained model file, loaded once on first use."""

    def __init__(self, settings: UnderstandingSettings, embedder: Embedder, model_path: Path) -> None:
        self._settings = settings
        self._embedder = embedder
        self._model_path = model_path
        self._model: UnderstandingModel | None = None
        self._lock = threading.Lock()
        self._rules = load_signal_rules()

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder) -> MessageUnderstanding:
        return cls(settings.understanding, embedder, default_model_path(settings))

    @classmethod
    def from_model(cls, model: UnderstandingModel, settings: UnderstandingSettings, embedder: Embedder) -> MessageUnderstanding:
        """Use a model already in memory (tests, the benchmark) instead of the file."""
        understanding = cls(settings, embedder, Path("<in memory>"))
        understanding._model = model
        return understanding

    @property
    def model(self) -> UnderstandingModel:
        with self._lock:
            if self._model is None:
                if not self._model_path.exists() and self._settings.auto_train:
                    train_and_save(self._settings, self._embedder, self._model_path)
                self._model = UnderstandingModel.load(self._model_path, embedder_model_id=self._embedder.model_id)
            return self._model

    def analyse(self, text: str) -> Understanding:
        return self.analyse_many([text])[0]

    def analyse_many(self, texts: Sequence[str]) -> list[Understanding]:
        """Batch form of `analyse` (one embedding call for all texts)."""
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                raise BadInputError("a message to analyse must be non-empty text")
        self.model  # noqa: B018 - load (or refuse) before paying for the embedding
        vectors = self._embedder.embed([text.strip() for text in texts])
        return self.analyse_vectors(texts, vectors)

    def rules_only(self, text: str) -> Understanding:
        """What the keyword rules and the language detector alone can tell (no trained model needed).

        A turn uses this when the model file is missing or broken: an explicit request for a
        human, anger or a legal topic must still be caught, and the turn must not fail for it.
        """
        fired = self._rules.matches(text)
        emotions: set[Emotion] = {emotion for emotion in ("anger", "anxiety") if emotion in fired}
        signals: set[Signal] = {
            signal for signal in ("human_request", "legal_safety_fraud", "complaint", "small_talk") if signal in fired
        }
        score = ANGER_SCORE_CAP if "anger" in emotions else 0.0
        return Understanding(
            language=detect_language(text),
            intent=UNKNOWN_INTENT,
            intent_confidence=0.0,
            out_of_scope=False,  # unknown, not out of scope: no escalation for want of a model
            sentiment="negative" if "anger" in emotions else "neutral",
            sentiment_score=score,
            emotions=emotions,
            signals=signals,
            model_version=RULES_ONLY,
        )

    def analyse_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> list[Understanding]:
        """`analyse_many` over embeddings computed elsewhere (the benchmark's cache)."""
        model = self.model
        languages = [detect_language(text) for text in texts]
        intents = model.intent.predict(vectors, self._settings.intent_min_confidence)
        scores = model.sentiment.scores(vectors, [text.strip() for text in texts], languages)
        return [
            self._understanding(text, language, intent.intent, intent.confidence, intent.out_of_scope, float(score), model)
            for text, language, intent, score in zip(texts, languages, intents, scores, strict=True)
        ]

    def _understanding(
        self,
        text: str,
        language: Language,
        intent: str,
        confidence: float,
        out_of_scope: bool,
        score: float,
        model: UnderstandingModel,
    ) -> Understanding:
        fired = self._rules.matches(text)
        emotions: set[Emotion] = {emotion for emotion in ("anger", "anxiety") if emotion in fired}
        signals: set[Signal] = {
            signal for signal in ("human_request", "legal_safety_fraud", "complaint", "small_talk") if signal in fired
        }
        if "anger" in emotions:
            score = min(score, ANGER_SCORE_CAP)
        band = self._settings.neutral_band
        sentiment: SentimentLabel = "positive" if score >= band else "negative" if score <= -band else "neutral"
        return Understanding(
            language=language,
            intent=intent,
            intent_confidence=round(confidence, 4),
            out_of_scope=out_of_scope,
            sentiment=sentiment,
            sentiment_score=round(max(-1.0, min(1.0, score)), 4),
            emotions=emotions,
            signals=signals,
            model_version=model.trained_at,
        )


def train_and_save(
    settings: UnderstandingSettings,
    embedder: Embedder,
    model_path: Path,
    *,
    intent_data: Sequence[Path] | None = None,
) -> UnderstandingModel:
    """Read and check every input first, then train and replace the model file atomically."""
    model = train_understanding_model(
        embed=embedder.embed,
        embedder_model_id=embedder.model_id,
        data=training_data(settings, intent_data=intent_data),
    )
    model.save(model_path)
    return model


def training_data(settings: UnderstandingSettings, *, intent_data: Sequence[Path] | None = None) -> TrainingData:
    """Every file the settings name, read and checked (`intent_data` replaces the shop's own examples)."""
    own = read_intent_examples(list(intent_data or settings.intent_data))
    public = (
        read_public_intent_examples(settings.public_intent_data, settings.public_intent_map)
        if settings.public_intent_data
        else []
    )
    return TrainingData(
        intent_examples=own,
        public_intent_examples=public,
        out_of_scope=read_out_of_scope(settings.out_of_scope_data),
        sentiment_examples=read_sentiment_examples(settings.sentiment_data),
        # Public requests only: the shop's own messages carry sentiment labels of their own.
        neutral_requests=neutral_requests(public, count=settings.neutral_requests, exclude=settings.neutral_exclude_intents),
        public_weight=settings.public_intent_weight,
        public_per_intent=settings.public_per_intent,
    )
