"""A suite of arithmetic cases for the harness's own tests (run folders, resume, failures, compare, gate).

A stand-in for a unit that is about something else: the harness must behave the same whatever the suite
measures; the real suites are run end to end in test_suites_*.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from assistant.settings import Settings
from evals.harness.models import CaseRecord
from evals.suites.base import Case, CaseOutput, EvalContext, MetricSpec


class ToySuite:
    """Case i asks for i squared; `wrong` ids get a wrong answer, `broken` ids raise."""

    name = "toy"
    description = "squares"
    needs_llm = False

    def __init__(self, count: int = 6, wrong: Sequence[str] = (), broken: Sequence[str] = ()) -> None:
        self.count = count
        self.wrong = set(wrong)
        self.broken = set(broken)
        self.ran: list[str] = []

    def load_cases(self) -> list[Case]:
        return [Case(id=f"c{i}", inputs={"n": i}) for i in range(self.count)]

    def concurrency(self, settings: Settings) -> int:
        return 1

    @asynccontextmanager
    async def open(self, context: EvalContext) -> AsyncIterator[Any]:
        yield self

    async def run(self, case: Case) -> CaseOutput:
        self.ran.append(case.id)
        if case.id in self.broken:
            raise RuntimeError(f"case {case.id} is broken")
        n = case.inputs["n"]
        answer = n * n + (1 if case.id in self.wrong else 0)
        return CaseOutput(outputs={"answer": answer}, scores={"correct": float(answer == n * n)}, tokens_in=n, tokens_out=1)

    def metrics(self) -> list[MetricSpec]:
        return [MetricSpec("accuracy", per_case="correct")]

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]:
        return {}

    def outcome(self, record: CaseRecord) -> str:
        return "right" if record.scores.get("correct") else "wrong"
