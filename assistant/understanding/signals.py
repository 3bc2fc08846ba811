"""Keyword rules (resources/signals.toml) for what a classifier must not miss or cannot see."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

RULES_FILE = "signals.toml"


@dataclass(frozen=True)
class SignalRules:
    """Compiled patterns per category; a category fires when any of its zh or en patterns matches."""

    patterns: dict[str, tuple[re.Pattern[str], ...]]

    def fires(self, category: str, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.patterns[category])

    def matches(self, text: str) -> set[str]:
        return {category for category in self.patterns if self.fires(category, text)}

    def promises_transfer(self, reply: str) -> bool:
        """True when an assistant reply says it hands the customer to a person (and does not refuse, or only offer)."""
        if self.fires("transfer_refusal", reply) or self.offers_transfer(reply):
            return False
        return self.fires("transfer_promise", reply)

    def offers_transfer(self, reply: str) -> bool:
        """True when an assistant reply asks whether the customer wants a person (a yes then hands over)."""
        return self.fires("transfer_offer", reply)


@cache
def load_signal_rules() -> SignalRules:
    raw = tomllib.loads(resources.files("assistant.understanding.resources").joinpath(RULES_FILE).read_text("utf-8"))
    compiled = {
        category: tuple(re.compile(pattern, re.IGNORECASE) for language in ("en", "zh") for pattern in table.get(language, []))
        for category, table in raw.items()
    }
    return SignalRules(patterns=compiled)
