"""Keyword tokens for BM25: jieba for Chinese (search mode, so compounds also yield their parts), words for English.

jieba splits Latin text on non-word characters as well, so one tokenizer serves
mixed text: `美的F6033电热水器` gives `美的`, `f6033`, `电热水器`, `热水器`, ...
Model numbers, fault codes and order ids stay whole tokens, which is what makes
keyword search strong on product facts.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"\w")
_CODE = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"[0-9]")
# Hyphens (ASCII, Unicode's non-breaking U+2011 and dashes) and spaces between the parts of a model number.
_JOINER = re.compile(r"[\s\-\u2010-\u2015]+")
_lock = threading.Lock()
_ready = False


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    words: set[str] = set()
    for name in ("en.txt", "zh.txt"):
        text = resources.files("assistant.retrieval").joinpath("stopwords", name).read_text(encoding="utf-8")
        words.update(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return frozenset(words)


def jieba_module():  # type: ignore[no-untyped-def]
    """jieba, initialised once (quietly) for every user in the process."""
    global _ready
    import jieba

    with _lock:
        if not _ready:
            jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not ours to print
            jieba.initialize()
            _ready = True
    return jieba


def tokenize(text: str) -> list[str]:
    """Lower-cased keyword tokens of `text`, without punctuation and stop words.

    Two Latin-alphanumeric tokens joined by a hyphen or space, one of them with a digit, also yield their
    concatenation: customers write a model number as the catalogue does not ("f6033je6", "JSQ30 M9 Max",
    "jslq27-m10max" for `F6033-JE6`, `JSQ30-M9 Max`, `JSLQ27‑M10 Max`), and the joined forms meet either way.
    """
    stops = stop_words()
    tokens = []
    previous: str | None = None  # the last Latin code part, while only joiners follow it
    for raw in jieba_module().lcut_for_search(text):
        token = raw.strip().lower()
        if _CODE.fullmatch(token):
            if previous is not None and (_DIGIT.search(previous) or _DIGIT.search(token)):
                tokens.append(previous + token)
            previous = token
        elif not _JOINER.fullmatch(raw):
            previous = None
        if token and _WORD.search(token) and token not in stops:
            tokens.append(token)
    return tokens
