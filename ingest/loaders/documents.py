"""Markdown, HTML, PDF and plain text into titled sections, with maintained parsers (markdown-it, BeautifulSoup, pypdf)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ingest.models import Section

_BLANK_RUNS = re.compile(r"\n{3,}")
# `---` lines around `key: value` lines at the very top of a Markdown file (Jekyll/Hugo front matter).
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n((?:[A-Za-z_][\w-]*[ \t]*:.*\n)*)---[ \t]*(?:\n|\Z)")
_HEADING_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_MARK = "\x00H"


class UnreadableDocument(Exception):
    """The file is not what its extension says (a broken PDF, binary junk)."""


@lru_cache(maxsize=1)
def _markdown_parser():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """The `key: value` front matter of a Markdown file (e.g. `audience: customer`), and the text without it.

    Only flat string values are read: it is how a document declares facts about itself, not a YAML document.
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    fields = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip().lower()] = value.strip().strip("'\"")
    return fields, text[match.end() :]


def markdown_sections(text: str) -> tuple[str | None, list[Section]]:
    """Sections split at the headings markdown-it finds (so `#` inside code blocks is not a heading).

    A single top-level heading is taken as the title and left out of the heading paths.
    """
    tokens = _markdown_parser().parse(text)
    lines = text.splitlines()
    headings: list[tuple[int, int, int, str]] = []  # (start line, end line, level, text)
    for position, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            inline = tokens[position + 1]
            headings.append((token.map[0], token.map[1], int(token.tag[1]), inline.content.strip()))
    top_levels = [level for _, _, level, _ in headings if level == 1]
    title = next((name for _, _, level, name in headings if level == 1), None) if len(top_levels) == 1 else None

    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body_start = 0
    path: list[str] = []
    for start, end, level, name in headings:
        _append(sections, path, lines[body_start:start])
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, name))
        path = [heading for heading_level, heading in stack if not (title is not None and heading_level == 1)]
        body_start = end
    _append(sections, path, lines[body_start:])
    return title, sections


def _append(sections: list[Section], path: list[str], lines: list[str]) -> None:
    body = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
    if body:
        sections.append(Section(heading_path=list(path), text=body))


def html_sections(markup: str) -> tuple[str | None, list[Section]]:
    """Sections split at h1–h6; scripts, styles and navigation are dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for element in soup(["script", "style", "nav", "noscript", "template"]):
        element.decompose()
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    if soup.title:
        soup.title.decompose()
    h1s = soup.find_all("h1")
    title = page_title or (h1s[0].get_text(" ", strip=True) if len(h1s) == 1 else None)
    # Headings become marker lines, so one get_text pass keeps document order and nesting right.
    for heading in soup.find_all(_HEADING_TAGS):
        heading.replace_with(f"\n{_MARK}{heading.name[1]}{heading.get_text(' ', strip=True)}\n")
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []
    path: list[str] = []
    for raw in soup.get_text("\n").splitlines():
        line = raw.strip()
        if line.startswith(_MARK):
            _append(sections, path, body)
            body = []
            level, name = int(line[len(_MARK)]), line[len(_MARK) + 1 :].strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name))
            path = [heading for heading_level, heading in stack if not (heading_level == 1 and heading == title)]
        elif line:
            body.append(line)
    _append(sections, path, body)
    return title, sections


def pdf_sections(path: Path) -> tuple[str | None, list[Section]]:
    """One section per page with text (scanned pages without a text layer yield nothing)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        title = reader.metadata.title if reader.metadata and reader.metadata.title else None
        sections = []
        for number, page in enumerate(reader.pages, start=1):
            text = _BLANK_RUNS.sub("\n\n", page.extract_text() or "").strip()
            if text:
                sections.append(Section(heading_path=[f"page {number}"], text=text))
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnreadableDocument(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    return title, sections


def text_sections(text: str) -> tuple[str | None, list[Section]]:
    body = _BLANK_RUNS.sub("\n\n", text).strip()
    return None, [Section(text=body)] if body else []
