"""What flows through the ingestion job: source documents, chunks, problems and the run's report."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, Field

from assistant.retrieval.audience import Audience

Kind = Literal["product", "policy", "ticket"]
KINDS: tuple[Kind, ...] = ("product", "policy", "ticket")
# Bump when loading, scrubbing or splitting changes what a document turns into: every document is then re-made.
PIPELINE_VERSION = "3"  # 3: every chunk carries its audience


class Section(BaseModel):
    """A part of a document under its headings (a Markdown section, a product field, a PDF page)."""

    heading_path: list[str] = Field(default_factory=list)
    text: str


class SourceDocument(BaseModel):
    """One document as loaded, before personal data is scrubbed and it is split."""

    id: str
    title: str
    kind: Kind
    source: str = Field(description="File shown in citations (relative to the working folder when inside it).")
    source_path: str = Field(description="Absolute path of the file, used to scope --prune.")
    sections: list[Section]
    audience: Audience | None = Field(
        default=None,
        description="Declared by the operator or the document itself; None until ingestion applies its kind's default.",
    )

    def content_hash(self, settings_key: str) -> str:
        """Digest of everything that decides the document's chunks: its content and the splitting settings."""
        payload = {
            "pipeline": PIPELINE_VERSION,
            "settings": settings_key,
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "audience": self.audience,
            "source": self.source,
            "sections": [[section.heading_path, section.text] for section in self.sections],
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class Chunk(BaseModel):
    """A piece of a document small enough to embed, with the metadata stored beside its vector."""

    id: str
    document_id: str
    index: int
    count: int
    text: str
    title: str
    heading_path: list[str]
    kind: Kind
    audience: Audience
    language: Literal["zh", "en"]
    source: str
    source_path: str
    doc_hash: str
    content_hash: str


class FileProblem(BaseModel):
    """Input that could not be used; reported, skipped, and the run goes on."""

    path: str
    message: str


class IngestReport(BaseModel):
    """What one run did (or, with dry_run, would do)."""

    kind: Kind | None = None
    audience: Audience | None = Field(default=None, description="The audience the operator set for the run, if any.")
    dry_run: bool = False
    documents_seen: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    repaired: int = Field(default=0, description="Documents whose leftover chunks from an interrupted run were removed.")
    chunks_written: int = 0
    chunks_deleted: int = 0
    problems: list[FileProblem] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def ingested_anything(self) -> bool:
        """False when every input failed: the only case the CLI exits non-zero for."""
        return self.documents_seen > 0 or not self.problems

    def merge(self, other: IngestReport) -> None:
        for name in ("documents_seen", "added", "updated", "skipped", "deleted", "repaired", "chunks_written", "chunks_deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems)
        self.seconds += other.seconds
