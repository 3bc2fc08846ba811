"""Classification metrics over (truth, prediction) label pairs, with scikit-learn doing the counting."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


class ClassReport(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class ClassificationReport(BaseModel):
    """Accuracy, macro averages, per-class figures and the confusion matrix (rows: truth, columns: prediction)."""

    n: int
    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    per_class: dict[str, ClassReport]
    labels: list[str]
    confusion: list[list[int]] = Field(description="confusion[i][j]: cases of true labels[i] predicted as labels[j].")


def classification_report(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> ClassificationReport:
    """Macro averages run over the labels that occur in the truth (a label only ever predicted adds no class)."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    if not truth:
        raise ValueError("no cases to score")
    all_labels = list(labels) if labels is not None else sorted(set(truth) | set(predicted))
    true_labels = [label for label in all_labels if label in set(truth)]
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=all_labels, zero_division=0)
    per_class = {
        label: ClassReport(precision=float(p), recall=float(r), f1=float(f), support=int(s))
        for label, p, r, f, s in zip(all_labels, precision, recall, f1, support, strict=True)
    }
    macro = precision_recall_fscore_support(truth, predicted, labels=true_labels, average="macro", zero_division=0)
    return ClassificationReport(
        n=len(truth),
        accuracy=float(accuracy_score(truth, predicted)),
        macro_precision=float(macro[0]),
        macro_recall=float(macro[1]),
        macro_f1=float(macro[2]),
        per_class=per_class,
        labels=all_labels,
        confusion=confusion_matrix(truth, predicted, labels=all_labels).tolist(),
    )


def binary_report(truth: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Precision, recall, F1 and accuracy of the positive class (True), with the counts."""
    if len(truth) != len(predicted) or not truth:
        raise ValueError("need equally long, non-empty truth and predictions")
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    tn = len(truth) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": (tp + tn) / len(truth),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def macro_scores(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, float]:
    """(macro precision, recall, F1) over the labels in the truth, as `classification_report` computes them.

    A plain numpy path: the bootstrap recomputes it hundreds of times, where scikit-learn's validation dominates.
    """
    truth_array, predicted_array = np.asarray(truth), np.asarray(predicted)
    labels = np.unique(truth_array)
    precision, recall, f1 = [], [], []
    for label in labels:
        is_true, is_predicted = truth_array == label, predicted_array == label
        tp = float(np.sum(is_true & is_predicted))
        p = tp / float(np.sum(is_predicted)) if is_predicted.any() else 0.0
        r = tp / float(np.sum(is_true))
        precision.append(p)
        recall.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(precision)), float(np.mean(recall)), float(np.mean(f1))
