"""`assistant ingest PATH... --kind product|policy|ticket [--audience customer|internal] [--prune] [--dry-run]`,
and `assistant ingest --demo [--shop NAME]`.

Exit codes: 0 when something was ingested (or nothing needed to be), 1 when
every input failed (each failure is listed), 2 for wrong usage or settings.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.retrieval.audience import Audience
from ingest.models import IngestReport, Kind

console = Console(stderr=True)


class KindChoice(StrEnum):
    product = "product"
    policy = "policy"
    ticket = "ticket"


class AudienceChoice(StrEnum):
    customer = "customer"
    internal = "internal"


def app(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to ingest.", show_default=False)] = None,
    kind: Annotated[KindChoice | None, typer.Option("--kind", "-k", help="What the paths hold.")] = None,
    audience: Annotated[
        AudienceChoice | None,
        typer.Option(
            help="Who the documents are written for: customer (may be quoted to customers) or internal (agent "
            "procedures). Default: the document's front matter, else product customer, policy and ticket internal."
        ),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete stored documents of this kind that are gone from the named paths.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    demo: Annotated[
        bool, typer.Option("--demo", help="Ingest the bundled demo data (ingest/demo_sources.toml), pruning.")
    ] = False,
    shop: Annotated[
        str | None, typer.Option(help="With --demo: the demo shop to ingest (default: the one commerce.seed serves).")
    ] = None,
    collection: Annotated[str | None, typer.Option(help="Collection to fill (default: vector_store.collection).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step (never document text).")] = False,
) -> None:
    """Load product docs, policies or resolved tickets into the knowledge base, incrementally, each with its audience.

    Unchanged documents are skipped by content hash, changed ones re-embedded, and personal data
    in tickets replaced before anything is stored. Unreadable files are reported and skipped.
    """
    from assistant.components.container import build_components
    from assistant.retrieval.keyword_index import refresh_keyword_cache
    from assistant.settings import load_settings
    from ingest.demo import demo_job
    from ingest.pipeline import IngestPipeline

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if demo and (paths or kind or audience):
        _usage("--demo takes no paths, --kind or --audience (demo_sources.toml sets them)")
    if not demo and (not paths or kind is None):
        _usage("give PATH... and --kind product|policy|ticket, or --demo")
    if shop and not demo:
        _usage("--shop goes with --demo")
    settings = load_settings()
    foreign: list[Path] = []
    if demo:
        try:
            job = demo_job(shop or settings.commerce.seed)
        except ValueError as exc:
            _usage(f"{exc}; name one with --shop")
        foreign = job.foreign
        jobs: list[tuple[list[Path], Kind, Audience | None, bool]] = [
            ([source.path], source.kind, source.audience, True) for source in job.sources
        ]
        console.print(f"demo shop {job.shop.name} into collection {collection or settings.vector_store.collection}")
    else:
        jobs = [(list(paths or []), kind.value, audience.value if audience else None, prune)]  # type: ignore[union-attr, list-item]

    components = build_components(settings)
    total = IngestReport(kind=None if demo else jobs[0][1], audience=None if demo else jobs[0][2], dry_run=dry_run)
    with _progress() as progress:
        if foreign:  # another shop's (or a retired) source must not answer this shop's customers
            total.merge(IngestPipeline(components, collection).remove_sources(foreign, dry_run=dry_run))
        for job_paths, job_kind, job_audience, job_prune in jobs:
            label = f"{job_kind} ({job_audience or 'default audience'}): {', '.join(path.name for path in job_paths)}"
            task = progress.add_task(label, total=None)

            def on_progress(step, task=task) -> None:  # type: ignore[no-untyped-def]
                progress.update(task, total=step.documents_total or None, completed=step.documents_done)

            report = IngestPipeline(components, collection, on_progress=on_progress).run(
                job_paths, job_kind, audience=job_audience, prune=job_prune, dry_run=dry_run
            )
            progress.update(task, total=max(1, report.documents_seen), completed=max(1, report.documents_seen))
            total.merge(report)
        if not dry_run and (total.chunks_written or total.chunks_deleted):
            task = progress.add_task("keyword index", total=None)
            chunks = refresh_keyword_cache(components, collection)
            progress.update(task, description=f"keyword index ({chunks} chunks)", total=1, completed=1)
    _print_summary(total)
    raise typer.Exit(0 if total.ingested_anything else 1)


def _usage(message: str) -> NoReturn:
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
