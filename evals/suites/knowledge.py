"""What the configured knowledge collection holds, so a suite can tell "not retrieved" from "never ingested"."""

from __future__ import annotations

from assistant.components.container import Components
from assistant.errors import NotFoundError
from assistant.retrieval.collection import open_collection


def stored_document_ids(components: Components) -> set[str]:
    from ingest.manifest import read_manifest

    try:
        collection = open_collection(components)
    except NotFoundError:
        return set()
    return set(read_manifest(collection))


def require_documents(stored: set[str], gold: list[str]) -> None:
    """Raise (the case is recorded as failed) when gold documents were never ingested: a retrieval miss would be a lie."""
    missing = sorted(set(gold) - stored)
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise NotFoundError(
            f"{len(missing)} gold document(s) not in the knowledge base ({shown}); ingest them first: assistant ingest --demo"
        )
