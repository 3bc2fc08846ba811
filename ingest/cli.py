"""`assistant ingest PATH... --kind product|policy|ticket [--prune] [--dry-run]`, and `assistant ingest --demo`.

Exit codes: 0 when something was ingested (or nothing needed to be), 1 when
every input failed (each failure is listed), 2 for wrong usage or settings.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.models import IngestReport, Kind

console = Console(stderr=True)


class KindChoice(StrEnum):
    product = "product"
    policy = "policy"
    ticket = "ticket"


def app(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to ingest.", show_default=False)] = None,
    kind: Annotated[KindChoice | None, typer.Option("--kind", "-k", help="What the paths hold.")] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete stored documents of this kind that are gone from the named paths.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    demo: Annotated[
        bool, typer.Option("--demo", help="Ingest the bundled demo data (ingest/demo_sources.toml), pruning.")
    ] = False,
    collection: Annotated[str | None, typer.Option(help="Collection to fill (default: vector_store.collection).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step (never document text).")] = False,
) -> None:
    """Load product docs, policies or resolved tickets into the knowledge base, incrementally.

    Unchanged documents are skipped by content hash, changed ones re-embedded, and personal data
    in tickets replaced before anything is stored. Unreadable files are reported and skipped.
    """
    from assistant.components.container import build_components
    from assistant.retrieval.keyword_index import refresh_keyword_cache
    from assistant.settings import load_settings
    from ingest.demo import demo_sources
    from ingest.pipeline import IngestPipeline

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if demo and (paths or kind):
        _usage("--demo takes no paths or --kind")
    if not demo and (not paths or kind is None):
        _usage("give PATH... and --kind product|policy|ticket, or --demo")
    if demo:
        jobs: list[tuple[list[Path], Kind, bool]] = [([path], source_kind, True) for path, source_kind in demo_sources()]
    else:
        jobs = [(list(paths or []), kind.value, prune)]  # type: ignore[union-attr, list-item]

    components = build_components(load_settings())
    total = IngestReport(kind=None if demo else jobs[0][1], dry_run=dry_run)
    with _progress() as progress:
        for job_paths, job_kind, job_prune in jobs:
            label = f"{job_kind}: {', '.join(path.name for path in job_paths)}"
            task = progress.add_task(label, total=None)

            def on_progress(step, task=task) -> None:  # type: ignore[no-untyped-def]
                progress.update(task, total=step.documents_total or None, completed=step.documents_done)

            report = IngestPipeline(components, collection, on_progress=on_progress).run(
                job_paths, job_kind, prune=job_prune, dry_run=dry_run
            )
            progress.update(task, total=max(1, report.documents_seen), completed=max(1, report.documents_seen))
            total.merge(report)
        if not dry_run and (total.chunks_written or total.chunks_deleted):
            task = progress.add_task("keyword index", total=None)
            chunks = refresh_keyword_cache(components, collection)
            progress.update(task, description=f"keyword index ({chunks} chunks)", total=1, completed=1)
    _print_summary(total)
    raise typer.Exit(0 if total.ingested_anything else 1)


def _usage(message: str) -> None:
    console.print(f"[red]usage:[/] {message} (see assistant ingest --help)", highlight=False)
    raise typer.Exit(2)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("documents"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _print_summary(report: IngestReport) -> None:
    table = Table("documents seen", "added", "updated", "skipped", "deleted", "chunks written", "chunks deleted", "seconds")
    table.add_row(
        *(str(value) for value in (report.documents_seen, report.added, report.updated, report.skipped, report.deleted)),
        str(report.chunks_written),
        str(report.chunks_deleted),
        f"{report.seconds:.1f}",
        style="yellow" if report.dry_run else None,
    )
    console.print(table)
    if report.dry_run:
        console.print("[yellow]dry run: nothing was written[/]")
    if report.repaired:
        console.print(f"{report.repaired} document(s) had leftovers of an interrupted run; removed")
    for problem in report.problems:
        console.print(f"[red]skipped[/] {problem.path}: {problem.message}", highlight=False)
    # One machine-readable line on stdout, for scripts and the README's run command.
    Console().print_json(report.model_dump_json(exclude={"problems"}))
