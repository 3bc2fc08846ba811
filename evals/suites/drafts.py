"""`drafts`: replies drafted for human agents, against the replies agents sent in recorded support conversations.

Data: data/retail/resolved_tickets.jsonl (tau2-bench retail, MIT): 19 recorded conversations; a case is a
ticket's first customer message, its reference the first reply the agent wrote to it. Scores: semantic similarity
of draft and reference (cosine of our packaged embeddings), a judge model's 1-5 rubric (evals/prompts/draft_rubric.md.j2,
normalised to 0-1; missing when the judge's answer is unusable), and whether the draft cites its sources.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec
from evals.suites.chat_env import SHOP, retail_commerce, with_backend
from evals.suites.datasets import DATA, read_jsonl
from evals.suites.ragas_judge import JudgeOptions

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
RUBRIC_SCHEMA = {
    "type": "object",
    "properties": {"reason": {"type": "string"}, "score": {"type": "integer", "minimum": 1, "maximum": 5}},
    "required": ["reason", "score"],
}
_CITATION = re.compile(r"\[\d+\]")


def first_exchange(transcript: str) -> tuple[str, str] | None:
    """(first customer message, first reply the agent wrote to it); tool calls (`assistant: None`) are skipped."""
    customer: str | None = None
    for line in transcript.split("\n"):
        role, _, content = line.partition(": ")
        if role == "user" and customer is None:
            customer = content.strip()
        elif role == "assistant" and customer is not None and content.strip() not in ("", "None"):
            return customer, content.strip()
    return None


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


class DraftsSuite:
    name = "drafts"
    description = "Drafted replies vs the replies agents sent (resolved tickets): similarity, judge rubric, citations."
    needs_llm = True

    def load_cases(self) -> list[Case]:
        cases = []
        for ticket in read_jsonl(DATA / "retail" / "resolved_tickets.jsonl"):
            exchange = first_exchange(ticket["transcript"])
            if exchange is not None:
                cases.append(Case(id=ticket["id"], inputs={"ticket": exchange[0], "reference": exchange[1]}))
        return cases

    def concurrency(self, settings: Settings) -> int:
        return settings.llm.concurrency

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        from assistant.bootstrap import build_services
        from assistant.components.container import build_components

        async with retail_commerce(context) as commerce:
            work = (context.work_dir / "drafts").resolve()
            work.mkdir(parents=True, exist_ok=True)
            base = context.settings
            settings = base.model_copy(
                update={
                    "database": base.database.model_copy(update={"url": f"sqlite:///{work / 'assistant.db'}"}),
                    "shops": with_backend(base, commerce),
                }
            )
            services = build_services(settings, build_components(settings))
            try:
                yield _Draft(services.drafts, context, context.extras.get("judge") or JudgeOptions())
            finally:
                await services.close()

    def metrics(self) -> list[MetricSpec]:
        return [
            MetricSpec("similarity", per_case="similarity", description="Cosine of draft and reference embeddings."),
            MetricSpec("judge_score", per_case="judge_score", description="Judge rubric, (score - 1) / 4."),
            MetricSpec("cites_sources", per_case="cites_sources", description="Drafts with sources and a [n] marker."),
        ]

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        scores = [r.outputs.get("judge_raw") for r in records if r.ok]
        return {"judge scores (1-5)": {str(s): scores.count(s) for s in (1, 2, 3, 4, 5, None)}}

    def outcome(self, record: CaseRecord) -> str:
        return f"judge {record.outputs.get('judge_raw')}"


def _eval_agent() -> Any:
    """The agent a draft is made for: one of the evaluated shop's (drafts are always a shop's)."""
    from datetime import UTC, datetime

    from assistant.handoff.models import AgentView

    return AgentView(
        id="evals", shop=SHOP, name="evals", skills=[], languages=["en", "zh"], max_active=1, active=True,
        created_at=datetime.now(UTC),
    )  # fmt: skip


class _Draft:
    def __init__(self, service: Any, context: EvalContext, judge: JudgeOptions) -> None:
        self._service = service
        self._context = context
        self._judge = judge
        self._rubric = Environment(
            loader=FileSystemLoader(str(PROMPTS)), undefined=StrictUndefined, autoescape=False
        ).get_template("draft_rubric.md.j2")

    async def run(self, case: Case) -> CaseOutput:
        from assistant.drafts.models import DraftRequest

        ticket, reference = case.inputs["ticket"], case.inputs["reference"]
        request = DraftRequest.model_validate({"ticket_text": ticket, "tones": ["concise"]})
        draft = await self._service.create(request, agent=_eval_agent())
        text = draft.variants[0].text
        embedder = self._context.components.embedder()
        vectors = await asyncio.to_thread(embedder.embed, [text, reference])
        raw, reason, tokens_in, tokens_out = await self._grade(ticket, reference, text)
        return CaseOutput(
            outputs={
                "draft": text, "sources": [source.document_id for source in draft.sources], "judge_raw": raw,
                "judge_reason": reason, "language": draft.language,
            },
            scores={
                "similarity": cosine(vectors[0], vectors[1]),
                "judge_score": None if raw is None else (raw - 1) / 4,
                "cites_sources": float(bool(draft.sources) and bool(_CITATION.search(text))),
            },
            tokens_in=tokens_in, tokens_out=tokens_out,
        )  # fmt: skip

    async def _grade(self, ticket: str, reference: str, draft: str) -> tuple[int | None, str, int, int]:
        from assistant.components.llm.client import LLMClient

        base_url, api_key, model = self._judge.endpoint(self._context.settings)
        settings = self._context.settings.llm.model_copy(update={"provider": "openai", "model": model, "base_url": base_url})
        client = LLMClient(settings, base_url=base_url, api_key=api_key)
        prompt = self._rubric.render(ticket=ticket, reference=reference, draft=draft)
        try:
            completion = await client.complete(
                [{"role": "user", "content": prompt}], max_tokens=min(self._judge.max_tokens, 200), json_schema=RUBRIC_SCHEMA
            )
        finally:
            await client.close()
        try:
            answer = json.loads(completion.text)
            score = int(answer["score"])
        except (ValueError, KeyError, TypeError):
            return None, f"unusable judge answer: {completion.text[:200]}", completion.tokens_in, completion.tokens_out
        if not 1 <= score <= 5:
            return None, f"score out of range: {score}", completion.tokens_in, completion.tokens_out
        return score, str(answer.get("reason", "")), completion.tokens_in, completion.tokens_out
