"""Fixtures of the ingestion tests: components over a temporary store, and small real corpora."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.components.container import Components, build_components
from assistant.settings import Settings
from tests.conftest import DATA


@pytest.fixture
def components(make_settings: Callable[..., Settings]) -> Components:
    """Real components (USE embeddings, embedded Chroma) with every store under the test's folder."""
    return build_components(make_settings())


@pytest.fixture
def banking_slice(tmp_path: Path) -> Callable[[int, str], Path]:
    """The first N banking documents as a JSONL file of their own (a small real policy corpus)."""

    def write(count: int, name: str = "banking.jsonl") -> Path:
        lines = (DATA / "banking_knowledge" / "documents.jsonl").read_text(encoding="utf-8").splitlines()[:count]
        path = tmp_path / "sources" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def stored_chunks(components: Components, collection: str | None = None) -> dict[str, str]:
    """chunk id → content hash of everything in the collection."""
    from assistant.retrieval.collection import open_collection

    ids, metadatas = open_collection(components, collection).all_metadata()
    return {chunk_id: str(metadata["content_hash"]) for chunk_id, metadata in zip(ids, metadatas, strict=True)}
