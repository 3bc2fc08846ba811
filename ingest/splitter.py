"""Documents into chunks: per section (heading-aware), then at sentence ends within a token budget, with overlap.

The sentence-aware cutting is langchain's RecursiveCharacterTextSplitter with
separators ordered paragraph → line → sentence end (Chinese 。！？； and English
. ! ? ;) → clause → word, and tiktoken's counts (the offline cl100k file) as the
length, so a chunk is cut at the largest boundary that keeps it in the budget.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.components.tokens import count_tokens
from assistant.retrieval.audience import default_audience
from assistant.retrieval.collection import HEADING_SEPARATOR
from ingest.models import Chunk, Section, SourceDocument

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", ", ", "、", " ", ""]
_HAN = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=8)
def _splitter(chunk_tokens: int, overlap_tokens: int) -> RecursiveCharacterTextSplitter:
    # Imported here: langchain costs half a second, which a run with nothing to split should not pay.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",
        chunk_size=chunk_tokens,
        chunk_overlap=min(overlap_tokens, chunk_tokens // 2),
        length_function=count_tokens,
        strip_whitespace=True,
    )


def language_of(text: str) -> str:
    """zh when Chinese characters make up a fair share of the letters, else en."""
    han = len(_HAN.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if han and han >= latin_words else "en"


def split_document(
    document: SourceDocument,
    sections: list[Section],
    doc_hash: str,
    chunk_tokens: int,
    overlap_tokens: int,
    merge_sections: bool = True,
) -> list[Chunk]:
    """The chunks of `document` (with `sections`, already scrubbed where needed), ids deterministic.

    With `merge_sections`, consecutive sections that fit the budget together share a chunk (their
    headings kept as lines of its text), so a policy of many short sections is not cut into scraps.
    A chunk id is `<document id>#<index>:<hash of its content>`, so a re-run after an interruption
    produces exactly the ids of a clean run.
    """
    splitter = _splitter(chunk_tokens, overlap_tokens)
    pieces: list[tuple[list[str], str]] = []
    pending: list[Section] = []
    pending_tokens = 0
    for section in sections:
        tokens = count_tokens(section.text) + (count_tokens(section.heading_path[-1]) + 1 if section.heading_path else 0)
        if merge_sections and tokens <= chunk_tokens:
            if pending and pending_tokens + tokens > chunk_tokens:
                pieces.append(_merged(pending))
                pending, pending_tokens = [], 0
            pending.append(section)
            pending_tokens += tokens
            continue
        if pending:
            pieces.append(_merged(pending))
            pending, pending_tokens = [], 0
        for text in splitter.split_text(section.text):
            if text.strip():
                pieces.append((section.heading_path, text.strip()))
    if pending:
        pieces.append(_merged(pending))
    chunks = []
    for index, (heading_path, text) in enumerate(pieces):
        content_hash = hashlib.sha256(f"{HEADING_SEPARATOR.join(heading_path)}\x00{text}".encode()).hexdigest()
        chunks.append(
            Chunk(
                id=f"{document.id}#{index}:{content_hash[:12]}",
                document_id=document.id,
                index=index,
                count=len(pieces),
                text=text,
                title=document.title,
                heading_path=heading_path,
                kind=document.kind,
                audience=document.audience or default_audience(document.kind),
                language="zh" if language_of(text) == "zh" else "en",
                source=document.source,
                source_path=document.source_path,
                doc_hash=doc_hash,
                content_hash=content_hash,
            )
        )
    return chunks


def _merged(sections: list[Section]) -> tuple[list[str], str]:
    """One piece from consecutive sections: the headings they share as its path, the rest as text lines."""
    if len(sections) == 1:
        return sections[0].heading_path, sections[0].text.strip()
    common = sections[0].heading_path
    for section in sections[1:]:
        depth = 0
        while depth < min(len(common), len(section.heading_path)) and common[depth] == section.heading_path[depth]:
            depth += 1
        common = common[:depth]
    blocks = []
    for section in sections:
        own = section.heading_path[len(common) :]
        blocks.append("\n".join([*own, section.text.strip()]))
    return list(common), "\n\n".join(blocks)
