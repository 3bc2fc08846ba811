"""The `assistant` command: serving and diagnosis (and the sub-commands of each part: models, ingest, commerce…).

Every command builds its own settings and components when it runs; importing
this module builds nothing.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.errors import AssistantError, SettingsError
from assistant.settings import Settings, load_settings

if TYPE_CHECKING:
    from commerce.process import CommerceProcess

app = typer.Typer(help="An offline-first customer-service assistant for e-commerce shops.", no_args_is_help=True)
console = Console()


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: server.host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: server.port).")] = None,
    with_commerce: Annotated[
        bool, typer.Option(help="Also run a reference commerce service for each shop whose backend is on loopback.")
    ] = True,
) -> None:
    """Start the API and, with the local provider, the model server it needs (and each shop's reference backend)."""
    import uvicorn

    from assistant.components.llm import server_state
    from assistant.components.llm.local_server import LocalLLMServer
    from assistant.server.app import create_app

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    application = create_app(settings, warm_up=True)  # before any child starts: a wrong setting stops here
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets the
    # `finally` below stop the model server and the commerce service instead of orphaning them.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    commerce: list[CommerceProcess] = []
    llm_server = None
    try:
        if with_commerce:
            _start_local_commerce(settings, commerce)
        if settings.llm.provider == "local":
            llm_server = LocalLLMServer(
                settings.llm,
                log_path=server_state.log_path(settings.data_dir),
                state_path=server_state.state_path(settings.data_dir),
            )
            console.print(f"starting the local model server ({settings.llm.served_model_name}) …")
            llm_server.start()
            threads = f"{settings.llm.n_threads} decode / {settings.llm.n_threads_batch} prompt threads"
            console.print(f"  llama.cpp build: {llm_server.build}; {threads}")
            llm_server.smoke_test()  # a build that faults on this CPU stops here, named, before any customer
        bind_host, bind_port = host or settings.server.host, port or settings.server.port
        console.print(f"[bold green]The assistant is up:[/] http://{bind_host}:{bind_port}/  (API docs at /docs)")
        console.print(f"shops: {', '.join(settings.shops)}")
        uvicorn.run(application, host=bind_host, port=bind_port, log_level="info")
    finally:
        if llm_server:
            llm_server.stop()
        for process in commerce:
            process.stop()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _start_local_commerce(settings: Settings, started: list[CommerceProcess]) -> None:
    """A reference commerce service per shop whose backend is on loopback (one shop per process and database),
    each seeded with its profile's seed; `started` collects them as they come up, so a failure stops them all."""
    from urllib.parse import urlsplit

    from assistant.shops import load_shops
    from commerce.process import CommerceProcess

    load_shops(settings)  # a missing or invalid profile stops here, before any process starts
    for name, configured in settings.shops.items():
        commerce = configured.commerce
        address = urlsplit(commerce.base_url)
        if address.hostname not in ("127.0.0.1", "localhost"):
            continue  # the shop's own APIs, or a commerce service run elsewhere
        console.print(f"starting the reference commerce service of {name} on {commerce.base_url} …")
        process = CommerceProcess(
            database_url=commerce.database_url,
            port=address.port or 80,
            api_key=commerce.api_key.get_secret_value(),
            shop=name,  # its policy; an empty database gets the shop's seed
            log_path=settings.data_dir / f"commerce-{name}.log",
        )
        started.append(process)
        process.start()


@app.command("doctor")
def doctor() -> None:
    """Print which providers, models and stores are configured and whether each answers."""
    from assistant.components.container import build_components
    from assistant.server.health.health_service import HealthService

    settings = load_settings()
    components = build_components(settings)
    report = asyncio.run(HealthService(components).check())  # each shop's backend and knowledge too
    table = Table("part", "provider", "status", "detail", "seconds")
    for part in report.parts:
        colour = "green" if part.status == "ok" else "red"
        table.add_row(part.name, part.provider, f"[{colour}]{part.status}[/]", part.detail, f"{part.seconds:.2f}")
    console.print(table)
    from assistant.shops import load_shops

    versions = {name: settings.prompts.version_for(shop.profile.prompt_version) for name, shop in load_shops(settings).items()}
    shown = ", ".join(f"{name} {version}" for name, version in versions.items())
    console.print(f"prompt versions: {shown}; data in {settings.data_dir.resolve()}")
    build_ok = _print_llama_build() if settings.llm.provider == "local" else True
    raise typer.Exit(0 if report.status == "ok" and build_ok else 1)


def _print_llama_build() -> bool:
    """The embedded server's build: portable (runs on every machine of this kind), or not."""
    import importlib.util

    from assistant.components.llm import portable_build
    from assistant.components.llm.cpu_builds import REBUILD_LINE, BuildCheckError

    if importlib.util.find_spec("llama_cpp") is None:
        console.print("llama.cpp build: [red]llama-cpp-python is not installed[/] (the `local` extra)")
        return False
    try:
        line = portable_build.describe_installed()
    except BuildCheckError as exc:
        console.print(f"llama.cpp build: [red]{exc}[/]. {REBUILD_LINE}", highlight=False)
        return False
    console.print(f"llama.cpp build: portable — {line}", highlight=False)
    return True


def _register_part_commands() -> None:
    """Sub-commands that live with their part (ingest, commerce, evals), added when present."""
    import importlib

    parts = (
        ("assistant.components.models_cli", "models"),
        ("ingest.cli", "ingest"),
        ("commerce.cli", "commerce"),
        ("evals.cli", "eval"),
        ("assistant.understanding.cli", "understand"),
        ("assistant.handoff.cli", "agents"),
    )
    for module_name, name in parts:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part is not built yet
            raise
        command = module.app
        if isinstance(command, typer.Typer):
            app.add_typer(command, name=name)
        else:
            app.command(name)(command)


def main() -> None:
    """Entry point: wrong settings and domain errors end with one clear line each, not a traceback."""
    _register_part_commands()
    try:
        # Outside standalone mode click returns a command's exit code instead of exiting.
        result = app(standalone_mode=False)
        sys.exit(result if isinstance(result, int) else 0)
    except SettingsError as exc:
        for line in exc.message.splitlines():
            console.print(f"[red]settings error:[/] {line}", highlight=False)
        sys.exit(2)
    except AssistantError as exc:
        console.print(f"[red]error ({exc.reason}):[/] {exc.message}", highlight=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
