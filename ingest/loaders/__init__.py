"""Turn the paths an operator names into documents of one kind, reporting (not raising) what cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.retrieval.audience import AUDIENCES, Audience
from ingest.loaders.documents import (
    UnreadableDocument,
    front_matter,
    html_sections,
    markdown_sections,
    pdf_sections,
    text_sections,
)
from ingest.loaders.records import RecordProblem, parse_records, record_document
from ingest.models import FileProblem, Kind, Section, SourceDocument

DOCUMENT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf", ".txt": "text"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv"}
SUFFIXES = sorted({*DOCUMENT_SUFFIXES, *RECORD_SUFFIXES})


@dataclass
class LoadResult:
    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    """Existing files and folders named by the operator: the scope of --prune."""
    unreadable_files: set[str] = field(default_factory=set)
    """Files that failed as a whole; their stored documents are never pruned (bad input loses nothing)."""


def display_path(path: Path) -> str:
    """The path relative to the working folder when inside it (stable ids and short citations), else absolute."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def load_paths(paths: list[Path], kind: Kind) -> LoadResult:
    result = LoadResult()
    seen_ids: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            result.problems.append(FileProblem(path=str(path), message="no such file or folder"))
            continue
        result.roots.append(path.resolve())
        for file in _files_under(path, result):
            for document in _load_file(file, kind, result):
                if document.id in seen_ids:
                    result.problems.append(
                        FileProblem(
                            path=document.source,
                            message=f"document id {document.id!r} already came from {seen_ids[document.id]}; skipped",
                        )
                    )
                    continue
                seen_ids[document.id] = document.source
                result.documents.append(document)
    return result


def _files_under(path: Path, result: LoadResult) -> list[Path]:
    if path.is_file():
        return [path]
    files = []
    for file in sorted(path.rglob("*")):
        if not file.is_file() or any(part.startswith(".") for part in file.relative_to(path).parts):
            continue
        files.append(file)
    return files


def _load_file(file: Path, kind: Kind, result: LoadResult) -> list[SourceDocument]:
    source = display_path(file)
    suffix = file.suffix.lower()

    def fail(message: str) -> list[SourceDocument]:
        result.problems.append(FileProblem(path=source, message=message))
        result.unreadable_files.add(file.resolve().as_posix())
        return []

    if suffix not in DOCUMENT_SUFFIXES and suffix not in RECORD_SUFFIXES:
        return fail(f"unknown format {suffix or '(no extension)'}; known: {', '.join(SUFFIXES)}")
    try:
        if suffix == ".pdf":
            title, sections = pdf_sections(file)
            return _one(file, source, kind, title, sections, fail)
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, UnreadableDocument) as exc:
        return fail(f"unreadable: {exc}")
    if not text.strip():
        return fail("empty file")
    if suffix in RECORD_SUFFIXES:
        return _records(file, source, suffix, text, kind, result, fail)
    declared: Audience | None = None
    if DOCUMENT_SUFFIXES[suffix] == "markdown":
        fields, text = front_matter(text)
        if "audience" in fields:
            if fields["audience"] not in AUDIENCES:
                return fail(f"front matter audience {fields['audience']!r}: one of {', '.join(AUDIENCES)}")
            declared = fields["audience"]  # type: ignore[assignment]
    parse = {"markdown": markdown_sections, "html": html_sections, "text": text_sections}[DOCUMENT_SUFFIXES[suffix]]
    title, sections = parse(text)
    return _one(file, source, kind, title, sections, fail, audience=declared)


def _one(  # type: ignore[no-untyped-def]
    file: Path, source: str, kind: Kind, title: str | None, sections: list[Section], fail, audience: Audience | None = None
) -> list[SourceDocument]:
    if not sections:
        return fail("no text in the file")
    return [
        SourceDocument(
            id=source,
            title=title or file.stem,
            kind=kind,
            source=source,
            source_path=file.resolve().as_posix(),
            sections=sections,
            audience=audience,
        )
    ]


def _records(file: Path, source: str, suffix: str, text: str, kind: Kind, result: LoadResult, fail) -> list[SourceDocument]:  # type: ignore[no-untyped-def]
    try:
        records, problems = parse_records(text, suffix, kind)
    except RecordProblem as exc:
        return fail(str(exc))
    result.problems.extend(FileProblem(path=source, message=message) for message in problems)
    if not records:
        return fail("no records found")
    documents = []
    for record in records:
        try:
            document_id, title, sections = record_document(record, kind, fallback_id=source)
            if not sections:
                raise RecordProblem(f"record {record.number} ({document_id}): no text")
        except RecordProblem as exc:
            problems.append(str(exc))
            result.problems.append(FileProblem(path=source, message=str(exc)))
            continue
        declared = record.data.get("audience")
        documents.append(
            SourceDocument(
                id=document_id, title=title, kind=kind, source=source, source_path=file.resolve().as_posix(), sections=sections,
                audience=declared if declared in AUDIENCES else None,
            )
        )  # fmt: skip
    if problems:
        # A broken record may be one stored earlier: keep the whole file's documents out of --prune.
        result.unreadable_files.add(file.resolve().as_posix())
    return documents
