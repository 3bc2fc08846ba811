"""The intent head over sentence embeddings (with out-of-scope), and the model file holding it and the sentiment head.

Both heads are scikit-learn logistic regressions over the configured multilingual
embedding, so one embedding per message feeds both. The intent head learns the shop's
own labelled messages (both languages) and public examples mapped onto the shop's
intents, weighted lower, so the shop's words decide where the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from assistant.errors import UnderstandingModelError
from assistant.understanding.models import OUT_OF_SCOPE
from assistant.understanding.sentiment import SentimentHead

# 2: the shop intent set, per-language sentiment heads (a version-1 file is refused: retrain).
FORMAT_VERSION = 2


@dataclass
class IntentPrediction:
    intent: str
    confidence: float
    out_of_scope: bool


@dataclass
class IntentHead:
    """Multinomial logistic regression; out of scope when its own class wins or the best intent is unsure."""

    classifier: LogisticRegression
    threshold: float
    calibration: dict[str, float] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return [str(label) for label in self.classifier.classes_ if label != OUT_OF_SCOPE]

    def predict(self, vectors: np.ndarray, min_confidence: float = 0.0) -> list[IntentPrediction]:
        probabilities = self.classifier.predict_proba(vectors)
        return [
            _decide(probabilities[i], list(self.classifier.classes_), max(self.threshold, min_confidence))
            for i in range(len(vectors))
        ]


def _decide(row: np.ndarray, classes: list[str], threshold: float) -> IntentPrediction:
    in_scope = [i for i, label in enumerate(classes) if label != OUT_OF_SCOPE]
    best = max(in_scope, key=lambda i: row[i])
    oos_wins = OUT_OF_SCOPE in classes and row[classes.index(OUT_OF_SCOPE)] > row[best]
    out = oos_wins or row[best] < threshold
    return IntentPrediction(intent=OUT_OF_SCOPE if out else classes[best], confidence=float(row[best]), out_of_scope=out)


def fit_intent_head(
    vectors: np.ndarray,
    labels: list[str],
    oos_vectors: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
    c: float = 10.0,
    seed: int = 0,
) -> IntentHead:
    """Fit on in-scope examples (plus out-of-scope ones as their own class) and calibrate the threshold.

    `weights` (one per row of `vectors`; out-of-scope rows weigh 1) lets the shop's own examples count
    more than mapped public ones. The threshold maximises the mean of in-scope accuracy and out-of-scope
    recall on 3-fold cross-validated probabilities, so it is chosen on data the model did not see.
    """
    x, y = vectors, np.asarray(labels, dtype=object)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    if oos_vectors is not None and len(oos_vectors):
        x = np.vstack([vectors, oos_vectors])
        y = np.concatenate([y, np.full(len(oos_vectors), OUT_OF_SCOPE, dtype=object)])
        w = np.concatenate([w, np.ones(len(oos_vectors))])
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    threshold, calibration = 0.0, dict[str, float]()
    smallest = min(np.unique(y, return_counts=True)[1])
    if smallest >= 3:
        folds = StratifiedKFold(3, shuffle=True, random_state=seed)
        probabilities = cross_val_predict(classifier, x, y, cv=folds, method="predict_proba", params={"sample_weight": w})
        classes = sorted(set(y.tolist()))
        threshold, calibration = _calibrate(probabilities, classes, y)
    classifier.fit(x, y, sample_weight=w)
    return IntentHead(classifier=classifier, threshold=threshold, calibration=calibration)


def _calibrate(probabilities: np.ndarray, classes: list[str], truth: np.ndarray) -> tuple[float, dict[str, float]]:
    is_oos = truth == OUT_OF_SCOPE
    in_scope = np.array([label != OUT_OF_SCOPE for label in classes])
    in_scope_columns = np.flatnonzero(in_scope)
    best_column = in_scope_columns[np.argmax(probabilities[:, in_scope], axis=1)]
    best_probability = probabilities[np.arange(len(probabilities)), best_column]
    oos_probability = probabilities[:, classes.index(OUT_OF_SCOPE)] if OUT_OF_SCOPE in classes else np.zeros(len(truth))
    best_label = np.asarray(classes, dtype=object)[best_column]
    best: tuple[float, float, dict[str, float]] = (-1.0, 0.0, {})
    for threshold in np.arange(0.0, 0.95, 0.025):
        rejected = (oos_probability > best_probability) | (best_probability < threshold)
        predictions = np.where(rejected, OUT_OF_SCOPE, best_label)
        in_scope_accuracy = float(np.mean(predictions[~is_oos] == truth[~is_oos]))
        oos_recall = float(np.mean(predictions[is_oos] == OUT_OF_SCOPE)) if is_oos.any() else 1.0
        score = (in_scope_accuracy + oos_recall) / 2 if is_oos.any() else in_scope_accuracy
        if score > best[0] + 1e-9:
            metrics = {"cv_in_scope_accuracy": in_scope_accuracy, "cv_oos_recall": oos_recall, "threshold": float(threshold)}
            best = (score, float(threshold), metrics)
    return best[1], best[2]


@dataclass
class UnderstandingModel:
    """Everything `MessageUnderstanding` loads from one file."""

    embedder_model_id: str
    intent: IntentHead
    sentiment: SentimentHead
    trained_at: str
    training_summary: dict[str, object] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        joblib.dump({"format": FORMAT_VERSION, "sklearn": sklearn.__version__, "model": self}, temporary)
        temporary.replace(path)  # a half-written file never replaces a good one

    @classmethod
    def load(cls, path: Path, *, embedder_model_id: str) -> UnderstandingModel:
        if not path.exists():
            raise UnderstandingModelError(f"no understanding model at {path}: run `assistant understand train` to make it")
        # joblib unpickles: only files this project wrote are loaded (the data dir is the assistant's own).
        payload = joblib.load(path)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
            raise UnderstandingModelError(f"{path} is not an understanding model of this version: retrain it")
        model = payload["model"]
        if model.embedder_model_id != embedder_model_id:
            raise UnderstandingModelError(
                f"{path} was trained on {model.embedder_model_id!r} embeddings but {embedder_model_id!r} is "
                "configured: run `assistant understand train` again"
            )
        return model
