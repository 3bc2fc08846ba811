"""Hot questions and knowledge gaps: the customer questions of a period, clustered by meaning.

Questions are embedded with the service's embedding model and grouped by agglomerative
clustering (average linkage, cosine distance under `analytics.cluster_distance`), which
bench/question_clusters_bench.py found to group paraphrases better than HDBSCAN on
labelled customer-support intents. Clusters are ranked by volume and by growth against the
previous period of the same length (previous questions join the nearest current cluster
when they are close enough).

A cluster is a knowledge gap when the share of its questions whose answer went badly —
unanswered or failed, low retrieval confidence (best similarity under
`agent.low_confidence_score`), escalated to a human, or rated thumbs-down — reaches
`analytics.gap_min_share`. Gaps are ranked by the lower bound of the 95% Wilson interval of
that share, so a large cluster that often goes badly outranks a pair of unlucky questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.analytics.definitions import is_low_confidence
from assistant.analytics.records import ConversationFacts, TurnFacts

Embed = Callable[[list[str]], np.ndarray]
ClusterMethod = Literal["agglomerative", "hdbscan"]
NOT_QUESTIONS = frozenset({"confirm", "declined"})  # a yes/no to a proposed action says nothing about a topic
MIN_CHARS = 3


@dataclass(frozen=True)
class MiningParameters:
    low_confidence_score: float
    cluster_distance: float = 0.5
    min_cluster_size: int = 2
    gap_min_share: float = 0.5
    example_questions: int = 5
    max_questions: int = 3000
    method: ClusterMethod = "agglomerative"


@dataclass(frozen=True)
class Question:
    text: str
    conversation_id: str
    turn: TurnFacts


class Problems(BaseModel):
    unresolved: int = 0
    low_confidence: int = 0
    escalated: int = 0
    rated_down: int = 0


class QuestionCluster(BaseModel):
    id: int
    size: int = Field(description="Questions in the period.")
    previous_size: int = Field(description="Questions of the previous period closest to this cluster.")
    growth: float | None = Field(description="(size - previous) / previous; null when the topic is new.")
    representative: str = Field(description="The question closest to the cluster's centre.")
    examples: list[str]
    intents: dict[str, int]
    languages: dict[str, int]
    problems: Problems
    bad_answers: int = Field(description="Questions whose answer had at least one of the problems.")
    gap_share: float = Field(description="bad_answers / size.")
    gap_score: float = Field(description="Lower bound of the 95% Wilson interval of gap_share.")
    is_gap: bool


class QuestionsReport(BaseModel):
    questions: int
    previous_questions: int
    method: str
    hot: list[QuestionCluster] = Field(description="Clusters by volume, then growth.")
    gaps: list[QuestionCluster] = Field(description="Knowledge gaps, the worst first.")


def questions_of(conversations: Sequence[ConversationFacts], limit: int | None = None) -> list[Question]:
    """Customer messages that ask something: not small talk, not a yes/no to a proposal, not a message to a human."""
    found = [
        Question(text=turn.text.strip(), conversation_id=conversation.id, turn=turn)
        for conversation in conversations
        for turn in conversation.turns
        if not turn.small_talk
        and turn.route not in NOT_QUESTIONS
        and turn.outcome != "waiting"
        and len(turn.text.strip()) >= MIN_CHARS
    ]
    found.sort(key=lambda question: question.turn.created_at)
    return found[-limit:] if limit else found


def problems_of(turn: TurnFacts, low_confidence_score: float) -> set[str]:
    problems = set()
    if turn.outcome in ("unanswered", "failed") or turn.status == "failed":
        problems.add("unresolved")
    if is_low_confidence(turn.best_dense_score, low_confidence_score):
        problems.add("low_confidence")
    if turn.escalated or turn.outcome == "handoff":
        problems.add("escalated")
    if turn.thumb == "down":
        problems.add("rated_down")
    return problems


def cluster_labels(vectors: np.ndarray, *, method: ClusterMethod, distance: float, min_cluster_size: int = 2) -> np.ndarray:
    """A cluster label per row of L2-normalised vectors (-1: left out as noise, HDBSCAN only)."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    if method == "hdbscan":
        from sklearn.cluster import HDBSCAN

        # On unit vectors Euclidean distance is a monotone function of cosine distance.
        return HDBSCAN(min_cluster_size=max(2, min_cluster_size), min_samples=1, copy=True).fit_predict(vectors)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance)
    return model.fit_predict(vectors)


def mine_questions(
    current: Sequence[ConversationFacts], previous: Sequence[ConversationFacts], *, embed: Embed, parameters: MiningParameters
) -> QuestionsReport:
    from statsmodels.stats.proportion import proportion_confint

    questions = questions_of(current, parameters.max_questions)
    earlier = questions_of(previous, parameters.max_questions)
    empty = QuestionsReport(questions=len(questions), previous_questions=len(earlier), method=parameters.method, hot=[], gaps=[])
    if not questions:
        return empty
    vectors = _unit(embed([question.text for question in questions]))
    labels = cluster_labels(
        vectors, method=parameters.method, distance=parameters.cluster_distance, min_cluster_size=parameters.min_cluster_size
    )
    members = {label: np.flatnonzero(labels == label) for label in sorted(set(labels.tolist())) if label >= 0}
    centroids = {label: _unit(vectors[rows].mean(axis=0, keepdims=True))[0] for label, rows in members.items()}
    previous_counts = _assign_previous(earlier, centroids, embed, parameters.cluster_distance)

    clusters = []
    for label, rows in members.items():
        if len(rows) < parameters.min_cluster_size:
            continue
        closeness = vectors[rows] @ centroids[label]
        ordered = [questions[row] for row in rows[np.argsort(-closeness)]]
        counts: Counter[str] = Counter()
        bad = 0
        for question in ordered:
            found = problems_of(question.turn, parameters.low_confidence_score)
            counts.update(found)
            bad += bool(found)
        size, before = len(rows), previous_counts.get(label, 0)
        share = bad / size
        lower, _ = proportion_confint(bad, size, alpha=0.05, method="wilson")
        clusters.append(
            QuestionCluster(
                id=int(label),
                size=size,
                previous_size=before,
                growth=(size - before) / before if before else None,
                representative=ordered[0].text,
                examples=_distinct([question.text for question in ordered], parameters.example_questions),
                intents=dict(Counter(q.turn.intent or "unknown" for q in ordered).most_common(3)),
                languages=dict(Counter(q.turn.language for q in ordered).most_common()),
                problems=Problems(**{name: counts[name] for name in Problems.model_fields}),
                bad_answers=bad,
                gap_share=share,
                gap_score=float(lower),
                is_gap=share >= parameters.gap_min_share and bad > 0,
            )
        )
    hot = sorted(clusters, key=lambda c: (-c.size, -(c.growth if c.growth is not None else float("inf")), c.representative))
    gaps = sorted((c for c in clusters if c.is_gap), key=lambda c: (-c.gap_score, -c.bad_answers, c.representative))
    return empty.model_copy(update={"hot": hot, "gaps": gaps})


def _assign_previous(earlier: list[Question], centroids: dict[int, np.ndarray], embed: Embed, distance: float) -> dict[int, int]:
    if not earlier or not centroids:
        return {}
    labels = list(centroids)
    similarity = _unit(embed([question.text for question in earlier])) @ np.vstack([centroids[label] for label in labels]).T
    nearest = similarity.argmax(axis=1)
    close = similarity[np.arange(len(earlier)), nearest] >= 1 - distance
    return dict(Counter(labels[index] for index, ok in zip(nearest, close, strict=True) if ok))


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float64)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _distinct(texts: list[str], limit: int) -> list[str]:
    seen: set[str] = set()
    chosen = []
    for text in texts:
        key = " ".join(text.lower().split())
        if key not in seen:
            seen.add(key)
            chosen.append(text)
            if len(chosen) == limit:
                break
    return chosen
