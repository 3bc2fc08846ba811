"""`escalation`: whether one message alone should bring in a person, and why, scored against labels.

Cases (evals/datasets/ESCALATION_SETS.md): our shop messages (develop and held-back test, zh + en), the
banking_knowledge tasks (seeded develop / held-back split; the whole scenario as the message), and the
72 customer messages (develop: the weights were calibrated on them). The decision is the configured
policy with its calibrated weights and threshold; a bank handles fraud reports itself (disputes, card
blocks), so banking cases are decided with `escalation.handled_topics = ["fraud_report"]`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import numpy as np

from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.metrics.classification import binary_report, classification_report
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec
from evals.suites.datasets import banking_escalation, customer_messages, shop_escalation

PARALLEL_EMBEDDING = 2  # the packaged embedder is CPU-bound; more threads than cores only queue
BANK_HANDLED_TOPICS = ["fraud_report"]
ANGER_OR_COMPLAINT = ("anger", "complaint")
CURVE_THRESHOLDS = [round(t, 2) for t in np.arange(0.05, 0.96, 0.05)]


def bank_settings(settings: Settings) -> Settings:
    escalation = settings.escalation.model_copy(update={"handled_topics": BANK_HANDLED_TOPICS})
    return settings.model_copy(update={"escalation": escalation})


def _case(message: dict[str, Any], source: str, split: str) -> Case:
    inputs = {"text": message["text"], "source": source, "split": split, "language": message["language"],
              "escalate": bool(message["escalate"]), "reason": message.get("reason")}  # fmt: skip
    return Case(id=message["id"], inputs=inputs)


class EscalationSuite:
    name = "escalation"
    description = (
        "Whether one message alone should go to a human, and the reason: our shop messages (zh/en, develop and "
        "held-back test), banking_knowledge tasks (seeded develop/held-back split, whole scenario as the message) "
        "and the 72 customer messages (develop)."
    )
    needs_llm = False

    def concurrency(self, settings: Settings) -> int:
        return PARALLEL_EMBEDDING

    def load_cases(self) -> list[Case]:
        cases = [_case(m, "customer_messages", "develop") for m in customer_messages()]
        for split in ("develop", "test"):
            cases += [_case(m, "shop", split) for m in shop_escalation(split)]
            cases += [_case(m, "banking", split) for m in banking_escalation(split)]
        return cases

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        from assistant.escalation import EscalationPolicy
        from assistant.understanding.service import MessageUnderstanding

        understanding = MessageUnderstanding.from_settings(context.settings, context.components.embedder())
        await asyncio.to_thread(lambda: understanding.model)  # a missing model file fails the run once, up front
        policies = {
            "shop": EscalationPolicy.from_settings(context.settings),
            "bank": EscalationPolicy.from_settings(bank_settings(context.settings)),
        }
        yield _Decide(understanding, policies)

    def metrics(self) -> list[MetricSpec]:
        def binary(field: str, split: str | None = None) -> Callable[[Sequence[CaseRecord]], float]:
            def compute(records: Sequence[CaseRecord]) -> float:
                part = [r for r in records if split is None or r.inputs["split"] == split]
                return float(_report(part)[field]) if part else 0.0

            return compute

        def zh_anger_complaint_recall(records: Sequence[CaseRecord]) -> float:
            part = [r for r in records if r.inputs["split"] == "test" and r.inputs["language"] == "zh"
                    and r.inputs["reason"] in ANGER_OR_COMPLAINT]  # fmt: skip
            return sum(bool(r.outputs["escalate"]) for r in part) / len(part) if part else 0.0

        return [
            MetricSpec("accuracy", per_case="correct"),
            MetricSpec("precision", statistic=binary("precision"), description="Of the escalated messages, the share "
                       "that should be."),
            MetricSpec("recall", statistic=binary("recall"), description="Of the messages that should escalate, the "
                       "share that did."),
            MetricSpec("f1", statistic=binary("f1")),
            MetricSpec("test.precision", statistic=binary("precision", "test"), description="Held-back parts only."),
            MetricSpec("test.recall", statistic=binary("recall", "test"), description="Held-back parts only."),
            MetricSpec("test.zh_anger_complaint_recall", statistic=zh_anger_complaint_recall,
                       description="Held-back Chinese messages labelled anger or complaint that escalate."),
            MetricSpec("reason_accuracy", per_case="reason_correct", description="Right reason, among escalated "
                       "labelled messages."),
        ]  # fmt: skip

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        usable = [r for r in records if r.ok]
        if not usable:
            return {}
        truth = ["escalate" if r.inputs["escalate"] else "stay" for r in usable]
        predicted = ["escalate" if r.outputs["escalate"] else "stay" for r in usable]
        tables: dict[str, Any] = {"escalate": classification_report(truth, predicted, labels=["escalate", "stay"]).model_dump()}
        for name, part in _parts(usable).items():
            tables[f"by part: {name}"] = _report(part)
        for split in ("develop", "test"):
            part = [r for r in usable if r.inputs["split"] == split]
            tables[f"per reason: {split}"] = _per_reason(part)
            tables[f"precision-recall curve: {split}"] = _curve(part)
        return tables

    def outcome(self, record: CaseRecord) -> str:
        return f"escalate ({record.outputs['reason']})" if record.outputs["escalate"] else "stay"


class _Decide:
    def __init__(self, understanding: Any, policies: dict[str, Any]) -> None:
        self._understanding = understanding
        self._policies = policies

    async def run(self, case: Case) -> CaseOutput:
        from assistant.escalation import EscalationInput

        text = case.inputs["text"]
        understood = await asyncio.to_thread(self._understanding.analyse, text)
        policy = self._policies["bank" if case.inputs["source"] == "banking" else "shop"]
        decision = policy.decide(EscalationInput(current=understood, text=text))
        scores: dict[str, float | None] = {"correct": float(decision.escalate == case.inputs["escalate"])}
        if case.inputs["reason"] and decision.escalate:
            scores["reason_correct"] = float(decision.reason == case.inputs["reason"])
        outputs = {
            "escalate": decision.escalate, "reason": decision.reason, "confidence": decision.confidence,
            "probability": decision.probability, "threshold": policy.threshold,
            "guaranteed": any(trigger.kind == "guarantee" for trigger in decision.triggers),
        }  # fmt: skip
        return CaseOutput(outputs=outputs, scores=scores)


def _report(records: Sequence[CaseRecord]) -> dict[str, float]:
    return binary_report([bool(r.inputs["escalate"]) for r in records], [bool(r.outputs["escalate"]) for r in records])


def _parts(records: Sequence[CaseRecord]) -> dict[str, list[CaseRecord]]:
    """source/split, and source/split/language for our bilingual shop messages."""
    parts: dict[str, list[CaseRecord]] = {}
    for record in records:
        source, split = record.inputs["source"], record.inputs["split"]
        parts.setdefault(f"{source}/{split}", []).append(record)
        if source == "shop":
            parts.setdefault(f"{source}/{split}/{record.inputs['language']}", []).append(record)
    return dict(sorted(parts.items()))


def _per_reason(records: Sequence[CaseRecord]) -> dict[str, Any]:
    """Recall: labelled with the reason and escalated; precision: reported with the reason and labelled to escalate."""
    table: dict[str, Any] = {}
    reasons = sorted({r.inputs["reason"] for r in records if r.inputs["reason"]} | {r.outputs["reason"] for r in records
                      if r.outputs["reason"]})  # fmt: skip
    for reason in reasons:
        labelled = [r for r in records if r.inputs["reason"] == reason]
        reported = [r for r in records if r.outputs["escalate"] and r.outputs["reason"] == reason]
        recall = sum(bool(r.outputs["escalate"]) for r in labelled) / len(labelled) if labelled else None
        precision = sum(bool(r.inputs["escalate"]) for r in reported) / len(reported) if reported else None
        table[reason] = f"recall {_fmt(recall)} of {len(labelled)}, precision {_fmt(precision)} of {len(reported)}"
    return table


def _curve(records: Sequence[CaseRecord]) -> dict[str, Any]:
    """Precision and recall had the threshold been t (the explicit-request guarantee stays)."""
    truth = [bool(r.inputs["escalate"]) for r in records]
    chosen = records[0].outputs["threshold"] if records else None
    thresholds = sorted({*CURVE_THRESHOLDS, *([chosen] if chosen is not None else [])})
    precision, recall = [], []
    for threshold in thresholds:
        predicted = [bool(r.outputs["guaranteed"]) or (r.outputs["probability"] or 0.0) >= threshold for r in records]
        report = binary_report(truth, predicted)
        precision.append(round(report["precision"], 4))
        recall.append(round(report["recall"], 4))
    return {"curve": {"thresholds": thresholds, "precision": precision, "recall": recall, "chosen": chosen}}


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
