"""Who each ingested document is for, and taking documents of other sources out of a collection.

The audience of a document (assistant/retrieval/audience.py) is the operator's when
they name one (`--audience`, a shop's `[[knowledge]]` in its shop.toml), else the document's own declaration
(Markdown front matter `audience: customer`, a record's `audience` field), else the
default of its source — published answer corrections are written for customers —
or of its kind.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.retrieval.audience import Audience, default_audience
from assistant.retrieval.corrections import corrections_root
from ingest.manifest import read_manifest
from ingest.models import IngestReport, SourceDocument

if TYPE_CHECKING:
    from assistant.retrieval.collection import KnowledgeCollection
    from assistant.settings import Settings

logger = logging.getLogger(__name__)


def corrections_folder(settings: Settings) -> Path:
    # The folder of assistant/feedback/publish.corrections_folder (ingestion does not import the feedback service);
    # retrieval recognises corrections by it too, so it is defined once there.
    return corrections_root(settings)


def with_audience(document: SourceDocument, audience: Audience | None, corrections: Path) -> SourceDocument:
    """The document with its audience decided: the operator's, its own declaration, its source's or its kind's."""
    chosen = audience or document.audience
    if chosen is None:
        inside = document.source_path.startswith(corrections.resolve().as_posix().rstrip("/") + "/")
        chosen = "customer" if inside else default_audience(document.kind)
    return document.model_copy(update={"audience": chosen})


def remove_sources(collection: KnowledgeCollection | None, paths: list[Path], *, dry_run: bool = False) -> IngestReport:
    """Delete every stored document that came from these files or folders (whether they still exist or not)."""
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    roots = [path.resolve().as_posix().rstrip("/") for path in paths]
    for document_id, document in read_manifest(collection).items():
        if not any(document.source_path == root or document.source_path.startswith(root + "/") for root in roots):
            continue
        report.deleted += 1
        report.chunks_deleted += len(document.ids())
        if not dry_run and collection is not None:
            collection.store.delete(ids=document.ids())
            logger.info("removed %s (%d chunks): its source is not one of this collection's", document_id, len(document.ids()))
    report.seconds = time.perf_counter() - started
    return report
