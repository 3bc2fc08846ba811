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
    """Lower-cased keyword tokens of `text`, without punctuation and stop words."""
    stops = stop_words()
    tokens = []
    for token in jieba_module().lcut_for_search(text):
        token = token.strip().lower()
        if token and _WORD.search(token) and token not in stops:
            tokens.append(token)
    return tokens
