"""Person names in a ticket: found where the text says who someone is, then removed wherever they recur.

Where a name is found:
- self-introductions and greetings ("My name is Yusuf Rossi", "I'm Ethan", "我叫宋敬明", "王先生");
- fields of records pasted into the ticket ("first_name": "Yusuf", "收件人姓名": "宋敬明");
- two capitalised words that are a known first name followed by a known surname, from the name
  lists packaged by `gender-guesser` (~48,000 given names, many countries) and `names` (US census
  surnames), plus an operator's own list (knowledge.extra_names_file);
- a person name that jieba's part-of-speech tagger marks (`nr`) right after a cue word.
Every name found, and each part of it, is then removed everywhere in the document, in any order
and case ("Rossi, Yusuf", "yusuf_rossi_9620"), so one mention is enough.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from assistant.retrieval.tokenize import jieba_module, stop_words

_INTRO = re.compile(
    r"(?:\b(?i:my name is|my name's|name is|this is|i am|i'm|call me|speaking with|dear|hi|hello|thanks|thank you),?)\s+"
    r"([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){0,2})"
)
_STRONG_INTRO = re.compile(r"(?i:my name is|my name's|name is|call me)")
_NAME_FIELD = re.compile(
    r"""["']?(?:first_name|last_name|full_name|customer_name|user_name|contact_name|recipient|"""
    r"""用户姓名|收件人姓名|收货人|姓名|联系人|发票抬头)["']?\s*[:：=]\s*["']?([^"'\n,，;；。}]{1,40})"""
)
# Lookaheads, so "Agent Grace Hopper" is tried as "Agent Grace" and as "Grace Hopper".
_BIGRAM = re.compile(r"\b(?=([A-Z][a-z]{1,20})\s+([A-Z][a-z]{1,20})\b)")
_REVERSED = re.compile(r"\b(?=([A-Z][a-z]{1,20}),\s+([A-Z][a-z]{1,20})\b)")
_CN_STRONG_CUE = re.compile(
    r"(?:我叫|我的名字是|姓名[:：]?|收件人[:：]?|收货人[:：]?|联系人[:：]?)\s*([\u4e00-\u9fff]{2,3})(?![\u4e00-\u9fff]{2})"
)
_CN_WEAK_CUES = ("我是", "是", "叫", "本人", "找")
_HONORIFIC = re.compile(r"([\u4e00-\u9fff]{1,3})(先生|女士|小姐)$")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    import gender_guesser.detector as detector

    return frozenset(name.lower() for name in detector.Detector().names)


@lru_cache(maxsize=1)
def last_names() -> frozenset[str]:
    text = resources.files("names").joinpath("dist.all.last").read_text(encoding="utf-8")
    return frozenset(line.split()[0].lower() for line in text.splitlines() if line.strip())


def read_name_list(path: Path | None) -> list[str]:
    if path is None:
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def find_names(text: str, extra_names: list[str] | None = None) -> set[str]:
    """Full names said or listed in `text` (plus those of `extra_names` that occur in it)."""
    found: set[str] = set()
    known_first = first_names()
    for match in _INTRO.finditer(text):
        words = match.group(1).split()
        cue_is_strong = bool(_STRONG_INTRO.match(match.group(0)))
        if cue_is_strong or words[0].lower() in known_first:
            found.add(" ".join(_name_words(words, known_first, keep_all=cue_is_strong)))
    for match in _NAME_FIELD.finditer(text):
        found.add(match.group(1).strip())
    surnames = last_names()
    for match in _BIGRAM.finditer(text):
        first, last = match.group(1), match.group(2)
        if first.lower() in known_first and last.lower() in surnames:
            found.add(f"{first} {last}")
    for match in _REVERSED.finditer(text):  # "Rossi, Yusuf"
        last, first = match.group(1), match.group(2)
        if first.lower() in known_first and last.lower() in surnames:
            found.add(f"{first} {last}")
    if _HAN.search(text):
        found.update(_chinese_names(text))
    for name in extra_names or []:
        if name in text:
            found.add(name)
    return {name for name in found if name}


def _name_words(words: list[str], known_first: frozenset[str], keep_all: bool) -> list[str]:
    """After a weak cue ("Hi Ethan Thanks"), keep only the words that look like names."""
    if keep_all:
        return words
    kept = [words[0]]
    for word in words[1:]:
        if word.lower() in last_names() or word.lower() in known_first:
            kept.append(word)
        else:
            break
    return kept


def _chinese_names(text: str) -> set[str]:
    import jieba.posseg as posseg

    jieba_module()  # initialised quietly
    found = {match.group(1) for match in _CN_STRONG_CUE.finditer(text)}
    previous = ""
    for token in posseg.cut(text):
        word, flag = token.word, token.flag
        honorific = _HONORIFIC.match(word)
        if flag == "nr" and honorific:
            found.add(honorific.group(1))
        elif flag == "nr" and 2 <= len(word) <= 4 and previous.endswith(_CN_WEAK_CUES):
            found.add(word)
        if word.strip():
            previous = word
    return found


def name_pattern(names: set[str]) -> re.Pattern[str] | None:
    """One pattern for every name and every part of it, longest first, bounded by non-letters."""
    parts: set[str] = set()
    for name in names:
        parts.add(name)
        if not _HAN.search(name):
            parts.update(part for part in re.split(r"[\s,]+", name) if len(part) >= 2)
    if not parts:
        return None
    common = stop_words()
    alternatives = []
    for part in sorted(parts, key=len, reverse=True):
        escaped = re.escape(part)
        # A name that is also a common word ("Will", "May") is only removed with its capital letter.
        alternatives.append(escaped if part.lower() in common else f"(?i:{escaped})")
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(alternatives) + r")(?![A-Za-z])")
