"""What the collection already holds, per document, read from the chunks' own metadata.

There is no separate manifest file to get out of step: a document's chunks carry
its content hash (`doc_hash`), their index and the number of chunks it was cut
into (`chunk_count`), which is enough to tell a complete, current document from
a changed one or from what an interrupted run left half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.retrieval.collection import KnowledgeCollection

State = Literal["new", "unchanged", "leftovers", "changed"]


@dataclass
class StoredDocument:
    kind: str = ""
    source_path: str = ""
    chunks: list[tuple[str, str, int, int]] = field(default_factory=list)
    """(chunk id, doc_hash, chunk index, chunk count) of every stored chunk."""

    def ids(self) -> list[str]:
        return [chunk_id for chunk_id, _, _, _ in self.chunks]

    def complete_for(self, doc_hash: str) -> bool:
        """Are all chunks of the document at `doc_hash` stored, each exactly once?"""
        current = [(index, count) for _, chunk_hash, index, count in self.chunks if chunk_hash == doc_hash]
        if not current:
            return False
        count = current[0][1]
        return all(c == count for _, c in current) and sorted(index for index, _ in current) == list(range(count))

    def ids_not_of(self, doc_hash: str) -> list[str]:
        return [chunk_id for chunk_id, chunk_hash, _, _ in self.chunks if chunk_hash != doc_hash]

    def state(self, doc_hash: str) -> State:
        if not self.chunks:
            return "new"
        if self.complete_for(doc_hash):
            return "unchanged" if not self.ids_not_of(doc_hash) else "leftovers"
        return "changed"


def read_manifest(collection: KnowledgeCollection | None) -> dict[str, StoredDocument]:
    if collection is None:
        return {}
    ids, metadatas = collection.all_metadata()
    return manifest_of(ids, metadatas)


def manifest_of(ids: list[str], metadatas: list[dict[str, Any]]) -> dict[str, StoredDocument]:
    documents: dict[str, StoredDocument] = {}
    for chunk_id, metadata in zip(ids, metadatas, strict=True):
        document = documents.setdefault(str(metadata.get("document_id", "")), StoredDocument())
        document.kind = str(metadata.get("kind", ""))
        document.source_path = str(metadata.get("source_path", ""))
        document.chunks.append(
            (
                chunk_id,
                str(metadata.get("doc_hash", "")),
                int(metadata.get("chunk_index", -1)),
                int(metadata.get("chunk_count", 0)),
            )
        )
    return documents
