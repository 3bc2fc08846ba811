"""Replace personal data with typed placeholders before anything is embedded, stored or logged.

Placeholders: <EMAIL>, <PHONE>, <CARD>, <ID_NUMBER>, <ADDRESS>, <NAME>. Order ids
(#W1234567) and product or item ids are kept on purpose: they are what makes a
resolved ticket useful as an example. Only counts per type are ever logged.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ingest.pii import detectors
from ingest.pii.names import find_names, name_pattern, read_name_list

logger = logging.getLogger(__name__)
Span = detectors.Span
# Spans never touched: order ids and the values of id fields (a 10-digit item id looks like a phone number).
_PROTECTED = re.compile(
    r"#[A-Z]{1,3}\d{5,}|"
    r"""(?i:["']?(?:order_id|item_id|product_id|variant_id|sku|商品ID|订单ID|物流单号)["']?\s*[:：=]\s*["']?)[A-Za-z0-9\-]+"""
)
# Overlaps are resolved in _replace: the span starting first wins, the longest among equals (an email, not the name in it).
_DETECTORS: list[Callable[[str], list[Span]]] = [
    detectors.emails,
    detectors.cards,
    detectors.id_numbers,
    detectors.phones,
    detectors.addresses,
]


class Scrubber:
    """Finds and replaces personal data; built once per run (the name lists load on first use)."""

    def __init__(self, extra_names_file: Path | None = None) -> None:
        self._extra_names = read_name_list(extra_names_file)
        self.counts: Counter[str] = Counter()

    def scrub(self, text: str, names: set[str] | None = None) -> str:
        """`text` with every detected item replaced by its placeholder.

        `names` are names already known for the document (found in its other sections); the names
        found in `text` are added to it, so a caller scrubbing a document section by section can
        pass one set along.
        """
        if not text:
            return text
        protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
        spans: list[Span] = []
        for detect in _DETECTORS:
            spans.extend(span for span in detect(text) if not _overlaps(span[0], span[1], protected))
        known = names if names is not None else set()
        known.update(find_names(text, self._extra_names))
        pattern = name_pattern(known)
        if pattern is not None:
            spans.extend(
                (m.start(), m.end(), "NAME") for m in pattern.finditer(text) if not _overlaps(m.start(), m.end(), protected)
            )
        return self._replace(text, spans)

    def collect_names(self, text: str, names: set[str]) -> None:
        """Add the names found in `text` to `names` (for scrubbing a document's sections with one set)."""
        names.update(find_names(text, self._extra_names))

    def _replace(self, text: str, spans: list[Span]) -> str:
        chosen: list[Span] = []
        # Longest span first among those starting earliest; anything overlapping a chosen span is dropped.
        for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
            if chosen and span[0] < chosen[-1][1]:
                continue
            chosen.append(span)
        pieces = []
        position = 0
        for start, end, label in chosen:
            pieces.append(text[position:start])
            pieces.append(f"<{label}>")
            self.counts[label] += 1
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

    def log_counts(self) -> None:
        if self.counts:
            logger.info(
                "personal data replaced: %s", ", ".join(f"{label} {count}" for label, count in sorted(self.counts.items()))
            )


def _overlaps(start: int, end: int, protected: list[tuple[int, int]]) -> bool:
    return any(start < protected_end and protected_start < end for protected_start, protected_end in protected)
