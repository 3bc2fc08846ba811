"""JSON, JSONL and CSV records into documents, with each kind's own field rules.

- product: one document per product; its fields become sections (short scalar
  fields together in an overview section, long or structured ones on their own),
  so a chunk about "常见故障" stays about faults.
- policy: a title and a Markdown body (split at its headings).
- ticket: a transcript, or a question with its resolution and outcome.

Nested JSON (e.g. `{platform: {shop: {product_id: {...}}}}`) is searched for
records: the innermost objects that carry one of the kind's fields.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ingest.loaders.documents import markdown_sections
from ingest.models import Kind, Section


@dataclass(frozen=True)
class RecordRules:
    id_fields: tuple[str, ...]
    title_fields: tuple[str, ...]
    text_fields: tuple[str, ...]
    """Fields the body comes from; a record with none of them is reported and skipped."""


RULES: dict[Kind, RecordRules] = {
    "product": RecordRules(
        id_fields=("id", "product_id", "sku", "商品ID", "商品id"),
        title_fields=("name", "title", "product_name", "商品名称", "名称"),
        text_fields=("description", "商品描述", "details", "specs"),
    ),
    "policy": RecordRules(
        id_fields=("id", "doc_id", "policy_id"),
        title_fields=("title", "name", "标题"),
        text_fields=("content", "text", "body", "markdown", "正文", "内容"),
    ),
    "ticket": RecordRules(
        id_fields=("id", "ticket_id", "工单ID"),
        title_fields=("subject", "title", "主题"),
        text_fields=("transcript", "conversation", "dialogue", "question", "问题"),
    ),
}
TICKET_PARTS = (
    ("Question", ("question", "问题")),
    ("Resolution", ("resolution", "解决方案", "处理结果")),
    ("Outcome", ("outcome", "结果")),
)
_OVERVIEW = "Overview"
_SHORT_FIELD_CHARS = 80


class RecordProblem(Exception):
    """A record (or the whole file) that cannot be turned into a document; `message` says which and why."""


@dataclass
class Record:
    number: int
    data: dict[str, Any]


def parse_records(text: str, suffix: str, kind: Kind) -> tuple[list[Record], list[str]]:
    """Records in the file, and one problem line per record or line that could not be parsed."""
    problems: list[str] = []
    if suffix == ".csv":
        rows = [row for row in csv.DictReader(io.StringIO(text)) if any((value or "").strip() for value in row.values())]
        return [Record(number, dict(row)) for number, row in enumerate(rows, start=1)], problems
    if suffix in (".jsonl", ".ndjson"):
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not JSON ({exc.msg})")
                continue
            if isinstance(value, dict):
                records.append(Record(number, value))
            else:
                problems.append(f"line {number}: a JSON {type(value).__name__}, not an object")
        return records, problems
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordProblem(f"not JSON ({exc.msg} at line {exc.lineno})") from exc
    found = list(_find_records(value, RULES[kind]))
    return [Record(number, data) for number, data in enumerate(found, start=1)], problems


def _find_records(value: Any, rules: RecordRules) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _find_records(item, rules)
    elif isinstance(value, dict):
        fields = rules.id_fields + rules.title_fields + rules.text_fields
        if any(name in value for name in fields):
            yield value
        else:
            for item in value.values():
                if isinstance(item, dict | list):
                    yield from _find_records(item, rules)


def record_document(record: Record, kind: Kind, fallback_id: str) -> tuple[str, str, list[Section]]:
    """(id, title, sections) of one record, or RecordProblem naming the missing field."""
    rules = RULES[kind]
    data = record.data
    record_id = _first(data, rules.id_fields) or f"{fallback_id}#{record.number}"
    title = _first(data, rules.title_fields)
    if kind == "product":
        if not title:
            raise RecordProblem(f"record {record.number} ({record_id}): no product name (one of {', '.join(rules.title_fields)})")
        return record_id, title, _product_sections(data, skip={*rules.title_fields})
    if not _first(data, rules.text_fields):
        raise RecordProblem(f"record {record.number} ({record_id}): no text field (one of {', '.join(rules.text_fields)})")
    if kind == "policy":
        body = str(_first(data, rules.text_fields))
        heading_title, sections = markdown_sections(body)
        return record_id, title or heading_title or record_id, sections
    return record_id, title or f"Ticket {record_id}", _ticket_sections(data)


def _first(data: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = data.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _product_sections(data: dict[str, Any], skip: set[str]) -> list[Section]:
    overview: list[str] = []
    sections: list[Section] = []
    for name, value in data.items():
        if name in skip or value is None or value == "" or value == []:
            continue
        rendered = _render(value)
        if isinstance(value, str | int | float | bool) and len(rendered) <= _SHORT_FIELD_CHARS:
            overview.append(f"{name}: {rendered}")
        else:
            sections.append(Section(heading_path=[str(name)], text=rendered))
    if overview:
        sections.insert(0, Section(heading_path=[_OVERVIEW], text="\n".join(overview)))
    return sections


def _render(value: Any) -> str:
    """Structured values as readable lines (`key: value; key: value`), not JSON syntax."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_render(item)}" for key, item in value.items() if item not in (None, ""))
    if isinstance(value, list):
        return "\n".join(f"- {_render(item)}" for item in value)
    return str(value).strip()


def _ticket_sections(data: dict[str, Any]) -> list[Section]:
    for name in ("transcript", "conversation", "dialogue"):
        turns = data.get(name)
        if isinstance(turns, list):  # [{"role": "user", "content": "..."}, ...]
            lines = [
                f"{turn.get('role', '')}: {turn.get('content', '')}" if isinstance(turn, dict) else str(turn) for turn in turns
            ]
            return [Section(heading_path=[], text="\n".join(lines))]
    transcript = _first(data, ("transcript", "conversation", "dialogue"))
    if transcript:
        return [Section(heading_path=[], text=transcript)]
    sections = []
    for heading, names in TICKET_PARTS:
        text = _first(data, names)
        if text:
            sections.append(Section(heading_path=[heading], text=text))
    return sections
