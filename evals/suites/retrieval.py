"""`retrieval`: are the gold documents among the first hits of the configured retriever?

Cases: banking_knowledge dev tasks (the task's whole scenario as the query, `required_documents` as gold, as in
/work/shared/docs/BASELINES.md) and our own Chinese product questions (evals/datasets/ecom_products_questions.jsonl,
product ids as gold; the unanswerable ones are left out). Hits are collapsed to one per document and restricted to the
kinds the agent answers from (`agent.answer_kinds`), so the figures are about what the agent would see.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.metrics.ranking import hit_at_k, ndcg_at_k, recall_at_k, reciprocal_rank
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec
from evals.suites.datasets import DATASETS, banking_tasks, read_jsonl
from evals.suites.knowledge import require_documents, stored_document_ids

DEPTH = 10


class RetrievalSuite:
    name = "retrieval"
    description = __doc__.split("\n\n")[0]
    needs_llm = False

    def load_cases(self) -> list[Case]:
        cases = [
            Case(
                id=f"banking-{task['id']}",
                inputs={
                    "set": "banking",
                    "query": task["user_scenario"]["instructions"],
                    "gold": sorted(task["required_documents"]),
                },
            )
            for task in banking_tasks()
            if task.get("required_documents")
        ]
        for question in read_jsonl(DATASETS / "ecom_products_questions.jsonl"):
            if question["product_ids"]:
                cases.append(
                    Case(
                        id=question["id"],
                        inputs={"set": "products", "query": question["question"], "gold": sorted(question["product_ids"])},
                    )
                )
        return cases

    def concurrency(self, settings: Settings) -> int:
        return 2  # CPU-bound embedding and BM25; the machine's cores, not the model server, are the limit

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        from assistant.retrieval.retriever import Retriever

        stored = await asyncio.to_thread(stored_document_ids, context.components)
        yield _Search(Retriever(context.components), stored, list(context.settings.agent.answer_kinds))

    def metrics(self) -> list[MetricSpec]:
        specs = []
        for prefix in ("", "banking.", "products."):
            for name in ("recall@5", "recall@10", "mrr@10", "ndcg@10", "hit@1"):
                specs.append(MetricSpec(f"{prefix}{name}", per_case=f"{prefix}{name}"))
        return specs

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        return {"cases by set": {s: sum(1 for r in records if r.inputs["set"] == s) for s in ("banking", "products")}}

    def outcome(self, record: CaseRecord) -> str:
        return "hit@10" if (record.scores.get("recall@10") or 0) > 0 else "miss@10"


class _Search:
    def __init__(self, retriever: Any, stored: set[str], kinds: list[str]) -> None:
        self._retriever = retriever
        self._stored = stored
        self._kinds = kinds

    async def run(self, case: Case) -> CaseOutput:
        gold = case.inputs["gold"]
        require_documents(self._stored, gold)
        hits = await asyncio.to_thread(
            self._retriever.search, case.inputs["query"], k=DEPTH, kinds=self._kinds, max_per_document=1
        )
        ranked = [hit.document_id for hit in hits]
        values = {
            "recall@5": recall_at_k(ranked, gold, 5),
            "recall@10": recall_at_k(ranked, gold, 10),
            "mrr@10": reciprocal_rank(ranked, gold, 10),
            "ndcg@10": ndcg_at_k(ranked, gold, 10),
            "hit@1": hit_at_k(ranked, gold, 1),
        }
        prefix = case.inputs["set"]
        scores: dict[str, float | None] = {**values, **{f"{prefix}.{name}": value for name, value in values.items()}}
        return CaseOutput(outputs={"ranked": ranked, "scores": [round(hit.score, 4) for hit in hits]}, scores=scores)
