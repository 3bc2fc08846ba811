"""`answers`: grounded question answering through the chat API, scored by deterministic checks and by RAGAS.

Deterministic (exact): the required facts are in the reply, a gold document is cited, the reply is in the
question's language. RAGAS (a judge model, see ragas_judge.py): faithfulness to the retrieved chunks, answer
relevancy, context precision and recall against the reference answer. Data: evals/datasets/answers_questions.jsonl.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text

from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.metrics.text import facts_recall, text_language
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec
from evals.suites.chat_env import ChatEnvironment, chat_environment
from evals.suites.datasets import DATASETS, read_jsonl
from evals.suites.ragas_judge import RAGAS_METRICS, JudgeOptions, RagasJudge

CUSTOMER = "evals_customer"


def matches_gold(document_id: str, gold: Sequence[str]) -> bool:
    """File documents are ingested under their path relative to the working folder: match the gold path as a suffix."""
    return any(document_id == g or document_id.endswith("/" + g) for g in gold)


class AnswersSuite:
    name = "answers"
    description = "Questions answered from the knowledge base: facts, citation, language (exact) and RAGAS (judge model)."
    needs_llm = True

    def load_cases(self) -> list[Case]:
        return [Case(id=q.pop("id"), inputs=q) for q in read_jsonl(DATASETS / "answers_questions.jsonl")]

    def concurrency(self, settings: Settings) -> int:
        return settings.llm.concurrency

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        judge = RagasJudge(context.settings, context.components.embedder(), context.extras.get("judge") or JudgeOptions())
        async with chat_environment(context, "answers") as chat:
            yield _Answer(chat, judge, context)

    def metrics(self) -> list[MetricSpec]:
        return [
            MetricSpec("answered", per_case="answered", description="Turns that produced an answer (not a failure apology)."),
            MetricSpec("facts_recall", per_case="facts_recall", description="Share of the required facts in the reply."),
            MetricSpec("facts_all", per_case="facts_all", description="Replies with every required fact."),
            MetricSpec("cites_gold", per_case="cites_gold", description="Replies citing a gold document."),
            MetricSpec("language_match", per_case="language_match", description="Reply in the question's language."),
            *(
                MetricSpec(name, per_case=name, description="RAGAS; missing where the judge gave no usable answer.")
                for name in RAGAS_METRICS
            ),
        ]

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        by_language: dict[str, Any] = {}
        for record in records:
            if record.ok:
                entry = by_language.setdefault(record.inputs["language"], {"cases": 0, "facts_all": 0, "cites_gold": 0})
                entry["cases"] += 1
                entry["facts_all"] += int(record.scores.get("facts_all") or 0)
                entry["cites_gold"] += int(record.scores.get("cites_gold") or 0)
        missing = {name: sum(1 for r in records if r.ok and r.scores.get(name) is None) for name in RAGAS_METRICS}
        return {"by language": by_language, "RAGAS not computable (cases)": missing}

    def outcome(self, record: CaseRecord) -> str:
        return "all facts" if record.scores.get("facts_all") else "facts missing"


class _Answer:
    def __init__(self, chat: ChatEnvironment, judge: RagasJudge, context: EvalContext) -> None:
        self._chat = chat
        self._judge = judge
        self._context = context

    async def run(self, case: Case) -> CaseOutput:
        question, gold = case.inputs["question"], case.inputs["gold_documents"]
        conversation = await self._chat.start(CUSTOMER)
        turn = (await self._chat.say(conversation, CUSTOMER, question)).model_dump(mode="json")
        reply = turn["reply"]
        cited = [citation["document_id"] for citation in turn["citations"]]
        chunk_ids, tokens_in, tokens_out = await asyncio.to_thread(self._turn_records, turn["turn_id"])
        contexts = await asyncio.to_thread(self._chunk_texts, chunk_ids)
        recall = facts_recall(reply, case.inputs["facts"])
        answered = turn["status"] == "ok"
        scores: dict[str, float | None] = {
            "answered": float(answered),
            "facts_recall": recall,
            "facts_all": float(recall == 1.0),
            # A failed turn's apology cites nothing, whatever was retrieved before it failed.
            "cites_gold": float(answered and any(matches_gold(document, gold) for document in cited)),
            "language_match": float(text_language(reply) == case.inputs["language"]),
        }
        judged, judge_errors, usage = await self._judge.score(
            question=question, answer=reply, contexts=contexts, reference=case.inputs["reference"]
        )
        scores.update(judged)
        return CaseOutput(
            outputs={
                "reply": reply, "route": turn["route"], "status": turn["status"], "cited": cited, "contexts": contexts,
                "reply_language": text_language(reply), "judge_model": self._judge.model, "judge_errors": judge_errors,
                "judge_calls": usage.calls, "judge_tokens": usage.tokens_in + usage.tokens_out,
            },
            scores=scores, tokens_in=tokens_in + usage.tokens_in, tokens_out=tokens_out + usage.tokens_out,
        )  # fmt: skip

    def _turn_records(self, turn_id: str) -> tuple[list[str], int, int]:
        with self._chat.engine.connect() as connection:
            chunks = (
                connection.execute(text("SELECT chunk_id FROM retrievals WHERE turn_id = :t ORDER BY rank"), {"t": turn_id})
                .scalars()
                .all()
            )
            tokens = connection.execute(
                text("SELECT COALESCE(SUM(tokens_in), 0), COALESCE(SUM(tokens_out), 0) FROM llm_calls WHERE turn_id = :t"),
                {"t": turn_id},
            ).one()
        return list(dict.fromkeys(chunks)), int(tokens[0]), int(tokens[1])

    def _chunk_texts(self, chunk_ids: list[str]) -> list[str]:
        if not chunk_ids:
            return []
        from assistant.retrieval.collection import open_collection
        from assistant.shops import load_shops
        from evals.suites.chat_env import SHOP

        # The chunks the evaluated shop's turns retrieved: they live in that shop's collection.
        collection = open_collection(self._context.components, load_shops(self._context.settings)[SHOP].profile.collection)
        return [chunk.text for chunk in collection.store.get(chunk_ids, fields=("text",))]
