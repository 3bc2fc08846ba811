"""The requests of one message, in the order the customer made them.

"Return the makeup kit from #W1713682 and also exchange the hiking boots there
for size 8" is two requests; "if it has not shipped, cancel it, otherwise
return it" is one request whose operation the order's status decides. Read in
code, from the operations' own keyword rules (the registry): each write an
operation's words name opens a request that runs to the next one, and the order
ids it names (or, for "there"/"it", the last ones named before it) are its own.

Which of two operations a request is — cancel or return, modify or exchange —
is left to the order's status, which the customer may not know and the model
cannot see (`alternatives`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.agent import slots
from assistant.agent.operations.base import Operation, Request
from assistant.agent.operations.registry import BY_NAME, OPERATIONS
from assistant.agent.operations.registry import request as whole_message_request

# "if it has not shipped …, otherwise …": the request's operation depends on the order's status.
CONDITION = re.compile(r"\b(if|unless|otherwise|else|in case)\b|如果|要是|假如|否则|不然|的话", re.IGNORECASE)
# Operations that are one wish in two statuses: the order's status picks the one that applies.
SAME_WISH: tuple[frozenset[str], ...] = (frozenset({"exchange_items", "modify_items"}),)
CONDITIONAL_WISH = frozenset({"cancel_order", "return_items"})
# Read-only operations that open a request of their own ("where is #W1, and cancel #W2").
READS = frozenset({"order_status"})


@dataclass(frozen=True)
class PlannedRequest:
    """One request of the message: the operation first tried, and the others its order's status may call for."""

    operation: Operation
    request: Request
    alternatives: tuple[Operation, ...] = ()

    @property
    def name(self) -> str:
        return self.operation.name

    @classmethod
    def whole(cls, action: str, text: str) -> PlannedRequest:
        """The operation `action` (the router's choice) over the whole message."""
        operation = BY_NAME[action]
        return cls(operation, whole_message_request(operation, text), alternatives=_same_wish(operation))


@dataclass(frozen=True)
class _Anchor:
    start: int
    operation: Operation


def plan_requests(text: str, operations: Sequence[Operation] = OPERATIONS) -> list[PlannedRequest]:
    """The message's requests in order; empty when its words name no write (the router decides then)."""
    anchors = _anchors(text, operations)
    if not any(anchor.operation.tool for anchor in anchors):
        return []
    pieces = _pieces(text, anchors)
    if _conditional(text, pieces):
        first, second = pieces
        order_ids = _ids(first[1]) or _ids(second[1]) or tuple(slots.order_ids(text))
        request = Request(text=text, segment=text, order_ids=order_ids)
        return [PlannedRequest(first[0], request, alternatives=(second[0],))]
    planned: list[PlannedRequest] = []
    carried: tuple[str, ...] = ()
    for operation, segment in pieces:
        # "…exchange the boots there": a part naming no order is about the last one named before it.
        own = _ids(segment)
        carried = own or carried
        request = Request(text=text, segment=segment, order_ids=carried or None)
        planned.append(PlannedRequest(operation, request, alternatives=_same_wish(operation)))
    return planned


def _anchors(text: str, operations: Sequence[Operation]) -> list[_Anchor]:
    """Where each write's (and each status question's) words occur, outside another operation's words."""
    found: list[_Anchor] = []
    for operation in operations:
        if operation.rule is None or not (operation.tool or operation.name in READS):
            continue
        found.extend(_Anchor(match.start(), operation) for match in operation.rule.finditer(text))
    found.sort(key=lambda anchor: anchor.start)
    if any(anchor.operation.tool for anchor in found):
        # "if it has not shipped, cancel it": a status word inside a condition is not a request of its own.
        found = [anchor for anchor in found if anchor.operation.tool or not _in_condition(text, anchor.start)]
    return found


def _pieces(text: str, anchors: list[_Anchor]) -> list[tuple[Operation, str]]:
    """(operation, its part of the text): consecutive words of one operation are one request."""
    merged: list[_Anchor] = []
    for anchor in anchors:
        if merged and merged[-1].operation.name == anchor.operation.name:
            continue
        merged.append(anchor)
    pieces: list[tuple[Operation, str]] = []
    for index, anchor in enumerate(merged):
        # The first request also owns what comes before its word ("For #W1, please cancel it").
        start = 0 if index == 0 else anchor.start
        end = merged[index + 1].start if index + 1 < len(merged) else len(text)
        pieces.append((anchor.operation, text[start:end]))
    return pieces


def _conditional(text: str, pieces: list[tuple[Operation, str]]) -> bool:
    """Cancel-or-return in one conditional sentence: one request, decided by the order's status."""
    names = [operation.name for operation, _ in pieces]
    return len(pieces) == 2 and set(names) == CONDITIONAL_WISH and CONDITION.search(text) is not None


def _in_condition(text: str, position: int) -> bool:
    clause_start = max(text.rfind(mark, 0, position) for mark in (",", ".", ";", "，", "。", "；", "!", "?"))
    return CONDITION.search(text[clause_start + 1 : position + 1]) is not None


def _ids(segment: str) -> tuple[str, ...]:
    return tuple(slots.order_ids(segment))


def _same_wish(operation: Operation) -> tuple[Operation, ...]:
    for family in SAME_WISH:
        if operation.name in family:
            return tuple(BY_NAME[name] for name in sorted(family - {operation.name}) if name in BY_NAME)
    return ()
