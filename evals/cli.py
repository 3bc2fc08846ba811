"""`assistant eval …`: run a suite, compare two runs, gate on thresholds.

assistant eval run intent
assistant eval run agent-tasks --limit 20 --prompt-version v1 --prompt-version v2   # side by side, then compared
assistant eval run agent-tasks --form both --case retail-dev-0 --case retail-dev-0@multi-turn   # the two forms
assistant eval run agent-tasks --shop jd_appliances --split dev   # the Chinese shop's own tasks
assistant eval compare RUN_A RUN_B
assistant eval gate RUN_ID…
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Evaluation suites: run, compare, gate.", no_args_is_help=True)
console = Console()


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


@app.command("list")
def list_suites() -> None:
    """The suites and what each measures."""
    from evals.suites import SUITES, get_suite

    table = Table("suite", "cases", "model", "what it measures")
    for name in SUITES:
        suite = get_suite(name)
        table.add_row(name, str(len(suite.load_cases())), "yes" if suite.needs_llm else "no", suite.description)
    console.print(table)


@app.command("run")
def run(
    suite: Annotated[str, typer.Argument(help="Suite name (see `assistant eval list`).")],
    prompt_version: Annotated[
        list[str] | None, typer.Option("--prompt-version", help="Prompt version; repeat it to run several side by side.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Chat model (packaged name with the local provider).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Run a seeded sample of N cases.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 20261122,
    run_id: Annotated[str | None, typer.Option(help="Resume (or name) this run; default: a new id.")] = None,
    case: Annotated[list[str] | None, typer.Option("--case", help="Run only this case id (repeatable).")] = None,
    judge_model: Annotated[str | None, typer.Option(help="Judge model of answers/drafts (default: the chat model).")] = None,
    judge_base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint of the judge.")] = None,
    judge_api_key: Annotated[str | None, typer.Option(envvar="EVALS_JUDGE_API_KEY", help="Key of the judge endpoint.")] = None,
    judge_max_tokens: Annotated[int, typer.Option(help="Longest judge output.")] = 768,
    judge_metric: Annotated[
        list[str] | None, typer.Option("--judge-metric", help="Only these RAGAS metrics (repeatable).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    form: Annotated[
        str | None,
        typer.Option(help="agent-tasks: one-message (default), multi-turn (a scripted customer, retail tasks) or both."),
    ] = None,
    shop: Annotated[
        str | None,
        typer.Option(help="agent-tasks: whose tasks — retail (default: tau2 retail and banking) or jd_appliances."),
    ] = None,
    split: Annotated[str | None, typer.Option(help="agent-tasks --shop jd_appliances: dev or test (default: both).")] = None,
) -> None:
    """Run a suite against the configured components; an interrupted run resumes with --run-id."""
    from evals.harness.store import open_run
    from evals.suites.ragas_judge import RAGAS_METRICS, JudgeOptions

    versions: list[str | None] = list(prompt_version) if prompt_version else [None]
    if run_id is not None and len(versions) > 1:
        raise typer.BadParameter("--run-id resumes one run; give one --prompt-version with it")
    judge = JudgeOptions(
        base_url=judge_base_url, api_key=judge_api_key, model=judge_model, max_tokens=judge_max_tokens,
        metrics=judge_metric or list(RAGAS_METRICS),
    )  # fmt: skip
    options = {key: value for key, value in (("form", form), ("shop", shop), ("split", split)) if value is not None}
    stores = [_run_one(suite, version, model, limit, seed, run_id, case, judge, progress, options) for version in versions]
    if len(stores) > 1:
        from assistant.settings import load_settings

        settings = load_settings()
        _print_comparison(open_run(settings.data_dir, stores[0]), open_run(settings.data_dir, stores[1]))


@app.command("run-versions")
def run_versions(
    suite: Annotated[str, typer.Argument()],
    prompt_versions: Annotated[str, typer.Option(help="Comma-separated prompt versions, e.g. v1,v2.")],
    model: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    seed: Annotated[int, typer.Option()] = 20261122,
) -> None:
    """Run a suite once per prompt version on the same cases, then compare the first two."""
    run(suite, [v.strip() for v in prompt_versions.split(",") if v.strip()], model, limit, seed)


def _run_one(  # type: ignore[no-untyped-def]
    suite_name: str,
    version: str | None,
    model: str | None,
    limit: int | None,
    seed: int,
    run_id: str | None,
    only: list[str] | None,
    judge,
    progress: bool,
    options: dict[str, str] | None = None,
) -> str:
    from assistant.settings import load_settings
    from evals.harness.environment import effective_settings
    from evals.harness.runner import RunRequest, new_run_id, run_suite
    from evals.suites import get_suite
    from evals.suites.ragas_judge import RAGAS_METRICS

    settings = effective_settings(load_settings(), prompt_version=version, model=model)
    judge_name = judge.endpoint(settings)[2] + ("" if judge.metrics == list(RAGAS_METRICS) else f" {','.join(judge.metrics)}")
    suite = get_suite(suite_name, **(options or {}))
    run_id = run_id or new_run_id(suite.name, settings)
    try:
        results = run_suite(
            RunRequest(
                suite=suite,
                settings=settings,
                seed=seed,
                limit=limit,
                only=only,
                run_id=run_id,
                progress=progress,
                judge=judge_name if suite.name in ("answers", "drafts") else None,
                extras={"judge": judge},
            )  # fmt: skip
        )
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted;[/] finished cases are kept. Resume with the same options and --run-id {run_id}")
        raise typer.Exit(130) from None
    _print_results(results)
    return results.manifest.run_id


def _print_results(results) -> None:  # type: ignore[no-untyped-def]
    manifest = results.manifest
    table = Table("metric", "value", "95% CI", "cases", "missing", title=f"{manifest.options.suite}: {manifest.run_id}")
    for name, metric in results.metrics.items():
        table.add_row(name, _fmt(metric.value), f"{_fmt(metric.low)} – {_fmt(metric.high)}", str(metric.n), str(metric.missing))
    console.print(table)
    if results.failed_cases:
        console.print(f"[yellow]{len(results.failed_cases)} case(s) failed:[/] {', '.join(results.failed_cases[:10])}")
    if not results.complete:
        console.print(
            f"[yellow]incomplete: resume with[/] assistant eval run {manifest.options.suite} --run-id {manifest.run_id}"
        )
    console.print(f"run {manifest.run_id}: results.json and report.html written")


@app.command("compare")
def compare(
    run_a: Annotated[str, typer.Argument(help="Run id (or folder) of the baseline.")],
    run_b: Annotated[str, typer.Argument(help="Run id (or folder) of the candidate.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the comparison as JSON here.")] = None,
) -> None:
    """Metric deltas (B - A) with paired bootstrap intervals, and the cases whose outcome changed."""
    from assistant.settings import load_settings
    from evals.harness.store import open_run

    settings = load_settings()
    comparison = _print_comparison(open_run(settings.data_dir, run_a), open_run(settings.data_dir, run_b))
    if json_out is not None:
        json_out.write_text(comparison.model_dump_json(indent=2), encoding="utf-8")


def _print_comparison(store_a, store_b):  # type: ignore[no-untyped-def]
    from evals.compare import compare_runs

    comparison = compare_runs(store_a, store_b)
    table = Table(
        "metric", "A", "B", "B - A", "95% CI", "verdict", title=f"{comparison.suite}: {comparison.run_a} → {comparison.run_b}"
    )
    for delta in comparison.metrics:
        colour = {"better": "green", "worse": "red"}.get(delta.verdict, "white")
        table.add_row(
            delta.metric, _fmt(delta.a), _fmt(delta.b), _fmt(delta.delta), f"{_fmt(delta.low)} – {_fmt(delta.high)}",
            f"[{colour}]{delta.verdict}[/]",
        )  # fmt: skip
    console.print(table)
    console.print(f"{comparison.common_cases} cases in both runs; {len(comparison.changed)} changed outcome")
    if comparison.changed:
        changes = Table("case", "A", "B")
        for change in comparison.changed:
            changes.add_row(change.case_id, change.a, change.b)
        console.print(changes)
    for label, ids in (("only in A", comparison.only_in_a), ("only in B", comparison.only_in_b)):
        if ids:
            console.print(f"{label}: {', '.join(ids)}")
    return comparison


@app.command("gate")
def gate(
    runs: Annotated[
        list[str] | None, typer.Argument(help="Run ids; default: the latest complete run of each suite in the thresholds.")
    ] = None,
    thresholds: Annotated[Path | None, typer.Option(help="Thresholds file (default: evals/thresholds.toml).")] = None,
) -> None:
    """Exit 1 when a metric of a run is under its minimum (or over its maximum), or a run is incomplete."""
    from assistant.settings import load_settings
    from evals.gate import DEFAULT_THRESHOLDS, check, read_thresholds
    from evals.harness.store import latest_run, open_run

    settings = load_settings()
    limits = read_thresholds(thresholds or DEFAULT_THRESHOLDS)
    stores = [open_run(settings.data_dir, run) for run in runs] if runs else []
    if not runs:
        stores = [store for suite in limits if (store := latest_run(settings.data_dir, suite)) is not None]
    if not stores:
        console.print("[red]no runs to gate[/]")
        raise typer.Exit(1)
    table = Table("suite", "run", "metric", "value", "threshold", "result")
    failed = False
    for store in stores:
        results = store.results()
        if not results.complete:
            failed = True
            table.add_row(results.manifest.options.suite, store.run_id, "(complete)", "no", "all cases", "[red]FAIL[/]")
        for item in check(results, limits):
            failed |= not item.passed
            bound = " ".join(
                part for part in (
                    f">= {item.threshold.minimum}" if item.threshold.minimum is not None else "",
                    f"<= {item.threshold.maximum}" if item.threshold.maximum is not None else "",
                ) if part
            )  # fmt: skip
            table.add_row(
                item.suite,
                store.run_id,
                item.metric,
                _fmt(item.value),
                bound,
                "[green]pass[/]" if item.passed else "[red]FAIL[/]",
            )
    console.print(table)
    if failed:
        raise typer.Exit(1)


@app.command("show")
def show(
    run_id: Annotated[str, typer.Argument()],
    markdown: Annotated[bool, typer.Option(help="Print the metrics as a Markdown table (for a README).")] = False,
) -> None:
    """Print a run's metrics (from its results.json)."""
    from assistant.settings import load_settings
    from evals.harness.store import open_run

    results = open_run(load_settings().data_dir, run_id).results()
    if markdown:
        print(markdown_table(results))
        return
    _print_results(results)
    console.print_json(json.dumps(results.tables, default=str))


def markdown_table(results) -> str:  # type: ignore[no-untyped-def]
    lines = ["| metric | value | 95% CI | cases | missing |", "|---|---|---|---|---|"]
    for name, metric in results.metrics.items():
        interval = f"{_fmt(metric.low)} – {_fmt(metric.high)}"
        lines.append(f"| {name} | {_fmt(metric.value)} | {interval} | {metric.n} | {metric.missing} |")
    return "\n".join(lines)
