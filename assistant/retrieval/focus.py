"""What a long message asks, before it is searched: its sentences, without the ones that ask nothing.

A short question is searched as written. A long message (a story, several requests, a
role-play scenario of a benchmark) buries what it asks among greetings, identity details
(names, emails, phone numbers, account ids) and instructions about how to behave; as one
query, a dense encoder averages all of it into a vector close to nothing in particular,
and keyword search weighs the story's words like the request's. So a long message is cut
into sentences, the sentences that carry no request (by the patterns below, in English
and Chinese) are dropped, and the rest are searched each on its own (bench/retrieval_bench.py
measures what that gains: issue 15).

No model is asked: a rewrite by the local model was measured lowering recall on the banking
scenarios (issue 15) at ~11 s per message, while this costs a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentence ends: . ! ? (English, before a space), Chinese end punctuation, line breaks; list markers are stripped.
_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])|\n+")
_MARKER = re.compile(r"^\s*(?:[-*•#>]+|\d+[.)])\s*|\*\*")
_WORD = re.compile(r"\w+")
# Sentences that ask nothing of the knowledge base.
_NOTHING_ASKED = re.compile(
    "|".join(
        (
            # Personal data: what identifies the customer, never what the answer is about.
            r"[\w.+-]+@[\w-]+\.[\w.]+",
            r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b",
            r"\b(?:my|your) (?:full )?(?:name|email|e-mail|phone(?: number)?|user id|date of birth|zip(?: code)?|address)"
            r" (?:is|are)\b",
            r"(?:我的)?(?:手机号|电话|邮箱|用户名|用户ID)(?:是|为)",
            # A role-play scenario's stage directions to the simulated customer.
            r"\bplaying the role\b|\bcustomer service representative\b|\bon the line with\b|\bdon'?t dump\b",
            r"\bnever respond as\b|\bend the (?:conversation|call)\b|\bbehaviou?r guidelines\b|\byour character\b",
            r"\bdo not volunteer\b|\bonly provide additional details\b|\byou have access to a tool\b",
        )
    ),
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:(?:hi|hello|hey)(?: there| all| team)?|dear \w+|good (?:morning|afternoon|evening)|"
    r"thanks?(?: you)?(?: so much| a lot)?|cheers|regards|"
    r"best regards|你好|您好|谢谢|多谢|麻烦了)[\s,.!~。！，]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Focus:
    """A message as searched: `queries` (one per sentence that asks something; the message itself when it is
    short) and `text`, those sentences joined (what keyword search reads)."""

    queries: list[str]
    text: str


def focus(message: str, min_words: int) -> Focus:
    """The sentences of `message` that ask something, when it has at least `min_words` words; else the message."""
    message = message.strip()
    if len(_WORD.findall(message)) < min_words:
        return Focus(queries=[message], text=message)
    kept = [sentence for sentence in sentences(message) if not _asks_nothing(sentence)]
    if not kept:  # nothing recognisably asked: search the whole text rather than nothing
        return Focus(queries=[message], text=message)
    return Focus(queries=kept, text=" ".join(kept))


def sentences(text: str) -> list[str]:
    """The sentences and list items of `text`, without list markers, empty pieces and single words."""
    pieces = (_MARKER.sub("", piece).strip() for piece in _SPLIT.split(text))
    return [piece for piece in pieces if len(_WORD.findall(piece)) >= 2 or _has_han(piece)]


def _asks_nothing(sentence: str) -> bool:
    return bool(_GREETING.match(sentence) or _NOTHING_ASKED.search(sentence))


def _has_han(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)
