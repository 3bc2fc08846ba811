"""Running a suite: select the cases, skip the finished ones, run the rest in parallel, record each, then score.

A case that raises is recorded as failed with its error and the run goes on.
An interrupted run (Ctrl-C, a kill) is resumed by running it again with its run
id: the finished cases are read back from cases.jsonl and only the others run,
so the results equal those of an uninterrupted run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from assistant.components.container import build_components
from assistant.errors import BadInputError, ConflictError
from assistant.settings import Settings
from evals.harness.aggregate import aggregate
from evals.harness.environment import git_commit, machine, model_name, model_server, settings_digest, shop_prompt_version
from evals.harness.models import CaseRecord, Manifest, RunOptions, RunResults
from evals.harness.store import RunStore, runs_dir
from evals.report import write_report
from evals.suites.base import Case, CaseRunner, EvalContext, Suite

OnCase = Callable[[CaseRecord], None]


@dataclass
class RunRequest:
    suite: Suite
    settings: Settings  # effective: prompt version and model already applied
    seed: int = 20261122
    limit: int | None = None
    only: list[str] | None = None
    judge: str | None = None  # recorded in the manifest; the judge itself is given in `extras`
    run_id: str | None = None
    progress: bool = True
    on_case: OnCase | None = None  # called after each case is recorded (tests interrupt a run here)
    extras: dict[str, Any] = field(default_factory=dict)  # services given to the suite (tests: a running commerce service)


def select_cases(cases: Sequence[Case], *, seed: int, limit: int | None, only: Sequence[str] | None = None) -> list[Case]:
    """All cases (or those named), or a seeded sample of `limit` of them kept in data-set order (so --limit N is the
    same N every time)."""
    ids = [case.id for case in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("case ids must be unique within a suite")
    if only:
        unknown = sorted(set(only) - set(ids))
        if unknown:
            raise BadInputError(f"no such case(s): {', '.join(unknown)}")
        cases = [case for case in cases if case.id in set(only)]
    if limit is None or limit >= len(cases):
        return list(cases)
    picked = set(random.Random(seed).sample(range(len(cases)), limit))
    return [case for index, case in enumerate(cases) if index in picked]


def new_run_id(suite: str, settings: Settings) -> str:
    """`<suite>-<prompt version>-<model>-<UTC time>`: sortable, and says what was run."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")[:-3]
    model = model_name(settings).replace("/", "_")
    return f"{suite}-{settings.prompts.version or shop_prompt_version(settings)}-{model}-{stamp}"


def run_suite(request: RunRequest) -> RunResults:
    """Run (or resume) a suite and write results.json and report.html; returns the results."""
    settings, suite = request.settings, request.suite
    options = RunOptions(
        suite=suite.name, prompt_version=settings.prompts.version or shop_prompt_version(settings),
        model=model_name(settings), seed=request.seed,
        limit=request.limit, only=request.only, judge=request.judge,
    )  # fmt: skip
    cases = select_cases(suite.load_cases(), seed=request.seed, limit=request.limit, only=request.only)
    store = RunStore(runs_dir(settings.data_dir) / (request.run_id or new_run_id(suite.name, settings)))
    manifest = _manifest(store, options, cases, settings)
    done = store.records()
    todo = [case for case in cases if case.id not in done]
    started = time.perf_counter()
    if todo:
        with model_server(settings, suite.needs_llm):
            asyncio.run(_run_cases(request, store, todo, already=len(cases) - len(todo), total=len(cases)))
    records_by_id = store.records()
    records = [records_by_id[case.id] for case in cases if case.id in records_by_id]
    results = RunResults(
        manifest=manifest,
        metrics=aggregate(suite.metrics(), records),
        tables=suite.tables(records),
        cases=len(records),
        failed_cases=[record.case_id for record in records if not record.ok],
        seconds_total=round(sum(record.seconds for record in records), 3),
        tokens_in=sum(record.tokens_in for record in records),
        tokens_out=sum(record.tokens_out for record in records),
        complete=len(records) == len(cases),
    )
    store.write_results(results)
    write_report(store, results, records, wall_seconds=time.perf_counter() - started)
    return results


def _manifest(store: RunStore, options: RunOptions, cases: list[Case], settings: Settings) -> Manifest:
    dataset = hashlib.sha256(
        json.dumps([[case.id, case.inputs] for case in cases], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    if store.exists():
        previous = store.manifest()
        if previous.options != options or previous.case_ids != [case.id for case in cases] or previous.dataset_digest != dataset:
            raise ConflictError(
                f"run {store.run_id} was started with other options or cases ({previous.options.model_dump()}); "
                "resume it with the same options, or start a new run"
            )
        if previous.settings_digest != settings_digest(settings):
            raise ConflictError(f"run {store.run_id} was started with other settings; resume it with the same settings")
        return previous
    manifest = Manifest(
        run_id=store.run_id,
        options=options,
        case_ids=[case.id for case in cases],
        git_commit=git_commit(),
        settings_digest=settings_digest(settings),
        dataset_digest=dataset,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=machine(),
    )
    store.write_manifest(manifest)
    return manifest


async def _run_cases(request: RunRequest, store: RunStore, todo: list[Case], *, already: int, total: int) -> None:
    suite, settings = request.suite, request.settings
    components = build_components(settings)
    context = EvalContext(settings=settings, components=components, work_dir=store.folder / "work", extras=dict(request.extras))
    slots = asyncio.Semaphore(max(1, suite.concurrency(settings)))
    columns = (TextColumn(f"{suite.name}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, disable=not request.progress) as progress:
            bar = progress.add_task(suite.name, total=total, completed=already)
            async with suite.open(context) as runner:

                async def one(case: Case) -> None:
                    async with slots:
                        record = await _run_one(runner, case)
                    store.append(record)
                    progress.advance(bar)
                    if request.on_case is not None:
                        request.on_case(record)

                await asyncio.gather(*(one(case) for case in todo))
    finally:
        await components.close()


async def _run_one(runner: CaseRunner, case: Case) -> CaseRecord:
    started = time.perf_counter()
    try:
        output = await runner.run(case)
    except Exception as exc:  # recorded, not raised: one broken case must not stop the run
        return CaseRecord(
            case_id=case.id, ok=False, error=f"{type(exc).__name__}: {exc}", inputs=case.inputs,
            seconds=round(time.perf_counter() - started, 3),
        )  # fmt: skip
    # A NaN score (a judge that could not decide) is recorded as None: "not computable", counted as missing.
    scores = {name: None if value is None or math.isnan(value) else value for name, value in output.scores.items()}
    return CaseRecord(
        case_id=case.id, ok=True, inputs=case.inputs, outputs=output.outputs, scores=scores,
        seconds=round(time.perf_counter() - started, 3), tokens_in=output.tokens_in, tokens_out=output.tokens_out,
    )  # fmt: skip
