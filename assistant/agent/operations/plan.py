"""The requests of one message, in the order the customer made them.

"Return the makeup kit from #W1713682 and also exchange the hiking boots there
for size 8" is two requests; "if it has not shipped, cancel it, otherwise
return it" is one request whose operation the order's status decides; "change
the shelf to 4 foot; if it is not available, cancel the order" is one request
with a fallback, tried only when the first cannot be proposed. Read in code,
from the operations' own keyword rules (the registry): each write an
operation's words name opens a request that runs to the next one, and the
order ids it names (or, for "there"/"it", the last ones named before it) are
its own.

Which of two operations a request is — cancel or return, modify or exchange —
is left to the order's status, which the customer may not know and the model
cannot see (`alternatives`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.agent.operations.base import Operation, Request
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.operations.registry import request as whole_message_request

# "if it has not shipped …, otherwise …": the request's operation depends on the order's status.
CONDITION = re.compile(r"\b(if|unless|otherwise|else|in case)\b|如果|要是|假如|否则|不然|的话", re.IGNORECASE)
# A sentence that opens with one of these, after a request, says what to do if that request cannot be done.
FALLBACK = re.compile(r"^\W*(if|otherwise|else|unless|in case|failing that)\b|^\W*(如果|要是|假如|否则|不然)", re.IGNORECASE)
# Operations that are one wish in two statuses: the order's status picks the one that applies.
SAME_WISH: tuple[frozenset[str], ...] = (frozenset({"exchange_items", "modify_items"}),)
CONDITIONAL_WISH = frozenset({"cancel_order", "return_items"})
# Read-only operations that open a request of their own ("where is #W1, and cancel #W2", "…顺便问下我E卡还剩多少").
READS = frozenset({"order_status", "ecard_balance"})
# "Return the lamp and refund it to my gift card": a payment named after another write is that write's.
PAYMENT = "modify_payment"
RETURN = "return_items"
_REFUND_NOUN = re.compile(r".*\b(any|or|the|a|for|of|my|your|as)\s+refunds?\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?。！？]")
# A clause ends at a mark (the next begins after it) or before a joining word (the next begins with it).
_CLAUSE = re.compile(r"([,;:.!?，；：。！？、]\s*)|\b(?:and|also|then|plus)\b|另外|还有|并且|然后|以及", re.IGNORECASE)


@dataclass(frozen=True)
class PlannedRequest:
    """One request of the message: the operation first tried, those its order's status may call for instead,
    and the requests to try, in order, if it cannot be proposed at all ("if it is not available, cancel")."""

    operation: Operation
    request: Request
    alternatives: tuple[Operation, ...] = ()
    fallbacks: tuple[PlannedRequest, ...] = ()

    @property
    def name(self) -> str:
        return self.operation.name

    @classmethod
    def whole(cls, action: str, text: str, offered: ShopOperations) -> PlannedRequest:
        """The operation `action` (the router's choice, one the shop offers) over the whole message."""
        operation = offered.by_name[action]
        request = whole_message_request(operation, text, offered.operations)
        return cls(operation, request, alternatives=_same_wish(operation, offered))


@dataclass(frozen=True)
class _Anchor:
    start: int
    operation: Operation


@dataclass(frozen=True)
class _Piece:
    operation: Operation
    segment: str
    start: int
    fallback: bool  # a sentence opening with "if"/"otherwise" after an earlier request


def plan_requests(text: str, offered: ShopOperations) -> list[PlannedRequest]:
    """The message's requests in order, among the shop's operations; empty when its words name no write (the router
    decides then). Order ids are read with the shop's id rules."""
    anchors = _anchors(text, offered)
    if not any(anchor.operation.writes for anchor in anchors):
        return []
    pieces = _pieces(text, anchors)
    if _conditional(text, pieces):
        first, second = pieces
        order_ids = _ids(first.segment, offered) or _ids(second.segment, offered) or tuple(offered.order_ids(text))
        request = Request(text=text, segment=text, order_ids=order_ids)
        return [PlannedRequest(first.operation, request, alternatives=(second.operation,))]
    planned: list[PlannedRequest] = []
    carried: tuple[str, ...] = ()
    for piece in pieces:
        # "…exchange the boots there": a part naming no order is about the last one named before it.
        carried = _ids(piece.segment, offered) or carried
        request = Request(text=text, segment=piece.segment, order_ids=carried or None)
        this = PlannedRequest(piece.operation, request, alternatives=_same_wish(piece.operation, offered))
        if piece.fallback and planned:
            planned[-1] = _with_fallback(planned[-1], this)
        else:
            planned.append(this)
    return _one_per_order(planned)


def _with_fallback(earlier: PlannedRequest, later: PlannedRequest) -> PlannedRequest:
    """`later` is what to do if `earlier` cannot be: the status alternative it names, else a fallback request."""
    if later.name == earlier.name or later.operation in earlier.alternatives:
        segment = f"{earlier.request.segment} {later.request.segment}"
        return replace(earlier, request=replace(earlier.request, segment=segment))
    if {earlier.name, later.name} == CONDITIONAL_WISH:
        return replace(earlier, alternatives=(*earlier.alternatives, later.operation))
    return replace(earlier, fallbacks=(*earlier.fallbacks, later))


def _anchors(text: str, operations: ShopOperations) -> list[_Anchor]:
    """Where each write's (and each status question's) words occur, outside another operation's words."""
    found: list[_Anchor] = []
    for operation in operations:
        if operation.rule is None or not (operation.writes or operation.name in READS):
            continue
        found.extend(_Anchor(match.start(), operation) for match in operation.rule.finditer(text))
    found.sort(key=lambda anchor: anchor.start)
    if any(anchor.operation.writes for anchor in found):
        # "if it has not shipped, cancel it": a status word inside a condition is not a request of its own.
        found = [anchor for anchor in found if anchor.operation.writes or not _in_condition(text, anchor.start)]
    kept: list[_Anchor] = []
    for anchor in found:
        if anchor.operation.name == PAYMENT and any(
            earlier.operation.writes and _same_sentence(text, earlier.start, anchor.start) for earlier in kept
        ):
            continue
        # "PayPal for any payment or refund", "the refund": a refund after another request is that one's money.
        if anchor.operation.name == RETURN and kept and _REFUND_NOUN.match(text, max(0, anchor.start - 8), anchor.start + 8):
            continue
        kept.append(anchor)
    return kept


def _pieces(text: str, anchors: list[_Anchor]) -> list[_Piece]:
    """Each request's part of the text: consecutive words of one operation are one request."""
    merged: list[_Anchor] = []
    for anchor in anchors:
        if merged and merged[-1].operation.name == anchor.operation.name:
            continue
        merged.append(anchor)
    starts = [0] + [_clause_start(text, merged[i - 1].start, anchor.start) for i, anchor in enumerate(merged) if i > 0]
    pieces: list[_Piece] = []
    for index, anchor in enumerate(merged):
        # The first request also owns what comes before its word ("For #W1, please cancel it").
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(merged) else len(text)
        fallback = index > 0 and FALLBACK.search(_sentence_before(text, anchor.start)) is not None
        pieces.append(_Piece(anchor.operation, text[start:end], anchor.start, fallback))
    return pieces


def _clause_start(text: str, previous: int, anchor: int) -> int:
    """Where the clause of the word at `anchor` begins, after the previous request's word: its own order ids and
    items come with it whether the verb leads ("and return the lamp from #W2") or ends it ("订单#W2的台灯我要退货")."""
    boundaries = [match.end() if match.group(1) else match.start() for match in _CLAUSE.finditer(text, previous + 1, anchor)]
    return boundaries[-1] if boundaries else anchor


def _one_per_order(planned: list[PlannedRequest]) -> list[PlannedRequest]:
    """Requests of one wish on the same order become one: one return, one item change per order.

    "Return the lamp … then return the boots" and "exchange the boots, and change the lamp to the black one"
    (one order) are one request for both items, as the policy allows one such write per order.
    """
    merged: list[PlannedRequest] = []
    for item in planned:
        same = next((m for m in merged if _same_request(m, item)), None)
        if same is None:
            merged.append(item)
            continue
        segment = f"{same.request.segment} {item.request.segment}"
        merged[merged.index(same)] = replace(
            same, request=replace(same.request, segment=segment), fallbacks=(*same.fallbacks, *item.fallbacks)
        )
    return merged


def _same_request(first: PlannedRequest, second: PlannedRequest) -> bool:
    if first.request.order_ids != second.request.order_ids or first.name in READS:
        return False
    family = _family(first.name)
    return first.name == second.name or (family is not None and second.name in family)


def _conditional(text: str, pieces: list[_Piece]) -> bool:
    """Cancel-or-return in one conditional sentence: one request, decided by the order's status."""
    names = {piece.operation.name for piece in pieces}
    return len(pieces) == 2 and names == CONDITIONAL_WISH and CONDITION.search(text) is not None


def _in_condition(text: str, position: int) -> bool:
    clause_start = max(text.rfind(mark, 0, position) for mark in (",", ".", ";", "，", "。", "；", "!", "?"))
    return CONDITION.search(text[clause_start + 1 : position + 1]) is not None


def _sentence_before(text: str, position: int) -> str:
    """The text from the start of the sentence holding `position` up to it."""
    starts = [match.end() for match in _SENTENCE.finditer(text, 0, position)]
    return text[(starts[-1] if starts else 0) : position]


def _same_sentence(text: str, first: int, second: int) -> bool:
    return _SENTENCE.search(text, first, second) is None


def _ids(segment: str, offered: ShopOperations) -> tuple[str, ...]:
    return tuple(offered.order_ids(segment))


def _family(name: str) -> frozenset[str] | None:
    return next((family for family in SAME_WISH if name in family), None)


def _same_wish(operation: Operation, offered: ShopOperations) -> tuple[Operation, ...]:
    """The operations of one wish the shop also offers (exchange or modify: the order's status picks)."""
    family = _family(operation.name)
    if family is None:
        return ()
    return tuple(offered.by_name[name] for name in sorted(family - {operation.name}) if name in offered)
