"""Which listed writes an answer confirms: all, some, none, or it is no answer to them."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.agent.selection import chosen
from assistant.conversations.records import PendingConfirmation
from assistant.tools.base import ProposedAction
from tests.shops import operations


def pending(tool: str, order_id: str) -> PendingConfirmation:
    action = ProposedAction(
        tool=tool, arguments={"order_id": order_id}, description=f"{tool} {order_id}", idempotency_key=tool,
        conversation_id="c", customer_id="u", status="awaiting_confirmation",
    )  # fmt: skip
    arguments = {"order_id": order_id}
    return PendingConfirmation(id=tool, name=tool, arguments=arguments, description=action.description, action=action)


WAITING = [pending("cancel_pending_order", "#W4776164"), pending("return_delivered_order_items", "#W2378156")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", [0, 1]),
        ("好的", [0, 1]),
        ("only 1", [0]),
        ("just the second one", [1]),
        ("yes, only the return", [1]),
        ("do the return but not the cancellation", [1]),
        ("cancel it, but don't do the return", [0]),
        ("1 and 2 please", [0, 1]),
        ("only #W4776164", [0]),
        ("只要第1项", [0]),
        ("不要退货", [0]),
    ],
)
def test_answers_choose_among_the_listed_writes(text: str, expected: Any) -> None:
    result = chosen(text, WAITING, operations("retail"))
    assert (result if result is not None else []) == expected


@pytest.mark.parametrize(
    "text",
    [
        "yes, but the other order", "What is your return policy?", "size 8 please", "hello", "no",
        "Can I do a return instead?", "yes, exchange it for the black one instead", "please return the boots too",
    ],
)  # fmt: skip
def test_anything_else_is_no_answer(text: str) -> None:
    assert chosen(text, WAITING, operations("retail")) is None


def test_nothing_waiting_is_no_answer() -> None:
    assert chosen("yes", [], operations("retail")) is None
