"""Keyword rules (resources/signals.toml) for what a classifier must not miss or cannot see.

A category is a list of zh and en patterns, optionally with `not_en`/`not_zh` phrases in which its
words mean something else (人工费, "real human hair", "不是投诉"): those spans are blanked before the
category's patterns are tried. A category may instead be made of `parts` (human_request of an ask and a
mention; legal_safety_fraud of legal threats, safety incidents, fraud reports and security locks):
it fires when one of them does, and the escalation decision reads the parts separately.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

RULES_FILE = "signals.toml"
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class SignalRules:
    """Compiled patterns per category; a category fires when any of its zh or en patterns matches."""

    patterns: dict[str, tuple[re.Pattern[str], ...]]
    exceptions: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        return [*self.patterns, *self.parts]

    def fires(self, category: str, text: str) -> bool:
        return self.hits(category, text) > 0

    def hits(self, category: str, text: str) -> int:
        """In how many separate places of the text the category matches: overlapping matches of several of its
        patterns (or parts), "speak to a real human" by two of them, are one place."""
        places, end = 0, -1
        for start, stop in sorted(self._spans(category, text)):
            if start >= end:
                places += 1
            end = max(end, stop)
        return places

    def _spans(self, category: str, text: str) -> list[tuple[int, int]]:
        if category in self.parts:
            return [span for part in self.parts[category] for span in self._spans(part, text)]
        searched = self._without_exceptions(category, text)
        return [match.span() for pattern in self.patterns[category] for match in pattern.finditer(searched)]

    def matches(self, text: str) -> set[str]:
        return {category for category in self.categories if self.fires(category, text)}

    def promises_transfer(self, reply: str) -> bool:
        """True when an assistant reply says it hands the customer to a person (and does not refuse, or only offer)."""
        if self.fires("transfer_refusal", reply) or self.offers_transfer(reply):
            return False
        return self.fires("transfer_promise", reply)

    def offers_transfer(self, reply: str) -> bool:
        """True when an assistant reply asks whether the customer wants a person (a yes then hands over)."""
        return self.fires("transfer_offer", reply)

    def _without_exceptions(self, category: str, text: str) -> str:
        for pattern in self.exceptions.get(category, ()):
            text = pattern.sub(lambda match: " " * len(match.group(0)), text)
        return text


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


def parse_signal_rules(raw: dict[str, dict[str, list[str]]]) -> SignalRules:
    """Compile the tables of signals.toml; a ValueError names a category that is wrong."""
    patterns, exceptions, parts = {}, {}, {}
    for category, table in raw.items():
        if "parts" in table:
            unknown = [part for part in table["parts"] if part not in raw or "parts" in raw[part]]
            if unknown:
                raise ValueError(f"{RULES_FILE}: [{category}] names parts that are not pattern categories: {unknown}")
            parts[category] = tuple(table["parts"])
            continue
        try:
            patterns[category] = _compile([p for language in LANGUAGES for p in table.get(language, [])])
            exceptions[category] = _compile([p for language in LANGUAGES for p in table.get(f"not_{language}", [])])
        except re.error as exc:
            raise ValueError(f"{RULES_FILE}: [{category}] has a bad pattern: {exc}") from exc
    return SignalRules(patterns=patterns, exceptions=exceptions, parts=parts)


@cache
def load_signal_rules() -> SignalRules:
    raw = tomllib.loads(resources.files("assistant.understanding.resources").joinpath(RULES_FILE).read_text("utf-8"))
    return parse_signal_rules(raw)
