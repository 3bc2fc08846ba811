"""Detecting replies that promise a human transfer (zh and en), refusals excluded."""

from __future__ import annotations

import pytest

from assistant.escalation import reply_offers_transfer, reply_promises_transfer

PROMISES = [
    "I'll transfer you to a human agent right away.",
    "Let me connect you with one of our representatives.",
    "I am escalating your case to our support team.",
    "A human agent will contact you shortly.",
    "Someone from our team will get back to you within 24 hours.",
    "I'm handing this over to a specialist.",
    "好的，我这就为您转接人工客服。",
    "正在为您转人工，请稍候。",
    "人工客服稍后会联系您。",
    "已帮您转给专员处理。",
]
NOT_PROMISES = [
    "Your refund of $25 was issued to your card.",
    "I can't transfer you to a human agent, but I can help with your order.",
    "I am unable to connect you with an agent at this time.",
    "You can transfer money to your account in the app.",
    "您的订单已发货，预计明天送达。",
    "抱歉，目前无法为您转人工。",
    "转账需要1到3个工作日。",
]


@pytest.mark.parametrize("reply", PROMISES)
def test_promise_is_detected(reply: str) -> None:
    assert reply_promises_transfer(reply)


@pytest.mark.parametrize("reply", NOT_PROMISES)
def test_no_promise(reply: str) -> None:
    assert not reply_promises_transfer(reply)


OFFERS = [
    "Would you like me to connect you with a human agent?",
    "If you would like to talk to a person, I can connect you.",
    "如果您需要转接人工客服，请告诉我。",
    "需要为您转接人工客服吗？",
]


@pytest.mark.parametrize("reply", OFFERS)
def test_an_offer_is_no_promise_but_an_offer(reply: str) -> None:
    """Served: a Chinese policy answer ending "如果您需要转接人工客服，请告诉我" handed the customer over unasked."""
    assert not reply_promises_transfer(reply)
    assert reply_offers_transfer(reply)


@pytest.mark.parametrize("reply", PROMISES)
def test_a_promise_is_no_offer(reply: str) -> None:
    assert not reply_offers_transfer(reply)
