"""`assistant agents add|list --shop NAME`: register a shop's human agents and see who is on duty.

An agent belongs to one shop and works only its handoffs, conversations and drafts (registered as `assistant agents`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from assistant.errors import BadInputError
from assistant.settings import Settings, load_settings

if TYPE_CHECKING:
    from assistant.handoff.agents import AgentRegistry
    from assistant.handoff.queue import HandoffQueue

app = typer.Typer(help="Human agents who take over handed-off conversations.", no_args_is_help=True)
console = Console()


@dataclass
class _Parts:
    settings: Settings
    registry: AgentRegistry
    queue: HandoffQueue


def _parts() -> _Parts:
    from assistant.components.database.engine import build_engine
    from assistant.handoff.agents import AgentRegistry
    from assistant.handoff.queue import HandoffQueue
    from assistant.handoff.tables import create_tables

    settings = load_settings()
    engine = build_engine(settings.database.url)
    create_tables(engine)
    return _Parts(settings, AgentRegistry(engine), HandoffQueue(engine, settings.handoff))


def _shop(settings: Settings, shop: str | None) -> str:
    """The shop named, or the only one configured; a clear error otherwise."""
    if shop is None:
        if len(settings.shops) == 1:
            return next(iter(settings.shops))
        raise BadInputError(f"name the agent's shop: --shop {' | --shop '.join(settings.shops)}")
    if shop not in settings.shops:
        raise BadInputError(f"no shop {shop!r} is configured (shops: {', '.join(settings.shops)})")
    return shop


def _tags(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name of the agent, unique within the shop.")],
    languages: Annotated[str, typer.Option(help="Comma-separated languages the agent answers in, e.g. zh,en.")],
    shop: Annotated[str | None, typer.Option(help="The agent's shop (needed when several are configured).")] = None,
    skills: Annotated[str, typer.Option(help="Comma-separated skill tags, e.g. refunds,complaints.")] = "",
    max_active: Annotated[int | None, typer.Option(help="Handoffs at once (default: handoff.default_max_active).")] = None,
) -> None:
    """Register an agent and print its bearer token (shown only now)."""
    from assistant.handoff.models import AgentCreate

    try:
        body = AgentCreate(name=name, skills=_tags(skills), languages=_tags(languages), max_active=max_active)
    except ValidationError as exc:
        raise BadInputError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    parts = _parts()
    agent, token = parts.registry.register(
        shop=_shop(parts.settings, shop),
        name=body.name,
        skills=body.skills,
        languages=body.languages,
        max_active=body.max_active or parts.settings.handoff.default_max_active,
    )
    parts.queue.route_waiting()  # handoffs nobody could take may fit the new agent
    console.print(
        f"[green]registered[/] {agent.name} ({agent.id}) of shop {agent.shop} skills={','.join(agent.skills) or '-'} "
        f"languages={','.join(agent.languages)} max_active={agent.max_active}"
    )
    console.print("token (shown once; send it as `Authorization: Bearer <token>`):")
    print(token)


@app.command("list")
def list_agents(
    shop: Annotated[str | None, typer.Option(help="The shop whose agents to list (needed when several are configured).")] = None,
) -> None:
    """The shop's agents with skills, languages, and the handoffs each holds now."""
    parts = _parts()
    table = Table("name", "id", "skills", "languages", "load", "active")
    for agent in parts.registry.list(shop=_shop(parts.settings, shop)):
        table.add_row(
            agent.name, agent.id, ",".join(agent.skills), ",".join(agent.languages),
            f"{agent.load}/{agent.max_active}", "yes" if agent.active else "no",
        )  # fmt: skip
    console.print(table)
