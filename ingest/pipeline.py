"""The incremental ingestion run: load → compare with what is stored → scrub, split, embed, upsert → prune.

Crash safety comes from the order of writes, not from a transaction:
- chunk ids are deterministic (document id, index, content hash), so writing a
  chunk twice is harmless;
- a changed document's new chunks are upserted first and its old chunks are
  deleted only once all new ones are stored;
- every chunk records its document's hash and chunk count, so the next run sees
  an incomplete document (killed mid-write) as changed and one with leftovers
  (killed before the delete) as needing only the delete.
A run killed at any point therefore leaves every document either as before,
complete at the new version, or recognisably incomplete, and the next run ends
with exactly the chunks of a clean run.

Speed: the embedding model is the bottleneck, so loading/splitting runs ahead in
one thread and vector-store upserts trail behind in another, while the calling thread
only encodes (bench/ingest_bench.py measures the pipeline against the raw
encode rate).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel

from assistant.errors import NotFoundError
from assistant.retrieval.audience import Audience
from assistant.retrieval.collection import HEADING_SEPARATOR, KnowledgeCollection, indexed_text, open_collection
from ingest.audience import corrections_folder, remove_sources, with_audience
from ingest.loaders import load_paths
from ingest.manifest import StoredDocument, read_manifest
from ingest.models import Chunk, FileProblem, IngestReport, Kind, SourceDocument
from ingest.pii.scrubber import Scrubber
from ingest.splitter import split_document

if TYPE_CHECKING:
    from assistant.components.container import Components

logger = logging.getLogger(__name__)
_DONE = object()
WRITE_BATCHES = 4


class Progress(BaseModel):
    """Where a run is; sent to the `on_progress` callback after each stage step."""

    stage: str
    documents_total: int = 0
    documents_done: int = 0
    chunks_written: int = 0


ProgressCallback = Callable[[Progress], None]


class IngestPipeline:
    """Ingests paths of one kind into the knowledge collection; see the module docstring for the guarantees."""

    def __init__(
        self, components: Components, collection: str | None = None, on_progress: ProgressCallback | None = None
    ) -> None:
        self._components = components
        self._collection_name = collection
        self._settings = components.settings.knowledge
        self._on_progress = on_progress or (lambda _progress: None)

    def run(
        self, paths: list[Path], kind: Kind, *, audience: Audience | None = None, prune: bool = False, dry_run: bool = False
    ) -> IngestReport:
        """Ingest `paths` as documents of `kind`; `audience` (customer or internal) overrides each document's own."""
        started = time.perf_counter()
        report = IngestReport(kind=kind, audience=audience, dry_run=dry_run)
        loaded = load_paths(paths, kind)
        corrections = corrections_folder(self._components.settings)
        loaded.documents = [with_audience(document, audience, corrections) for document in loaded.documents]
        report.problems.extend(loaded.problems)
        for problem in loaded.problems:  # reported in the run's report; logged for the operator's log only
            logger.info("skipped %s: %s", problem.path, problem.message)
        report.documents_seen = len(loaded.documents)
        collection = self._collection(create=not dry_run and bool(loaded.documents or prune))
        stored = read_manifest(collection)
        settings_key = self._settings_key(kind)

        to_write: list[tuple[SourceDocument, str, StoredDocument | None]] = []
        leftovers: list[str] = []
        for document in loaded.documents:
            doc_hash = document.content_hash(settings_key)
            previous = stored.get(document.id)
            state = previous.state(doc_hash) if previous else "new"
            if state == "unchanged":
                report.skipped += 1
            elif state == "leftovers" and previous is not None:
                report.repaired += 1
                report.skipped += 1
                leftovers.extend(previous.ids_not_of(doc_hash))
            else:
                to_write.append((document, doc_hash, previous))
                report.added += state == "new"
                report.updated += state == "changed"
        gone = self._prune_candidates(stored, loaded, kind) if prune else []
        report.deleted = len(gone)

        if dry_run or collection is None:
            report.chunks_written = sum(len(self._chunks(doc, doc_hash, None)) for doc, doc_hash, _ in to_write)
            report.chunks_deleted = len(leftovers) + sum(len(stored[document_id].ids()) for document_id in gone)
        else:
            if leftovers:
                collection.store.delete(ids=leftovers)
                report.chunks_deleted += len(leftovers)
            self._write(collection, to_write, report)
            for document_id in gone:
                collection.store.delete(ids=stored[document_id].ids())
                report.chunks_deleted += len(stored[document_id].ids())
                logger.info("pruned %s (%d chunks)", document_id, len(stored[document_id].ids()))
        report.seconds = time.perf_counter() - started
        self._on_progress(
            Progress(
                stage="done", documents_total=len(to_write), documents_done=len(to_write), chunks_written=report.chunks_written
            )
        )
        logger.info(
            "ingest %s (%s): %d seen, %d added, %d updated, %d skipped, %d deleted, %d chunks written, %d problems, %.1f s%s",
            kind, audience or "audience per document", report.documents_seen, report.added, report.updated,
            report.skipped, report.deleted, report.chunks_written, len(report.problems), report.seconds,
            " (dry run)" if dry_run else "",
        )  # fmt: skip
        return report

    def remove_sources(self, paths: list[Path], *, dry_run: bool = False) -> IngestReport:
        """Delete every stored document that came from these files or folders (whether they still exist or not)."""
        return remove_sources(self._collection(create=False), paths, dry_run=dry_run)

    def _collection(self, *, create: bool) -> KnowledgeCollection | None:
        try:
            return open_collection(self._components, self._collection_name, create=create)
        except NotFoundError:
            return None

    def _settings_key(self, kind: Kind) -> str:
        knowledge = self._settings
        scrubbed = kind in knowledge.scrub_kinds
        model_id = self._components.settings.embedding.model_id
        return f"{knowledge.chunk_tokens}/{knowledge.chunk_overlap_tokens}/scrub={scrubbed}/{model_id}"

    def _prune_candidates(self, stored: dict[str, StoredDocument], loaded, kind: Kind) -> list[str]:  # type: ignore[no-untyped-def]
        """Stored documents of this kind from the named files/folders that the sources no longer have."""
        seen = {document.id for document in loaded.documents}
        roots = [root.as_posix() for root in loaded.roots]
        gone = []
        for document_id, document in stored.items():
            if document_id in seen or document.kind != kind or document.source_path in loaded.unreadable_files:
                continue
            if any(document.source_path == root or document.source_path.startswith(root.rstrip("/") + "/") for root in roots):
                gone.append(document_id)
        return gone

    def _chunks(self, document: SourceDocument, doc_hash: str, scrubber: Scrubber | None) -> list[Chunk]:
        sections = document.sections
        if scrubber is not None:
            names: set[str] = set()
            # Names found in any section are removed from every section (and from the title).
            for section in sections:
                scrubber.collect_names(section.text, names)
            sections = [section.model_copy(update={"text": scrubber.scrub(section.text, names)}) for section in sections]
            document = document.model_copy(update={"title": scrubber.scrub(document.title, names)})
        return split_document(document, sections, doc_hash, self._settings.chunk_tokens, self._settings.chunk_overlap_tokens)

    def _write(
        self,
        collection: KnowledgeCollection,
        to_write: list[tuple[SourceDocument, str, StoredDocument | None]],
        report: IngestReport,
    ) -> None:
        if not to_write:
            return
        embedder = self._components.embedder()
        scrubber = Scrubber(self._settings.extra_names_file) if to_write[0][0].kind in self._settings.scrub_kinds else None
        batch_size = self._components.settings.embedding.batch_size
        prepared: queue.Queue = queue.Queue(maxsize=4)
        written: queue.Queue = queue.Queue(maxsize=2)
        failures: list[BaseException] = []
        progress = Progress(stage="embedding", documents_total=len(to_write))

        def prepare() -> None:
            try:
                for batch in _batches(self._documents_as_chunks(to_write, scrubber, report), batch_size):
                    prepared.put(batch)
            except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, which re-raises it
                failures.append(exc)
            finally:
                prepared.put(_DONE)

        def write(pending: list[tuple[list[Chunk], np.ndarray, list[list[str]]]]) -> None:
            chunks = [chunk for batch, _, _ in pending for chunk in batch]
            finished = [stale for _, _, done in pending for stale in done]
            collection.store.upsert(
                ids=[chunk.id for chunk in chunks],
                texts=[chunk.text for chunk in chunks],
                metadatas=[chunk_metadata(chunk) for chunk in chunks],
                embeddings=np.vstack([vectors for _, vectors, _ in pending]),
            )
            # Old chunks of a document go only once every new chunk of it is stored.
            stale = [chunk_id for previous in finished for chunk_id in previous]
            if stale:
                collection.store.delete(ids=stale)
                report.chunks_deleted += len(stale)
            report.chunks_written += len(chunks)
            progress.documents_done += len(finished)
            progress.chunks_written = report.chunks_written
            logger.info("wrote %d chunks (%d/%d documents)", len(chunks), progress.documents_done, progress.documents_total)
            self._on_progress(progress.model_copy())

        def store() -> None:
            # A store write costs much per call (measured on Chroma: 1,257 chunks in calls of 64 took 1.6x the time of calls
            # of 256), so encoded batches are gathered into writes of WRITE_BATCHES batches.
            pending: list[tuple[list[Chunk], np.ndarray, list[list[str]]]] = []
            while True:
                item = written.get()
                if failures:
                    if item is _DONE:
                        return
                    continue  # drain, so the encoder never blocks on a dead writer
                if item is not _DONE:
                    pending.append(item)
                if pending and (item is _DONE or len(pending) >= WRITE_BATCHES):
                    try:
                        write(pending)
                    except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
                        failures.append(exc)
                    pending = []
                if item is _DONE:
                    return

        threads = [
            threading.Thread(target=prepare, name="ingest-prepare", daemon=True),
            threading.Thread(target=store, name="ingest-store", daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            while (batch := prepared.get()) is not _DONE and not failures:
                chunks = [chunk for chunk, _ in batch]
                vectors = embedder.embed([indexed_text(chunk_metadata(chunk), chunk.text) for chunk in chunks])
                written.put((chunks, vectors, [stale for _, stale in batch if stale is not None]))
        finally:
            written.put(_DONE)
            while batch is not _DONE:  # unblock the preparer if the encoder stopped early
                batch = prepared.get()
            for thread in threads:
                thread.join()
        if scrubber is not None:
            scrubber.log_counts()
        if failures:
            raise failures[0]

    def _documents_as_chunks(
        self, to_write: list[tuple[SourceDocument, str, StoredDocument | None]], scrubber: Scrubber | None, report: IngestReport
    ) -> Iterator[tuple[Chunk, list[str] | None]]:
        """Every chunk to write; a document's last chunk carries the ids its stored version leaves stale."""
        for document, doc_hash, previous in to_write:
            chunks = self._chunks(document, doc_hash, scrubber)
            if not chunks:
                report.problems.append(
                    FileProblem(path=document.source, message=f"document {document.id}: no text left to index")
                )
                continue
            stale = previous.ids_not_of(doc_hash) if previous else []
            new_ids = {chunk.id for chunk in chunks}
            stale = [chunk_id for chunk_id in stale if chunk_id not in new_ids]
            for chunk in chunks[:-1]:
                yield chunk, None
            yield chunks[-1], stale


def _batches(items: Iterator[tuple[Chunk, list[str] | None]], size: int) -> Iterator[list[tuple[Chunk, list[str] | None]]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "document_id": chunk.document_id,
        "chunk_index": chunk.index,
        "chunk_count": chunk.count,
        "doc_hash": chunk.doc_hash,
        "content_hash": chunk.content_hash,
        "title": chunk.title,
        "heading_path": HEADING_SEPARATOR.join(chunk.heading_path),
        "kind": chunk.kind,
        "audience": chunk.audience,
        "language": chunk.language,
        "source": chunk.source,
        "source_path": chunk.source_path,
    }
