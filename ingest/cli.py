"""`assistant ingest PATH... --kind product|policy|ticket --shop NAME [--audience customer|internal] [--prune] [--dry-run]`,
and `assistant ingest --demo [--shop NAME]`.

Every document goes into one shop's knowledge collection (its profile's `collection`): `--demo` fills each
configured shop's collection with the `[[knowledge]]` sources of its own profile (or only `--shop`'s); paths go
into `--shop`'s collection (`--shop` may be left out when one shop is configured), or a named `--collection`.

Exit codes: 0 when something was ingested (or nothing needed to be), 1 when
every input failed (each failure is listed), 2 for wrong usage or settings.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.retrieval.audience import Audience
from ingest.models import IngestReport, Kind

if TYPE_CHECKING:
    from assistant.components.container import Components

# (paths, kind, audience, prune) of one pipeline run
Run = tuple[list[Path], Kind, Audience | None, bool]

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
        bool, typer.Option("--demo", help="Ingest each shop's own knowledge (the [[knowledge]] of its shop.toml), pruning.")
    ] = False,
    shop: Annotated[
        str | None,
        typer.Option(help="The shop whose collection is filled (with --demo: only this shop; default: every shop)."),
    ] = None,
    collection: Annotated[
        str | None, typer.Option(help="Paths only: a collection of no shop to fill instead (an evaluation corpus).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step (never document text).")] = False,
) -> None:
    """Load product docs, policies or resolved tickets into the knowledge base, incrementally, each with its audience.

    Unchanged documents are skipped by content hash, changed ones re-embedded, and personal data
    in tickets replaced before anything is stored. Unreadable files are reported and skipped.
    """
    from assistant.components.container import build_components
    from assistant.settings import load_settings
    from assistant.shops import load_shops
    from ingest.demo import demo_job

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if demo and (paths or kind or audience or collection):
        _usage("--demo takes no paths, --kind, --audience or --collection (each shop's profile names its sources)")
    if not demo and (not paths or kind is None):
        _usage("give PATH... and --kind product|policy|ticket, or --demo")
    if shop and collection:
        _usage("name a --shop or a --collection, not both")
    settings = load_settings()
    shops = load_shops(settings)
    if shop is not None and shop not in shops:
        _usage(f"no shop {shop!r} is configured (shops: {', '.join(shops)})")
    # (collection, other shops' and retired sources to remove from it, runs)
    targets: list[tuple[str, list[Path], list[Run]]] = []
    if demo:
        for name in [shop] if shop else list(shops):
            job = demo_job(shops[name], shops)
            runs: list[Run] = [([source.path], source.kind, source.audience, True) for source in job.sources]
            console.print(f"shop {name}: {len(job.sources)} sources into collection {job.collection}")
            targets.append((job.collection, job.foreign, runs))
    else:
        if collection is None and shop is None and len(shops) > 1:
            _usage(f"name the shop whose collection the documents go into: --shop {' | --shop '.join(shops)}")
        target = collection or shops[shop or next(iter(shops))].profile.collection
        given: Run = (list(paths or []), cast(Kind, kind.value if kind else None), audience.value if audience else None, prune)
        targets.append((target, [], [given]))

    components = build_components(settings)
    total = IngestReport(
        kind=None if demo else targets[0][2][0][1], audience=None if demo else targets[0][2][0][2], dry_run=dry_run
    )
    with _progress() as progress:
        for target, foreign, runs in targets:
            total.merge(_fill(components, target, foreign, runs, progress, dry_run=dry_run))
    _print_summary(total)
    raise typer.Exit(0 if total.ingested_anything else 1)


def _fill(
    components: Components, collection: str, foreign: list[Path], runs: list[Run], progress: Progress, *, dry_run: bool
) -> IngestReport:
    """One collection: another shop's (and retired) sources removed from it, then each run ingested into it."""
    from assistant.retrieval.keyword_index import refresh_keyword_cache
    from ingest.pipeline import IngestPipeline

    total = IngestReport(kind=None, dry_run=dry_run)
    if foreign:  # another shop's (or a retired) source must not answer this shop's customers
        total.merge(IngestPipeline(components, collection).remove_sources(foreign, dry_run=dry_run))
    for job_paths, job_kind, job_audience, job_prune in runs:
        label = f"{collection}: {job_kind} ({job_audience or 'default audience'}): {', '.join(p.name for p in job_paths)}"
        task = progress.add_task(label, total=None)

        def on_progress(step, task=task) -> None:  # type: ignore[no-untyped-def]
            progress.update(task, total=step.documents_total or None, completed=step.documents_done)

        report = IngestPipeline(components, collection, on_progress=on_progress).run(
            job_paths, job_kind, audience=job_audience, prune=job_prune, dry_run=dry_run
        )
        progress.update(task, total=max(1, report.documents_seen), completed=max(1, report.documents_seen))
        total.merge(report)
    if not dry_run and (total.chunks_written or total.chunks_deleted):
        task = progress.add_task(f"{collection}: keyword index", total=None)
        chunks = refresh_keyword_cache(components, collection)
        progress.update(task, description=f"{collection}: keyword index ({chunks} chunks)", total=1, completed=1)
    return total


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
