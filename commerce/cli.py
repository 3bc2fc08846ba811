"""`assistant commerce …`: run and seed the reference commerce service.

Settings come from the ``commerce`` section (``ASSISTANT_COMMERCE__*``): the
service listens on the host and port of ``commerce.base_url``, stores its data at
``commerce.database_url`` and accepts ``commerce.api_key``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast
from urllib.parse import urlsplit

import typer
from rich.console import Console

if TYPE_CHECKING:
    from commerce.seed import SeedName

app = typer.Typer(help="The reference commerce service (orders, logistics, CRM).", no_args_is_help=True)
console = Console()


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: the host of commerce.base_url).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: the port of commerce.base_url).")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database URL (default: commerce.database_url).")] = None,
    seed: Annotated[str | None, typer.Option(help="Seed loaded when the database is empty: retail, ecom_store or none.")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Start the service; an empty database is seeded first (commerce.seed)."""
    import uvicorn

    from assistant.settings import load_settings
    from commerce.api.app import create_app
    from commerce.database import open_database
    from commerce.seed import load_seed

    settings = load_settings()
    commerce = settings.commerce
    seed_name = seed or commerce.seed
    checked = None if seed_name == "none" else _seed_name(seed_name)
    database = open_database(database_url or commerce.database_url)
    database.create_schema()
    if checked is not None and database.is_empty():
        counts = load_seed(database, checked)
        console.print(f"seeded {seed_name}: {counts['customers']} customers, {counts['orders']} orders")
    base = urlsplit(commerce.base_url)
    bind_host, bind_port = host or base.hostname or "127.0.0.1", port or base.port or 8766
    application = create_app(commerce, database, production=settings.server.environment == "production")
    console.print(f"[bold green]commerce service up:[/] http://{bind_host}:{bind_port}/  (API docs at /docs)")
    uvicorn.run(application, host=bind_host, port=bind_port, log_level=log_level)


@app.command("seed")
def seed_command(
    name: Annotated[str | None, typer.Argument(help="retail or ecom_store (default: commerce.seed).")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database URL (default: commerce.database_url).")] = None,
    reset: Annotated[bool, typer.Option(help="Drop every commerce table first, then seed.")] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder holding retail/ and ecom_store/ (default: the repo's data/).")
    ] = None,
) -> None:
    """Load a seed into an empty commerce database (an already seeded one is left as it is)."""
    from assistant.settings import load_settings
    from commerce.database import open_database
    from commerce.seed import DEFAULT_DATA_DIR, load_seed

    commerce = load_settings().commerce
    seed_name = name or commerce.seed
    if seed_name == "none":
        console.print("commerce.seed is none: nothing to load")
        return
    checked = _seed_name(seed_name)
    database = open_database(database_url or commerce.database_url)
    try:
        if reset:
            database.drop_schema()
        database.create_schema()
        if not database.is_empty():
            console.print(f"the commerce database is already seeded; skipped (use --reset to reload): {database.url}")
            return
        counts = load_seed(database, checked, data_dir or DEFAULT_DATA_DIR)
        console.print(f"[green]seeded {seed_name}[/] into {database.url}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    finally:
        database.dispose()


def _seed_name(name: str) -> SeedName:
    if name not in ("retail", "ecom_store"):
        raise typer.BadParameter(f"unknown seed {name!r}: use retail or ecom_store")
    return cast("SeedName", name)


if __name__ == "__main__":
    app()
