"""The demo knowledge of each shop: the `[[knowledge]]` sources of its profile (shops/<name>/shop.toml).

One home for a shop's documents: its profile names them, each with its kind and
audience; `assistant ingest --demo` (and the API's `{"demo": true}`) fills each
shop's own collection with them. A shop's collection never holds another shop's
sources, nor the retired ones: they are removed from it when found there (a
collection an older single-shop version filled may hold both businesses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.retrieval.audience import Audience
from assistant.shops import Shop
from assistant.shops.profile import project_path
from ingest.models import Kind

# Former demo sources: tau2's banking documents are evaluation data (evals/), no shop's knowledge.
RETIRED = (Path("data/banking_knowledge/documents.jsonl"),)


@dataclass(frozen=True)
class DemoSource:
    path: Path
    kind: Kind
    audience: Audience


@dataclass(frozen=True)
class DemoJob:
    """What `--demo` does for one shop: remove every other shop's (and retired) sources, then ingest its own."""

    shop: str
    collection: str
    sources: list[DemoSource]
    foreign: list[Path]


def demo_job(shop: Shop, shops: Mapping[str, Shop]) -> DemoJob:
    """The demo job of `shop`; `shops` are all the configured ones, whose sources must stay out of its collection.

    The one place the CLI (`assistant ingest --demo`) and the API's ingest job (`{"demo": true}`) read it from.
    """
    own = sources_of(shop)
    mine = {source.path for source in own}
    others = [source.path for other in shops.values() if other.name != shop.name for source in sources_of(other)]
    retired = [project_path(path) for path in RETIRED]
    foreign = list(dict.fromkeys(path for path in [*others, *retired] if path not in mine))
    return DemoJob(shop=shop.name, collection=shop.profile.collection, sources=own, foreign=foreign)


def sources_of(shop: Shop) -> list[DemoSource]:
    """The shop's knowledge sources, as paths on this machine (relative ones from the repository root)."""
    return [
        DemoSource(path=project_path(source.path), kind=source.kind, audience=source.audience)
        for source in shop.profile.knowledge
    ]
