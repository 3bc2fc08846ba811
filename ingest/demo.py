"""The demo shops and their sources (ingest/demo_sources.toml), so the README's one run command fills the knowledge base."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.retrieval.audience import AUDIENCES, Audience
from ingest.models import KINDS, Kind

REPOSITORY = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).parent / "demo_sources.toml"


@dataclass(frozen=True)
class DemoSource:
    path: Path
    kind: Kind
    audience: Audience


@dataclass(frozen=True)
class DemoShop:
    """One demo business: the commerce seed it is served with, its collection, and its documents."""

    name: str
    seed: str
    collection: str
    sources: list[DemoSource]


@dataclass(frozen=True)
class DemoConfig:
    shops: list[DemoShop]
    retired: list[Path]
    """Former demo sources: removed from a collection the demo fills."""

    def shop(self, name: str) -> DemoShop:
        for shop in self.shops:
            if name in (shop.name, shop.seed):
                return shop
        known = ", ".join(shop.name for shop in self.shops)
        raise ValueError(f"no demo shop {name!r} in demo_sources.toml (known: {known})")

    def foreign_paths(self, shop: DemoShop) -> list[Path]:
        """Sources of every other shop, and retired ones: what must not stay in `shop`'s collection."""
        own = {source.path for source in shop.sources}
        others = [source.path for other in self.shops if other is not shop for source in other.sources]
        return [path for path in [*others, *self.retired] if path not in own]


def demo_config() -> DemoConfig:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    sources: dict[str, list[DemoSource]] = {str(shop["name"]): [] for shop in config["shop"]}
    for entry in config["source"]:
        if entry["shop"] not in sources:
            raise ValueError(f"demo_sources.toml: source {entry['path']!r} names an unknown shop {entry['shop']!r}")
        sources[entry["shop"]].append(_source(entry))
    shops = [
        DemoShop(
            name=str(shop["name"]), seed=str(shop["seed"]), collection=str(shop["collection"]), sources=sources[shop["name"]]
        )
        for shop in config["shop"]
    ]
    return DemoConfig(shops=shops, retired=[_resolved(Path(path)) for path in config.get("retired", [])])


@dataclass(frozen=True)
class DemoJob:
    """What `--demo` does for one shop: remove every other shop's (and retired) sources, then ingest its own."""

    shop: DemoShop
    foreign: list[Path]

    @property
    def sources(self) -> list[DemoSource]:
        return self.shop.sources


def demo_job(shop: str) -> DemoJob:
    """The demo job for a shop named by its name or its commerce seed (ValueError for an unknown one).

    The one place the CLI (`assistant ingest --demo`) and the API's ingest job (`{"demo": true}`) read it from.
    """
    config = demo_config()
    chosen = config.shop(shop)
    return DemoJob(shop=chosen, foreign=config.foreign_paths(chosen))


def demo_sources(shop: str = "retail") -> list[tuple[Path, Kind]]:
    """(path, kind) of the demo shop's sources (each document's audience follows from its kind or its front matter)."""
    return [(source.path, source.kind) for source in demo_config().shop(shop).sources]


def _source(entry: dict[str, Any]) -> DemoSource:
    kind, audience = entry["kind"], entry.get("audience")
    if kind not in KINDS:
        raise ValueError(f"demo_sources.toml: unknown kind {kind!r}")
    if audience not in AUDIENCES:
        raise ValueError(f"demo_sources.toml: {entry['path']!r} needs an audience, one of {', '.join(AUDIENCES)}")
    return DemoSource(path=_resolved(Path(entry["path"])), kind=kind, audience=audience)


def _resolved(path: Path) -> Path:
    """Against the working folder, or else the repository."""
    if not path.exists() and (REPOSITORY / path).exists():
        return REPOSITORY / path
    return path
