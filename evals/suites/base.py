"""The suite protocol: load the cases, run one case against the real components, and say how to score a run."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from evals.harness.models import CaseRecord

if TYPE_CHECKING:
    from assistant.components.container import Components
    from assistant.settings import Settings


class Case(BaseModel):
    """One evaluation case: an id unique in its suite and the inputs the runner needs (recorded as given)."""

    id: str
    inputs: dict[str, Any]


class CaseOutput(BaseModel):
    outputs: dict[str, Any] = Field(default_factory=dict)
    scores: dict[str, float | None] = Field(default_factory=dict)
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass
class EvalContext:
    """What a suite may use: the effective settings and the components built from them (shared by all cases)."""

    settings: Settings
    components: Components
    work_dir: Path  # the run's own folder for databases and services it starts (kept for a resumed run)
    extras: dict[str, Any] = field(default_factory=dict)


class CaseRunner(Protocol):
    async def run(self, case: Case) -> CaseOutput: ...


Statistic = Callable[[Sequence[CaseRecord]], float]


@dataclass(frozen=True)
class MetricSpec:
    """A run-level metric: by default the mean of the per-case score of the same name over the scored cases.

    `statistic` replaces the mean for metrics that are not one (macro F1 over all cases); it receives the
    records that have the score `per_case` or, without one, every successful record. `failed_as` scores a
    case that raised instead of leaving it out (a task that crashed is a task that failed).
    """

    name: str
    higher_is_better: bool = True
    per_case: str | None = None
    statistic: Statistic | None = None
    failed_as: float | None = None
    description: str = ""

    def case_values(self, records: Sequence[CaseRecord]) -> list[float | None]:
        key = self.per_case or self.name
        values: list[float | None] = []
        for record in records:
            if not record.ok:
                values.append(self.failed_as)
            else:
                value = record.scores.get(key)
                values.append(None if value is None or math.isnan(value) else float(value))
        return values


class Suite(Protocol):
    name: str
    description: str
    needs_llm: bool

    def load_cases(self) -> list[Case]: ...

    def concurrency(self, settings: Settings) -> int: ...

    def open(self, context: EvalContext) -> AbstractAsyncContextManager[CaseRunner]: ...

    def metrics(self) -> list[MetricSpec]: ...

    def tables(self, records: Sequence[CaseRecord]) -> dict[str, Any]: ...

    def outcome(self, record: CaseRecord) -> str:
        """A short label of what happened in the case ("pass", "fail", a predicted class): compare lists the cases whose
        label changed between two runs."""
        ...
