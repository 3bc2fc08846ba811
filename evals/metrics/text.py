"""Deterministic checks of an answer's text: required facts present, language of the text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def normalise(text: str) -> str:
    """Case-folded NFKC text with thousands separators dropped, so '1,234.50' and '1234.50' match."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def fact_present(text: str, fact: str | Sequence[str]) -> bool:
    """A fact is a string, or a list of alternative spellings; present when any of them is in the text."""
    alternatives = [fact] if isinstance(fact, str) else list(fact)
    haystack = normalise(text)
    return any(normalise(alternative) in haystack for alternative in alternatives)


def facts_recall(text: str, facts: Sequence[str | Sequence[str]]) -> float:
    """Share of the required facts present in the text (1.0 when none are required)."""
    if not facts:
        return 1.0
    return sum(fact_present(text, fact) for fact in facts) / len(facts)


def text_language(text: str) -> str:
    """`zh` or `en` by script count, independent of the service's own detector (so a bug there cannot hide here).

    A Chinese character carries about as much as a short English word, so it weighs 4 Latin letters.
    """
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    if cjk == 0 and latin == 0:
        return "other"
    return "zh" if cjk * 4 >= latin else "en"
