"""Which of the proposed writes the customer's answer confirms: all of them, some, or none.

"yes" confirms every write the confirmation listed; "only 1", "yes, just the
return", "do the exchange but not the return", "只要第1项", "不要退货" confirm
some. Decided by rule, not by the model, like every yes (confirmation.py): a
write runs only on an unmistakable answer, and an answer that names nothing
listed is not one (then the proposals lapse, as for any new request).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.agent.confirmation import is_confirmation, is_refusal
from assistant.agent.operations.base import Operation
from assistant.agent.operations.offered import ShopOperations
from assistant.conversations.records import PendingConfirmation

# A word that makes the answer a choice among the listed writes (a plain "please" does not: "please exchange…").
_CUE = re.compile(r"\b(yes|yeah|ok|okay|sure|only|just|go ahead|proceed|confirm)\b|是|好|确认|可以|只|就", re.IGNORECASE)
# What follows these is left out ("but not the return", "don't cancel", "不要退货", "除了第二项").
_NOT = re.compile(r"\b(not|don'?t|do not|skip|except|without|no)\b|不要|不用|别|除了|不", re.IGNORECASE)
# A question or a change of mind is a new request, never a yes ("can I do a return instead?", "yes, but in black").
_QUESTION = re.compile(r"[?？]\s*$|^\s*(how|what|why|when|where|can|could|would|is|are|does|will)\b|吗|呢", re.IGNORECASE)
_CHANGE = re.compile(
    r"\b(instead|rather|other|another|different|change|size|colou?r|but (?:the|in|with|for|to))\b|改成|换成|另外|别的|其他",
    re.IGNORECASE,
)
# An answer made of positions only ("1 and 3", "the first one", "第2项").
_BARE = re.compile(
    r"^(?:\s|[1-9]|first|second|third|fourth|fifth|both|and|&|,|please|the|one|ones|number|item|no\.|#|第|项|个|条|和|请|[一二两三四五])+[.!。！]*$",
    re.IGNORECASE,
)
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
}  # fmt: skip
_INDEX = re.compile(
    r"(?<![\w#])(?:#|no\.?\s*|number\s+|item\s+)?([1-9])(?![\d%])(?!\s*(?:hours?|%|x|in))"
    r"|\b(first|second|third|fourth|fifth)\b|第\s*([1-9一二两三四五])\s*[项个条]?",
    re.IGNORECASE,
)
_LAST = re.compile(r"\b(last|latter)\b|最后", re.IGNORECASE)


def chosen(text: str, waiting: Sequence[PendingConfirmation], offered: ShopOperations) -> list[int] | None:
    """The positions (0-based) of the writes the answer confirms; None when it is no answer to them.

    The writes are named by position, by the words of the shop's operations, or by order id (the shop's pattern).
    """
    if not waiting:
        return None
    if is_confirmation(text):
        return list(range(len(waiting)))
    if _QUESTION.search(text) or _CHANGE.search(text):
        return None
    if is_refusal(text) and not _mentions(text, waiting, offered):
        return None  # a plain no: the caller declines them all
    if not (_CUE.search(text) or _NOT.search(text) or _BARE.match(text)):
        return None
    wanted: set[int] = set()
    unwanted: set[int] = set()
    for clause in re.split(r"[,.;，。；!！?？]|\bbut\b|\band\b|但|而|和|还有", text):
        positions = _mentions(clause, waiting, offered)
        if not positions:
            continue
        negated = _NOT.search(clause)
        # "not the return": the negation comes before what it names.
        if negated and negated.start() <= min(_first_mention(clause, waiting, offered), len(clause)):
            unwanted |= positions
        else:
            wanted |= positions
    if not wanted and not unwanted:
        return None
    selected = wanted or set(range(len(waiting)))
    return sorted(selected - unwanted)


def _mentions(text: str, waiting: Sequence[PendingConfirmation], offered: ShopOperations) -> set[int]:
    """The listed writes the text names: by position, by the operation's words, or by order id."""
    named: set[int] = set()
    for match in _INDEX.finditer(text):
        raw = match.group(1) or match.group(2) or match.group(3)
        number = int(raw) if raw.isdigit() else _ORDINALS.get(raw.lower(), 0)
        if 1 <= number <= len(waiting):
            named.add(number - 1)
    if _LAST.search(text):
        named.add(len(waiting) - 1)
    orders = set(offered.order_ids(text))
    for position, pending in enumerate(waiting):
        rule = _rules(offered.operations).get(pending.name)
        if rule is not None and rule.search(text):
            named.add(position)
        if orders and str(pending.arguments.get("order_id")) in orders:
            named.add(position)
    return named


def _first_mention(text: str, waiting: Sequence[PendingConfirmation], offered: ShopOperations) -> int:
    starts = [match.start() for match in _INDEX.finditer(text)]
    for pending in waiting:
        rule = _rules(offered.operations).get(pending.name)
        found = rule.search(text) if rule is not None else None
        if found:
            starts.append(found.start())
    return min(starts, default=len(text))


@lru_cache(maxsize=16)
def _rules(operations: tuple[Operation, ...]) -> dict[str, re.Pattern[str]]:
    """By WRITE tool (each form of each operation's write), the words of the operation whose write it is: its
    segment words with any ending ("cancellation"), else its rule."""
    rules: dict[str, re.Pattern[str]] = {}
    for operation in operations:
        rule: re.Pattern[str] | None = operation.rule
        if operation.segment_words:
            words = "|".join(re.escape(word) for word in operation.segment_words)
            rule = re.compile(r"\b(" + words + r")\w*" + (f"|{operation.words_zh}" if operation.words_zh else ""), re.IGNORECASE)
        if rule is not None:
            rules.update(dict.fromkeys(operation.tools, rule))
    return rules
