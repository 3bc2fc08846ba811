"""Labelled escalation cases, their understanding, and the figures of a decision on them.

Shared by bench/escalation_calibrate.py (fits the weights on the develop parts) and
bench/understanding_bench.py --parts escalation (reports every part). The cases:
- shop: evals/datasets/shop_escalation_{develop,test}.jsonl (our zh/en messages),
- banking: data/banking_knowledge tasks, seeded develop/held-back split, whole scenario as the message,
- customer_messages: evals/datasets/customer_messages.jsonl (72 messages; develop: used to calibrate).
A bank's deployment handles fraud reports itself (disputes, card blocks), so banking cases are decided
with `escalation.handled_topics = ["fraud_report"]`; shop cases with the shipped settings.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.embedding.embedder import Embedder  # noqa: E402
from assistant.escalation import EscalationDecision, EscalationInput, EscalationPolicy  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.understanding.models import Understanding  # noqa: E402
from assistant.understanding.service import MessageUnderstanding  # noqa: E402
from evals.suites.datasets import banking_escalation, customer_messages, shop_escalation  # noqa: E402

CACHE = REPO / "var" / "cache" / "embeddings" / "escalation"
BANK_HANDLED = ["fraud_report"]
ANGER_OR_COMPLAINT = ("anger", "complaint")


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # shop | banking | customer_messages
    split: str  # develop | test
    language: str
    text: str
    escalate: bool
    reason: str | None
    kind: str


def load_cases() -> list[Case]:
    cases = []
    for part in ("develop", "test"):
        cases += [_case(m, "shop", part) for m in shop_escalation(part)]
        cases += [_case(m, "banking", part) for m in banking_escalation(part)]
    cases += [_case({**m, "kind": "customer_message"}, "customer_messages", "develop") for m in customer_messages()]
    return cases


def _case(message: dict, source: str, split: str) -> Case:
    return Case(
        id=message["id"], source=source, split=split, language=message["language"], text=message["text"],
        escalate=bool(message["escalate"]), reason=message.get("reason"), kind=message["kind"],
    )  # fmt: skip


def cached_vectors(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """One file per text under var/cache/embeddings/escalation, keyed by model id and text."""
    CACHE.mkdir(parents=True, exist_ok=True)
    paths = [CACHE / f"{hashlib.sha1((embedder.model_id + chr(0) + t).encode()).hexdigest()}.npy" for t in texts]
    missing = [i for i, path in enumerate(paths) if not path.exists()]
    if missing:
        for i, vector in zip(missing, embedder.embed([texts[i] for i in missing]), strict=True):
            np.save(paths[i], vector)
    return np.vstack([np.load(path) for path in paths])


def understand(understanding: MessageUnderstanding, embedder: Embedder, cases: list[Case]) -> list[Understanding]:
    texts = [case.text for case in cases]
    return understanding.analyse_vectors(texts, cached_vectors(embedder, texts))


def settings_for(case: Case, settings: Settings) -> Settings:
    if case.source != "banking":
        return settings
    escalation = settings.escalation.model_copy(update={"handled_topics": BANK_HANDLED})
    return settings.model_copy(update={"escalation": escalation})


class Decider:
    """One policy per settings variant (shop, bank), built once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._policies: dict[str, EscalationPolicy] = {}

    def policy(self, case: Case) -> EscalationPolicy:
        key = "bank" if case.source == "banking" else "shop"
        if key not in self._policies:
            self._policies[key] = EscalationPolicy.from_settings(settings_for(case, self.settings))
        return self._policies[key]

    def decide(self, case: Case, understood: Understanding) -> EscalationDecision:
        return self.policy(case).decide(EscalationInput(current=understood, text=case.text))


def binary(predicted: list[bool], truth: list[bool]) -> dict[str, float | int]:
    tp = int(sum(bool(p and t) for p, t in zip(predicted, truth, strict=True)))
    fp = int(sum(bool(p and not t) for p, t in zip(predicted, truth, strict=True)))
    fn = int(sum(bool(t and not p) for p, t in zip(predicted, truth, strict=True)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "tp": tp, "fp": fp, "fn": fn,
            "n": len(truth)}  # fmt: skip


def figures(cases: list[Case], decisions: list[EscalationDecision]) -> dict[str, object]:
    """Precision/recall by source, split and language; per reason; Chinese anger/complaint recall; reason accuracy."""
    rows = list(zip(cases, decisions, strict=True))
    out: dict[str, object] = {}
    for source in sorted({c.source for c in cases}):
        for split in ("develop", "test"):
            part = [(c, d) for c, d in rows if c.source == source and c.split == split]
            if not part:
                continue
            name = f"{source}/{split}"
            out[name] = binary([d.escalate for _, d in part], [c.escalate for c, _ in part])
            for language in sorted({c.language for c, _ in part}) if source == "shop" else []:
                sub = [(c, d) for c, d in part if c.language == language]
                out[f"{name}/{language}"] = binary([d.escalate for _, d in sub], [c.escalate for c, _ in sub])
            labelled = [(c, d) for c, d in part if c.escalate and c.reason and d.escalate]
            out[f"{name}/reason_accuracy"] = (
                round(sum(d.reason == c.reason for c, d in labelled) / len(labelled), 3) if labelled else None
            )
            zh_angry = [(c, d) for c, d in part if c.language == "zh" and c.reason in ANGER_OR_COMPLAINT]
            if zh_angry:
                out[f"{name}/zh_anger_complaint_recall"] = round(sum(d.escalate for _, d in zh_angry) / len(zh_angry), 3)
    for split in ("develop", "test"):
        part = [(c, d) for c, d in rows if c.split == split]
        out[f"per_reason/{split}"] = per_reason(part)
    return out


def per_reason(rows: list[tuple[Case, EscalationDecision]]) -> dict[str, dict[str, float | int]]:
    """Recall: labelled with the reason and escalated (any reason); precision: reported with the reason and labelled
    to escalate (any reason); exact: reported reason equals the label among those."""
    reasons = sorted({c.reason for c, _ in rows if c.reason} | {d.reason for _, d in rows if d.reason})
    table = {}
    for reason in reasons:
        labelled = [(c, d) for c, d in rows if c.reason == reason]
        reported = [(c, d) for c, d in rows if d.escalate and d.reason == reason]
        table[reason] = {
            "labelled": len(labelled),
            "recall": round(sum(d.escalate for _, d in labelled) / len(labelled), 3) if labelled else None,
            "reported": len(reported),
            "precision": round(sum(c.escalate for c, _ in reported) / len(reported), 3) if reported else None,
            "same_reason": round(sum(c.reason == reason for c, _ in reported) / len(reported), 3) if reported else None,
        }
    return table


def pr_curve(cases: list[Case], decisions: list[EscalationDecision], thresholds: list[float]) -> list[dict[str, float]]:
    """Precision and recall if the threshold were t: hard guarantees stay, the score is compared with t."""
    points = []
    truth = [c.escalate for c in cases]
    for t in thresholds:
        predicted = [_would_escalate(d, t) for d in decisions]
        result = binary(predicted, truth)
        points.append({"threshold": t, "precision": result["precision"], "recall": result["recall"]})
    return points


def _would_escalate(decision: EscalationDecision, threshold: float) -> bool:
    hard = any(t.kind == "guarantee" for t in decision.triggers)
    return hard or (decision.probability is not None and decision.probability >= threshold)
