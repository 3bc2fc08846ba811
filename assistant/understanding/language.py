"""Which language a message is written in: Chinese, English, or something else.

A script count is enough for the two languages the shop serves, and it costs
microseconds; a Latin-script message with accented letters and no English
function word is called `other`.
"""

from __future__ import annotations

import re

from assistant.understanding.models import Language

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")
_ACCENTED = re.compile(r"[\u00c0-\u024f]")
_OTHER_LETTERS = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f]")
_ENGLISH_WORDS = re.compile(
    r"\b(the|a|an|is|are|my|i|you|to|of|and|it|for|in|on|with|can|do|not|where|what|how|why|please|order|refund)\b",
    re.IGNORECASE,
)


def detect_language(text: str) -> Language:
    cjk = len(_CJK.findall(text))
    if _KANA_HANGUL.search(text):
        return "other"
    latin = len(_LATIN.findall(text))
    other = len(_OTHER_LETTERS.findall(text))
    # Chinese characters carry a word each; a few of them outweigh Latin order numbers or brand names.
    if cjk and cjk * 3 >= latin:
        return "zh"
    if other > latin:
        return "other"
    if latin:
        if len(_ACCENTED.findall(text)) >= 2 and not _ENGLISH_WORDS.search(text):
            return "other"
        return "en"
    return "zh" if cjk else "other"
