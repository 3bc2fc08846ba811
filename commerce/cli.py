"""`assistant commerce …`: run and seed the reference commerce service, one per shop.

The service serves one shop per process and database. Its settings are the shop's
commerce backend (``ASSISTANT_SHOPS__<NAME>__COMMERCE__*``, `--shop NAME`): it listens
on the host and port of its ``base_url``, stores its data at its ``database_url``,
accepts its ``api_key``, and an empty database gets the seed the shop's profile names.
A service started by `assistant serve` (commerce/process.py) gets its key from the
environment instead (``COMMERCE_SERVICE_API_KEY``), like any deployment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast
from urllib.parse import urlsplit

import typer
from pydantic import SecretStr
from rich.console import Console

if TYPE_CHECKING:
    from assistant.settings import CommerceSettings, Settings
    from commerce.seed import SeedName

app = typer.Typer(help="The reference commerce service (orders, logistics, CRM), one per shop.", no_args_is_help=True)
console = Console()
KEY_ENVIRONMENT = "COMMERCE_SERVICE_API_KEY"
DEVELOPMENT_KEY = "dev-commerce-key"


@app.command("serve")
def serve(
    shop: Annotated[str | None, typer.Option(help="The shop whose backend this is (its commerce settings and seed).")] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: the host of the shop's base_url).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: the port of the shop's base_url).")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database URL (default: the shop's database_url).")] = None,
    seed: Annotated[str | None, typer.Option(help="Seed loaded when the database is empty: retail, ecom_store or none.")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Start the service; an empty database is seeded first (the shop profile's seed, or --seed)."""
    import uvicorn

    from assistant.settings import load_settings
    from commerce.api.app import create_app
    from commerce.database import open_database
    from commerce.seed import load_seed

    settings = load_settings()
    commerce, shop_seed = _backend(settings, shop)
    seed_name = seed or shop_seed
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
    shop: Annotated[str | None, typer.Option(help="Only this shop's backend (default: every shop's).")] = None,
    database_url: Annotated[str | None, typer.Option(help="With --shop: this database instead of the shop's.")] = None,
    reset: Annotated[bool, typer.Option(help="Drop every commerce table first, then seed.")] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder holding retail/ and ecom_store/ (default: the repo's data/).")
    ] = None,
) -> None:
    """Load each shop's seed (its profile's) into its empty backend database (an already seeded one is left as it is)."""
    from assistant.settings import load_settings
    from assistant.shops import load_shops

    settings = load_settings()
    shops = load_shops(settings)
    if shop is not None and shop not in shops:
        raise typer.BadParameter(f"no shop {shop!r} is configured (shops: {', '.join(shops)})")
    if database_url and shop is None:
        raise typer.BadParameter("--database-url goes with --shop")
    for name in [shop] if shop else list(shops):
        url = database_url or settings.shops[name].commerce.database_url
        _seed_one(name, shops[name].profile.seed, url, reset=reset, data_dir=data_dir)


def _seed_one(shop: str, seed_name: str, url: str, *, reset: bool, data_dir: Path | None) -> None:
    from commerce.database import open_database
    from commerce.seed import DEFAULT_DATA_DIR, load_seed

    if seed_name == "none":
        console.print(f"{shop}: its profile names no seed; nothing to load")
        return
    checked = _seed_name(seed_name)
    database = open_database(url)
    try:
        if reset:
            database.drop_schema()
        database.create_schema()
        if not database.is_empty():
            console.print(f"{shop}: the commerce database is already seeded; skipped (use --reset to reload): {database.url}")
            return
        counts = load_seed(database, checked, data_dir or DEFAULT_DATA_DIR)
        summary = ", ".join(f"{n} {t}" for t, n in counts.items())
        console.print(f"[green]{shop}: seeded {seed_name}[/] into {database.url}: {summary}")
    finally:
        database.dispose()


def _backend(settings: Settings, shop: str | None) -> tuple[CommerceSettings, str]:
    """The backend's settings and seed: the shop's, with the key from the environment when one is set there."""
    from assistant.settings import CommerceSettings
    from assistant.shops import load_shops

    if shop is not None:
        if shop not in settings.shops:
            raise typer.BadParameter(f"no shop {shop!r} is configured (shops: {', '.join(settings.shops)})")
        commerce, seed = settings.shops[shop].commerce, load_shops(settings)[shop].profile.seed
    else:
        # No shop named: the development service of the default demo shop's shape, seeded with nothing.
        commerce = CommerceSettings.model_validate({"base_url": "http://127.0.0.1:8766", "api_key": DEVELOPMENT_KEY})
        seed = "none"
    key = os.environ.get(KEY_ENVIRONMENT)
    return (commerce.model_copy(update={"api_key": SecretStr(key)}) if key else commerce), seed


def _seed_name(name: str) -> SeedName:
    if name not in ("retail", "ecom_store"):
        raise typer.BadParameter(f"unknown seed {name!r}: use retail or ecom_store")
    return cast("SeedName", name)


if __name__ == "__main__":
    app()
