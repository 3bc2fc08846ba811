"""The check on a customer's answer before it goes out: no tool name, no quoted agent instruction.

A small model answering from a shop's documents will repeat what it reads, and the
system prompt carries the agent-facing store policy. So the answer is refused when it
names a tool (any snake_case identifier such as `manage_ecard` — nearly every name of
the toolbox is one — or a one-word tool name written as a tool: "the calculate tool")
or quotes an internal instruction (the phrases of
`prompts/<version>/texts/reply_guard_{en,zh}.toml`: "the user", "调用…工具", …).
The customer then gets the honest "I don't have that information" and the offer of a
person instead.

The answer is streamed, so the check runs on the text as it grows (`GuardedStream`)
and holds back only what could still turn into a refused text: the unfinished Latin
word at the end (`cancel` may become `cancel_pending_order`) and a tail that is the
start of an internal phrase (`the` of "the user", `调用` of "调用…工具"). Everything
before that has been checked and is released at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.tools.base import specs_of
from assistant.tools.texts import PromptTexts
from assistant.tools.toolbox import default_toolsets

GUARD_TABLE = "reply_guard"
LANGUAGES = ("en", "zh")  # both tables apply to every reply: a Chinese answer can quote an English instruction
# "…" in a phrase stands for a short stretch of the same sentence ("调用manage_ecard工具", "call the lookup tool").
GAP = "…"
GAP_CHARS = 24
_SENTENCE_END = "。！？.!?\n"
_GAP_PATTERN = f"[^{re.escape(_SENTENCE_END)}]{{0,{GAP_CHARS}}}?"
# A snake_case identifier: letters and digits joined by underscores; not part of an e-mail address or a path.
# Latin-only lookarounds: "调用manage_ecard工具" has Chinese characters right against the identifier.
_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_@./-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9_@/-])")
_UNFINISHED_WORD = re.compile(r"[A-Za-z0-9_]+\Z")

_FIRST_SENTENCE = re.compile(r"[^.!?。！？]*[.!?。！？]?")


@dataclass(frozen=True)
class Refusal:
    """Why an answer was refused: `reason` is tool_name, identifier, internal_phrase or no_answer (the model said it
    has no answer); `match` is the text that hit."""

    reason: str
    match: str
    phrase: str | None = None


@dataclass(frozen=True)
class _Phrase:
    key: str
    text: str
    pattern: re.Pattern[str]
    parts: tuple[str, ...]
    latin_start: bool


@lru_cache(maxsize=1)
def toolbox_tool_names() -> frozenset[str]:
    """Every tool name of the default toolbox (the toolsets are stateless; only their specs are read)."""
    return frozenset(spec.name for toolset in default_toolsets() for spec in specs_of(toolset))


class ReplyGuard:
    """Refuses a customer reply that names a tool or quotes an internal instruction."""

    def __init__(
        self,
        phrases: dict[str, str],
        *,
        tool_names: Iterable[str] = (),
        allowed: Iterable[str] = (),
        no_answer: dict[str, str] | None = None,
    ) -> None:
        self._phrases = [_compile(key, text) for key, text in phrases.items()]
        # "I do not have that information": the model found no answer in the passages. Not held back (nothing to
        # hide), but the answer is replaced by the fixed no-knowledge reply, which offers a person and is recorded so.
        self._no_answer = [_compile(key, text) for key, text in (no_answer or {}).items()]
        self._tools = {name.lower() for name in tool_names}
        # A one-word tool name ("calculate") is also an ordinary word: refused only where it is named as a tool.
        words = sorted(re.escape(name) for name in self._tools if "_" not in name)
        alternatives = "|".join(words)
        self._tool_words = (
            re.compile(
                rf"`(?:{alternatives})`|(?<![A-Za-z0-9_])(?:{alternatives})(?:\s*\(|\s+(?:tool|function)\b|\s*工具)",
                re.IGNORECASE,
            )
            if words
            else None
        )
        self._allowed = {name.lower() for name in allowed if name}

    @classmethod
    def of(cls, texts: PromptTexts, *, allowed: Iterable[str] = ()) -> ReplyGuard:
        """The guard of a prompt version: its phrase tables in every language, and the toolbox's tool names."""
        phrases: dict[str, str] = {}
        no_answer: dict[str, str] = {}
        for language in LANGUAGES:
            table = texts.table(GUARD_TABLE, language)
            for key, template in table.get("internal", {}).items():
                phrases[f"{language}.{key}"] = template.render().strip()
            for key, template in table.get("no_answer", {}).items():
                no_answer[f"{language}.{key}"] = template.render().strip()
        return cls(phrases, tool_names=toolbox_tool_names(), allowed=allowed, no_answer=no_answer)

    def check(self, text: str) -> Refusal | None:
        """The first reason to refuse `text` (read as finished), or None when it may go out."""
        for match in _IDENTIFIER.finditer(text):
            name = match.group(0)
            if name.lower() in self._allowed:
                continue
            return Refusal("tool_name" if name.lower() in self._tools else "identifier", name)
        named = self._tool_words.search(text) if self._tool_words else None
        if named:
            return Refusal("tool_name", named.group(0))
        for phrase in self._phrases:
            found = phrase.pattern.search(text)
            if found:
                return Refusal("internal_phrase", found.group(0), phrase.key)
        # Only an answer that opens by saying it has none: "You can pay with a gift card; I don't have information
        # about selling them" answers what it can and says so about the rest, and stands.
        opening = _FIRST_SENTENCE.match(text)
        for phrase in self._no_answer:
            found = phrase.pattern.search(opening.group(0) if opening else text)
            if found:
                return Refusal("no_answer", found.group(0), phrase.key)
        return None

    def stream(self) -> GuardedStream:
        return GuardedStream(self)

    def held_from(self, text: str, start: int) -> int:
        """Where the tail that must be held back begins (len(text) when nothing need be)."""
        held = len(text)
        unfinished = _UNFINISHED_WORD.search(text, start)
        if unfinished:
            held = unfinished.start()
        lowered = text.lower()
        window = max(start, len(text) - max((len(p.text) + GAP_CHARS for p in self._phrases), default=0))
        for index in range(window, held):
            if any(_could_begin(phrase, lowered, index) for phrase in self._phrases):
                return index
        return held


@dataclass
class GuardedStream:
    """One streamed answer through the guard: `feed` each piece, say what it returns; `finish` at the end."""

    guard: ReplyGuard
    text: str = ""
    released: int = 0
    refusal: Refusal | None = None
    said: list[str] = field(default_factory=list)

    def feed(self, piece: str) -> str:
        """The text that is safe to say now ("" while held back, or once refused)."""
        if self.refusal is not None:
            return ""
        self.text += piece
        unfinished = _UNFINISHED_WORD.search(self.text)
        settled = self.text[: unfinished.start()] if unfinished else self.text
        self.refusal = self.guard.check(settled)
        if self.refusal is not None:
            return ""
        return self._release(self.guard.held_from(self.text, self.released))

    def finish(self) -> str:
        """The held-back rest, checked as the finished answer ("" when it is refused)."""
        if self.refusal is None:
            self.refusal = self.guard.check(self.text)
        if self.refusal is not None:
            return ""
        return self._release(len(self.text))

    def _release(self, end: int) -> str:
        if end <= self.released:
            return ""
        out = self.text[self.released : end]
        self.released = end
        self.said.append(out)
        return out


def _compile(key: str, text: str) -> _Phrase:
    parts = tuple(part.strip().lower() for part in text.split(GAP) if part.strip())
    if not parts:
        raise ValueError(f"reply guard phrase {key!r} is empty")
    body = _GAP_PATTERN.join(r"\s+".join(re.escape(word) for word in part.split()) for part in parts)
    latin_start, latin_end = parts[0][0].isascii() and parts[0][0].isalnum(), parts[-1][-1].isascii() and parts[-1][-1].isalnum()
    pattern = ("(?<![a-z0-9])" if latin_start else "") + body + ("(?![a-z0-9])" if latin_end else "")
    return _Phrase(key, text, re.compile(pattern, re.IGNORECASE), parts, latin_start)


def _could_begin(phrase: _Phrase, lowered: str, index: int) -> bool:
    """Is lowered[index:] (the end of the text so far) the start of this phrase, not yet complete?"""
    if phrase.latin_start and index > 0 and lowered[index - 1].isascii() and lowered[index - 1].isalnum():
        return False
    tail = " ".join(lowered[index:].split()) + (" " if lowered[index:][-1:].isspace() else "")
    first = phrase.parts[0]
    if len(tail) < len(first):
        return first.startswith(tail)
    if not tail.startswith(first) or len(phrase.parts) == 1:
        return False
    # Past the first part of a phrase with a gap: still open while the sentence goes on, within the gap's length.
    rest = tail[len(first) :]
    return not any(mark in rest for mark in _SENTENCE_END) and len(rest) <= GAP_CHARS + len(phrase.parts[-1])
