"""Published answer corrections found by what the customer means, not only by the words they used.

A correction is the knowledge base's most authoritative answer (an agent wrote it after
the assistant got the question wrong), but it is one short document among thousands:
hybrid search finds it for the wording of its question ("gift wrapping") and loses it
for a paraphrase ("I want it wrapped as a present", "可以帮我包装成礼物吗"), where the
long policy chunks share more words with the message. So the questions of the
published corrections are embedded on their own — a question compared with a
question — and a search whose query is close enough to one (cosine similarity at or
above `knowledge.correction_similarity`) gets that correction first.

The index is derived from the same chunk set as the keyword index (rebuilt when the
collection's fingerprint changes): a correction is a chunk whose source file lies in
the corrections folder; its question is the document's title. The comparison has its own
embedder (`knowledge.correction_embedding_model`): measured in bench/corrections_bench.py,
USE puts paraphrases and unrelated shop questions in overlapping similarity ranges, while
EmbeddingGemma separates them; it is loaded only once a collection holds a correction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ModelFileError
from assistant.retrieval.audience import Audience, audience_of

if TYPE_CHECKING:
    from assistant.components.embedding.embedder import Embedder
    from assistant.settings import Settings

# A message longer than this is not one question a correction could answer whole (a story, a scenario); it is
# left to hybrid search, which saves embedding a long text with a second model (EmbeddingGemma: ~2 s for 300 words).
MAX_WORDS = 60
logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")


def corrections_root(settings: Settings) -> Path:
    """The folder published corrections are written to, one subfolder per shop (assistant/feedback/publish.py)."""
    return settings.corrections_folder


def is_correction(metadata: dict[str, Any], root: Path) -> bool:
    prefix = root.resolve().as_posix().rstrip("/") + "/"
    return str(metadata.get("source_path", "")).startswith(prefix)


@dataclass
class CorrectionIndex:
    """The first chunk of every published correction in a collection, with its question embedded."""

    rows: list[int]  # rows of the keyword index's chunk lists
    questions: list[str]
    vectors: np.ndarray  # one L2-normalised row per question
    embedder: Embedder | None  # None when there is no correction (the model is then never loaded)

    @classmethod
    def build(cls, metadatas: list[dict[str, Any]], embedder: Callable[[], Embedder], root: Path) -> CorrectionIndex:
        rows = [
            row
            for row, metadata in enumerate(metadatas)
            if int(metadata.get("chunk_index", 0) or 0) == 0 and metadata.get("title") and is_correction(metadata, root)
        ]
        questions = [str(metadatas[row]["title"]) for row in rows]
        if not questions:
            return cls.empty()
        try:
            model = embedder()
        except (ModelFileError, ImportError) as exc:
            # An unprepared model must not take the shop's whole search down: corrections are then ranked like any
            # chunk (found for their own wording by hybrid search), and the log says how to turn matching back on.
            logger.warning("published corrections are not matched by meaning: %s", exc)
            return cls.empty()
        # The query side for both: the stored question and the customer's message are both questions.
        return cls(rows=rows, questions=questions, vectors=model.embed_queries(questions), embedder=model)

    @classmethod
    def empty(cls) -> CorrectionIndex:
        return cls(rows=[], questions=[], vectors=np.zeros((0, 0), dtype=np.float32), embedder=None)

    def best(
        self,
        query: str,
        threshold: float,
        metadatas: list[dict[str, Any]],
        kinds: list[str] | None = None,
        audience: Audience | None = None,
    ) -> tuple[int, float] | None:
        """(row, similarity) of the correction whose question is closest to the query, if at least `threshold`
        and of the wanted kinds and audience; None otherwise (and for a message too long to be one question)."""
        if self.embedder is None or len(_WORD.findall(query)) > MAX_WORDS:
            return None
        similarities = self.vectors @ self.embedder.embed_queries([query])[0]
        for position in np.argsort(-similarities, kind="stable"):
            similarity = float(similarities[position])
            if similarity < threshold:
                return None
            metadata = metadatas[self.rows[position]]
            if (kinds is None or metadata.get("kind") in kinds) and (audience is None or audience_of(metadata) == audience):
                return self.rows[position], similarity
        return None
