"""The demo sources (ingest/demo_sources.toml), so the README's one run command fills the knowledge base."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ingest.models import KINDS, Kind

REPOSITORY = Path(__file__).resolve().parents[1]


def demo_sources() -> list[tuple[Path, Kind]]:
    """(path, kind) of every demo source, resolved against the working folder or else the repository."""
    config = tomllib.loads((Path(__file__).parent / "demo_sources.toml").read_text(encoding="utf-8"))
    sources: list[tuple[Path, Kind]] = []
    for entry in config["source"]:
        kind = entry["kind"]
        if kind not in KINDS:
            raise ValueError(f"demo_sources.toml: unknown kind {kind!r}")
        path = Path(entry["path"])
        if not path.exists() and (REPOSITORY / path).exists():
            path = REPOSITORY / path
        sources.append((path, kind))
    return sources
