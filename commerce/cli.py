"""`assistant commerce serve|seed [--shop NAME]`: run and seed the reference commerce service, one per shop.

One process serves one shop over its own database: `--shop` loads the shop's
profile (its seed) and policy (what every write checks) from its folder, and the
shop's commerce backend settings (``ASSISTANT_SHOPS__<NAME>__COMMERCE__*``) give
the address, database and key. A service started by `assistant serve`
(commerce/process.py) gets its key from the environment instead
(``COMMERCE_API_KEY``), like any deployment. A database remembers whose data it
holds, and is never served for another shop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer
from rich.console import Console

if TYPE_CHECKING:
    from assistant.settings import CommerceSettings, Settings
    from assistant.shops import Shop

app = typer.Typer(help="The reference commerce service (orders, logistics, CRM), one shop per process.", no_args_is_help=True)
console = Console()
ShopOption = Annotated[str, typer.Option("--shop", help="The shop served (a configured shop): its seed and its policy.")]


@app.command("serve")
def serve(
    shop: ShopOption = "retail",
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: the host of the shop's base_url).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: the port of the shop's base_url).")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database URL (default: the shop's database_url).")] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="COMMERCE_API_KEY", help="Key callers must send (default: the shop's api_key).")
    ] = None,
    seed: Annotated[str | None, typer.Option(help="`none`: leave an empty database empty (default: the shop's seed).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Start the service for one shop; an empty database is seeded first with the shop's seed."""
    import uvicorn
    from pydantic import SecretStr

    from assistant.settings import load_settings
    from commerce.api.app import create_app
    from commerce.database import open_database
    from commerce.seed import seed_shop

    settings = load_settings()
    served = _load(settings, shop)
    commerce = _shop_commerce(settings, shop)
    if seed not in (None, "none", served.profile.seed):
        raise typer.BadParameter(f"shop {shop} is seeded with {served.profile.seed!r}, not {seed!r}", param_hint="--seed")
    database = open_database(database_url or commerce.database_url)
    database.create_schema()
    holder = database.served_shop()
    if holder is None and seed != "none":
        rows = seed_shop(database, served)
        console.print(f"seeded {shop}: {len(rows.customers)} customers, {len(rows.orders)} orders")
    elif holder is not None and holder != shop:
        console.print(
            f"[red]the database {database.url} holds the data of shop {holder}, not of {shop}[/]: serve it with "
            f"--shop {holder}, or give shop {shop} its own --database-url",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    base = urlsplit(commerce.base_url)
    bind_host, bind_port = host or base.hostname or "127.0.0.1", port or base.port or 8766
    keyed = commerce.model_copy(update={"api_key": SecretStr(api_key)}) if api_key else commerce
    production = settings.server.environment == "production"
    application = create_app(keyed, database, shop=served, production=production)
    console.print(f"[bold green]commerce service for {shop} up:[/] http://{bind_host}:{bind_port}/  (API docs at /docs)")
    uvicorn.run(application, host=bind_host, port=bind_port, log_level=log_level)


@app.command("seed")
def seed_command(
    shop: Annotated[str | None, typer.Option(help="Only this shop's backend (default: every configured shop's).")] = None,
    database_url: Annotated[str | None, typer.Option(help="With --shop: this database instead of the shop's.")] = None,
    reset: Annotated[bool, typer.Option(help="Drop every commerce table first, then seed.")] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder holding retail/ and ecom_store/ (default: the repo's data/).")
    ] = None,
) -> None:
    """Load each shop's seed (its profile's) into its empty backend database (an already seeded one is left as it is)."""
    from assistant.settings import load_settings

    settings = load_settings()
    if shop is not None and shop not in settings.shops:
        raise typer.BadParameter(f"no shop {shop!r} is configured (shops: {', '.join(settings.shops)})", param_hint="--shop")
    if database_url and shop is None:
        raise typer.BadParameter("--database-url goes with --shop")
    for name in [shop] if shop else list(settings.shops):
        url = database_url or settings.shops[name].commerce.database_url
        _seed_one(_load(settings, name), url, reset=reset, data_dir=data_dir)


def _seed_one(served: Shop, url: str, *, reset: bool, data_dir: Path | None) -> None:
    from commerce.database import open_database
    from commerce.seed import DEFAULT_DATA_DIR, seed_shop

    database = open_database(url)
    try:
        if reset:
            database.drop_schema()
        database.create_schema()
        holder = database.served_shop()
        if holder is not None:
            console.print(
                f"{served.name}: the commerce database already holds the data of shop {holder}; skipped "
                f"(use --reset to reload): {database.url}",
                soft_wrap=True,
            )
            return
        rows = seed_shop(database, served, data_dir or DEFAULT_DATA_DIR)
        console.print(
            f"[green]seeded {served.name}[/] ({served.profile.seed}) into {database.url}: "
            + ", ".join(f"{n} {table}" for table, n in rows.counts().items())
        )
        for what, count in rows.skipped.items():
            console.print(f"  left out: {count} {what}")
    finally:
        database.dispose()


def _load(settings: Settings, name: str) -> Shop:
    """The configured shop's profile and policy (from its settings' profile folder)."""
    from assistant.errors import SettingsError
    from assistant.shops import load_shops

    if name not in settings.shops:
        raise typer.BadParameter(f"no shop {name!r} is configured (shops: {', '.join(settings.shops)})", param_hint="--shop")
    try:
        return load_shops(settings)[name]
    except SettingsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--shop") from None


def _shop_commerce(settings: Settings, shop: str) -> CommerceSettings:
    return settings.shops[shop].commerce


if __name__ == "__main__":
    app()
