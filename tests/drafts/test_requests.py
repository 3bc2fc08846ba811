"""Requests: which bodies are refused and why; which customer wishes a text expresses (no service needed)."""

from __future__ import annotations

import pytest

from assistant.drafts.actions import wishes
from assistant.drafts.models import DraftRequest
from assistant.drafts.subject import ticket_subject
from assistant.errors import BadInputError
from tests.drafts.conftest import CUSTOMER
from tests.shops import operations


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "either conversation_id or ticket_text"),
        ({"conversation_id": "abc", "ticket_text": "hi"}, "either conversation_id or ticket_text"),
        ({"ticket_text": "   "}, "ticket_text is empty"),
        ({"ticket_text": "hi", "tones": ["rude"]}, "tones.0"),
        ({"ticket_text": "hi", "tones": []}, "tones"),
        ({"conversation_id": "abc", "customer_id": CUSTOMER}, "customer_id is for tickets only"),
        ({"ticket_text": "hi", "colour": "red"}, "colour"),
        (["ticket_text"], "valid dictionary"),
    ],
)
def test_bad_draft_requests_are_refused_with_the_reason(body: object, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        DraftRequest.parse(body)


def test_tones_default_to_concise_and_repeats_are_dropped() -> None:
    assert DraftRequest.parse({"ticket_text": "hi"}).tones == ["concise"]
    assert DraftRequest.parse({"ticket_text": "hi", "tones": ["formal", "formal", "concise"]}).tones == ["formal", "concise"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please cancel order #W4776164, I ordered it by mistake.", ["cancel_order"]),
        ("I want to return the headphones from #W2378156", ["return_items"]),
        ("How do returns work?", []),  # a policy question asks for no action
        ("我想取消订单 #W4776164", ["cancel_order"]),
        ("Thanks, that is all.", []),
    ],
)
def test_wishes_come_from_the_customers_words(text: str, expected: list[str]) -> None:
    assert wishes(ticket_subject(text, CUSTOMER), operations("retail")) == expected
