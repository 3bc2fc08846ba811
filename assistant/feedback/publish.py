"""An agent's corrected answer becomes a knowledge-base document, through the same ingestion pipeline as any other.

The document is a small Markdown file (the question as its title, the corrected
answer as its body) of kind `policy`, the kind customer answers draw on, written
to the knowledge collection of the conversation's shop (and to a folder of that
shop's): one shop's correction never answers another shop's customers. The
customer's question may carry personal data, so it goes through the ticket
scrubber first; the agent can also restate the question when publishing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from assistant.errors import BadInputError, ConflictError
from assistant.feedback.models import CorrectionView
from assistant.feedback.store import FeedbackStore
from assistant.retrieval.corrections import corrections_root

if TYPE_CHECKING:
    from assistant.components.container import Components

TITLE_MAX = 200


class PublishedCorrection(BaseModel):
    correction: CorrectionView
    document_id: str
    path: str
    chunks_written: int


def corrections_folder(components: Components, shop: str) -> Path:
    # Under the folder retrieval recognises corrections by (assistant/retrieval/corrections.py).
    return corrections_root(components.settings) / shop


class CorrectionPublisher:
    """Writes a correction as Markdown, ingests it into its shop's collection, and marks it published."""

    def __init__(self, *, components: Components, store: FeedbackStore, collections: Mapping[str, str]) -> None:
        self._components = components
        self._store = store
        self._collections = dict(collections)  # shop → its knowledge collection
        # One publish at a time in this process: two publishers of one correction would otherwise write the
        # same file with different questions, and the loser's text could end up indexed.
        self._lock = threading.Lock()

    def publish(self, *, correction_id: str, shop: str, agent_id: str, question: str | None = None) -> PublishedCorrection:
        """Publish one of `shop`'s corrections (another shop's is "not found") into `shop`'s collection."""
        from ingest.loaders import display_path

        with self._lock:
            correction = self._store.get_correction(correction_id=correction_id, shop=shop)
            if correction.status == "published":
                raise ConflictError(
                    f"correction {correction_id} is already published as {correction.document_id}", reason="already_published"
                )
            title = _one_line(question or self._scrubbed(correction.question))
            if not title:
                raise BadInputError(
                    f"correction {correction_id} has no customer question to title the document; send `question`",
                    reason="missing_question",
                )
            folder = corrections_folder(self._components, shop)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"correction-{correction_id}.md"
            path.write_text(render_document(title, correction.correct_answer), encoding="utf-8")
            chunks = self._ingest(path, self._collections[shop])
            published = self._store.mark_published(correction_id=correction_id, document_id=display_path(path), agent_id=agent_id)
            return PublishedCorrection(
                correction=published, document_id=display_path(path), path=path.as_posix(), chunks_written=chunks
            )

    def _ingest(self, path: Path, collection: str) -> int:
        from assistant.retrieval.keyword_index import refresh_keyword_cache
        from ingest.pipeline import IngestPipeline

        report = IngestPipeline(self._components, collection).run([path], "policy")
        if report.documents_seen == 0:
            problems = "; ".join(problem.message for problem in report.problems) or "nothing was loaded"
            raise BadInputError(f"the corrected answer could not be ingested: {problems}", reason="ingest_failed")
        # Rebuilt now, so the keyword half of the next search already knows the new document.
        refresh_keyword_cache(self._components, collection)
        return report.chunks_written

    def _scrubbed(self, text: str) -> str:
        from ingest.pii.scrubber import Scrubber

        scrubber = Scrubber(self._components.settings.knowledge.extra_names_file)
        names: set[str] = set()
        scrubber.collect_names(text, names)
        return scrubber.scrub(text, names)


def render_document(question: str, answer: str) -> str:
    """The Markdown the knowledge base stores: the question as the one top heading, the answer below it."""
    return f"# {question}\n\n{answer.strip()}\n"


def _one_line(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().lstrip("#").strip()
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"
