"""`intent` and `sentiment`: the per-message understanding scored against labels (the `escalation` suite is
evals/suites/escalation.py). Runs the configured understanding model file, one message per case."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.metrics.classification import classification_report, macro_scores
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec
from evals.suites.datasets import shop_intent_messages

PARALLEL_EMBEDDING = 2  # the packaged embedder is CPU-bound; more threads than cores only queue


def _labels(records: Sequence[CaseRecord], truth: str, predicted: str) -> tuple[list[str], list[str]]:
    return [str(r.inputs[truth]) for r in records], [str(r.outputs[predicted]) for r in records]


class _MessageSuite:
    needs_llm = False
    truth_key = ""
    predicted_key = ""

    def concurrency(self, settings: Settings) -> int:
        return PARALLEL_EMBEDDING

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        from assistant.understanding.service import MessageUnderstanding

        understanding = MessageUnderstanding.from_settings(context.settings, context.components.embedder())
        await asyncio.to_thread(lambda: understanding.model)  # a missing model file fails the run once, up front
        yield _Analyse(understanding, self._score, context.settings)

    def _score(self, case: Case, understanding: Any, settings: Settings) -> CaseOutput:
        raise NotImplementedError

    def _classification_specs(self) -> list[MetricSpec]:
        def statistic(position: int) -> Callable[[Sequence[CaseRecord]], float]:
            def compute(records: Sequence[CaseRecord]) -> float:
                truth, predicted = _labels(records, self.truth_key, self.predicted_key)
                return macro_scores(truth, predicted)[position]

            return compute

        return [
            MetricSpec("accuracy", per_case="correct", description="Share of messages labelled right."),
            MetricSpec("macro_precision", statistic=statistic(0)),
            MetricSpec("macro_recall", statistic=statistic(1)),
            MetricSpec("macro_f1", statistic=statistic(2)),
        ]

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        usable = [r for r in records if r.ok]
        if not usable:
            return {}
        truth, predicted = _labels(usable, self.truth_key, self.predicted_key)

        def accuracy(part: Sequence[CaseRecord]) -> float:
            return classification_report(*_labels(part, self.truth_key, self.predicted_key)).accuracy

        def set_of(record: CaseRecord) -> str:
            # runs recorded before the suite named its sets hold one unnamed set
            return str(record.inputs.get("set", "messages"))

        by_set_and_language = {
            f"{name} {language}": accuracy(part)
            for name in sorted({set_of(r) for r in usable})
            for language in sorted({r.inputs["language"] for r in usable})
            if (part := [r for r in usable if set_of(r) == name and r.inputs["language"] == language])
        }
        return {
            self.truth_key: classification_report(truth, predicted).model_dump(),
            "accuracy by language": {
                language: accuracy([r for r in usable if r.inputs["language"] == language])
                for language in sorted({r.inputs["language"] for r in usable})
            },
            "accuracy by set and language": by_set_and_language,
        }

    def outcome(self, record: CaseRecord) -> str:
        return str(record.outputs[self.predicted_key])


class _Analyse:
    def __init__(self, understanding: Any, score: Callable[[Case, Any, Settings], CaseOutput], settings: Settings) -> None:
        self._understanding = understanding
        self._score = score
        self._settings = settings

    async def run(self, case: Case) -> CaseOutput:
        understood = await asyncio.to_thread(self._understanding.analyse, case.inputs["text"])
        return self._score(case, understood, self._settings)


class IntentSuite(_MessageSuite):
    name = "intent"
    description = (
        "Shop intent (with out-of-scope) of our own labelled messages, English and Chinese: the held-back test "
        "messages and the 72 older ones (the develop messages train the model)."
    )
    truth_key, predicted_key = "intent", "intent"

    def load_cases(self) -> list[Case]:
        return [
            Case(id=m["id"], inputs={"text": m["text"], "language": m["language"], "intent": m["intent"], "set": m["set"]})
            for m in shop_intent_messages()
        ]

    def _score(self, case: Case, understood: Any, settings: Settings) -> CaseOutput:
        return CaseOutput(
            outputs={"intent": understood.intent, "confidence": understood.intent_confidence},
            scores={"correct": float(understood.intent == case.inputs["intent"])},
        )

    def metrics(self) -> list[MetricSpec]:
        return self._classification_specs()


class SentimentSuite(_MessageSuite):
    name = "sentiment"
    description = (
        "Sentiment (negative / neutral / positive) of our own labelled shop messages, English and Chinese (the same "
        "messages as `intent`); pos/neg on review sets written by others is in bench/understanding_bench.py."
    )
    truth_key, predicted_key = "sentiment", "sentiment"

    def load_cases(self) -> list[Case]:
        return [
            Case(
                id=m["id"],
                inputs={"text": m["text"], "language": m["language"], "sentiment": m["sentiment"], "set": m["set"]},
            )
            for m in shop_intent_messages()
        ]

    def _score(self, case: Case, understood: Any, settings: Settings) -> CaseOutput:
        return CaseOutput(
            outputs={
                "sentiment": understood.sentiment,
                "score": understood.sentiment_score,
                "emotions": sorted(understood.emotions),
            },
            scores={
                "correct": float(understood.sentiment == case.inputs["sentiment"]),
                # Positive or negative messages only: is the score on the right side of zero?
                "pos_neg_correct": None
                if case.inputs["sentiment"] == "neutral"
                else float((understood.sentiment_score >= 0) == (case.inputs["sentiment"] == "positive")),
            },
        )

    def metrics(self) -> list[MetricSpec]:
        return [
            *self._classification_specs(),
            MetricSpec(
                "pos_neg_accuracy",
                per_case="pos_neg_correct",
                description="Of the positive and negative messages, the share whose score has the right sign.",
            ),
        ]
