"""The scripted customer at play: what the assistant's reply asks for, and the customer's next message.

It answers from its `Script` (evals/suites/customer_script.py) only: the detail the scenario states for the question,
restating the request (the assistant reads each message on its own), else "I don't know."; "yes" to a proposed
write of the request's kind (its ground-truth write's tool, on its order when the scenario names it), "no" to any
other write (none was asked for: a return proposed for an exchange, any write proposed for the identity message or
the closing questions); a person accepted only when the ground truth transfers. After MAX_FOLLOW_UPS answers (or
MAX_DONT_KNOW "I don't know."s), a "no", or a reply that asks nothing, it goes on to the next request; after the
last one it is done.
"""

from __future__ import annotations

import re
from typing import Any

from evals.suites.customer_script import Script

YES, NO, DONT_KNOW, HUMAN_YES = "yes", "No, please don't do that.", "I don't know.", "Yes, please."
MAX_FOLLOW_UPS = 4  # answers to the assistant's questions per request, then the next request
MAX_DONT_KNOW = 2  # "I don't know." twice for one request: asking again will not help, on to the next

# What the assistant asks for, by the words of its questions (prompts/v1/phrases_en.yaml, and a model's own wording).
_ASKS = (
    ("address", re.compile(r"\bnew address\b|\bfull address\b|\bwhich address\b", re.I)),
    ("items", re.compile(r"\bwhich (items?|products?)\b|\bwhat items?\b", re.I)),
    ("payment", re.compile(r"\bpayment method\b|\bwhich (card|method)\b", re.I)),
    ("identity", re.compile(r"\bidentity\b|could not match those details|email address|\bname and (your )?zip", re.I)),
    ("order", re.compile(r"\bwhich order\b|\border (id|number)\b", re.I)),
    ("option", re.compile(r"would you like\?|\btell me which\b|\bwhich (one|variant|option|version)\b", re.I)),
)
_ASKING = re.compile(r"\?|\bplease (give|provide|tell|confirm|share|let me know)\b|请|吗", re.I)


def question_kind(reply: str) -> str | None:
    """What the reply asks the customer for (`identity`, `items`, `payment`, `address`, `order`, `other`), or None."""
    if not _ASKING.search(reply):
        return None
    return next((kind for kind, pattern in _ASKS if pattern.search(reply)), "other")


class ScriptedCustomer:
    """Plays a `Script`: `opening()` is the first message, `answer(...)` the next one (None: the customer is done).

    Each message comes with the index of the request it belongs to (None: the identity message)."""

    def __init__(self, script: Script) -> None:
        self._script = script
        self._current: int | None = None  # the request being played; None before the first
        self._follow_ups = 0
        self._dont_know = 0

    def opening(self) -> tuple[str, int | None]:
        if self._script.identity:
            return self._script.identity, None
        return self._advance() or (DONT_KNOW, None)

    def answer(
        self, reply: str, *, proposed: dict[str, Any] | None, handoff: bool, handoff_offered: bool
    ) -> tuple[str, int | None] | None:
        """The next message after `reply` (`proposed`: the write it proposes, `{name, arguments}`), or None."""
        if handoff:
            return None  # the conversation is with a person now
        if proposed is not None:
            if self._asked_for(proposed):
                return YES, self._current
            self._follow_ups = MAX_FOLLOW_UPS  # declined: on to the next request after the assistant's answer
            return NO, self._current
        if handoff_offered:
            return (HUMAN_YES, self._current) if self._script.wants_human else self._advance()
        kind = question_kind(reply)
        if kind is None or self._current is None or self._follow_ups >= MAX_FOLLOW_UPS:
            return self._advance()
        self._follow_ups += 1
        detail = self._detail(kind)
        if detail == DONT_KNOW:
            self._dont_know += 1
            if self._dont_know > MAX_DONT_KNOW:
                return self._advance()
        return detail, self._current

    def _asked_for(self, proposed: dict[str, Any]) -> bool:
        if self._current is None:
            return False
        request = self._script.requests[self._current]
        if request.write is None or proposed["name"] != request.write:
            return False
        stated = "order" in request.known  # the scenario names the order: another one is not the one asked for
        return not stated or (proposed.get("arguments") or {}).get("order_id") == request.order_id

    def _detail(self, kind: str) -> str:
        request = self._script.requests[self._current or 0]
        if kind == "identity":
            detail = self._script.identity
            return f"{detail} {request.text}" if detail else DONT_KNOW
        known = request.known.get(kind)
        if known is None:
            return DONT_KNOW
        if kind == "option":  # the scenario's own sentence of what it prefers
            return f"{request.text} {known}"
        return f"{request.text.rstrip(' .;')}, {known}."

    def _advance(self) -> tuple[str, int | None] | None:
        following = 0 if self._current is None else self._current + 1
        if following >= len(self._script.requests):
            return None
        self._current, self._follow_ups, self._dont_know = following, 0, 0
        return self._script.requests[following].text, following
