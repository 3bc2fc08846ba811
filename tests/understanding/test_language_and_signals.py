"""Language detection and the keyword rules, on messages in both languages."""

from __future__ import annotations

import pytest

from assistant.understanding.language import detect_language
from assistant.understanding.signals import load_signal_rules


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我的订单什么时候发货？", "zh"),
        ("订单号 W1234567 还没到", "zh"),
        ("Where is my order #W1234567?", "en"),
        ("refund", "en"),
        ("¿Dónde está mi pedido? Llegó dañado", "other"),
        ("Где мой заказ?", "other"),
        ("注文はいつ届きますか", "other"),
        ("12345", "other"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


HUMAN_REQUESTS = [
    "我要转人工",
    "人工客服",
    "帮我转接人工服务",
    "我不想跟机器人说话",
    "叫你们经理来",
    "let me talk to a person",
    "I want to speak to a real human",
    "Can I chat with a live agent?",
    "transfer me to a representative please",
    "human please",
    "I need a human agent",
    "stop, you're a bot. get me a manager",
]
NOT_HUMAN_REQUESTS = [
    "我的订单在哪里",
    "人工智能是什么意思",  # the word 人工 alone is not a request
    "where is my order?",
    "I want to change my shipping address",
    "how do I speak Spanish",
    "Is this product made by a human or a machine?",
]


@pytest.mark.parametrize("text", HUMAN_REQUESTS)
def test_explicit_request_for_a_human_is_caught_by_rule(text: str) -> None:
    assert load_signal_rules().fires("human_request", text)


@pytest.mark.parametrize("text", NOT_HUMAN_REQUESTS)
def test_ordinary_messages_are_not_requests_for_a_human(text: str) -> None:
    assert not load_signal_rules().fires("human_request", text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("This is ridiculous, I'm furious!!!", "anger"),
        ("气死我了，什么破客服", "anger"),
        ("I'm really worried, I need it by tomorrow", "anxiety"),
        ("很着急，明天就要用", "anxiety"),
        ("I will contact my lawyer", "legal_safety_fraud"),
        ("There is an unauthorized charge on my card", "legal_safety_fraud"),
        ("充电器起火了，差点烧伤孩子", "legal_safety_fraud"),
        ("我要去12315投诉你们", "legal_safety_fraud"),
        ("I want to file a complaint", "complaint"),
        ("我要投诉", "complaint"),
    ],
)
def test_topic_and_emotion_rules(text: str, category: str) -> None:
    assert category in load_signal_rules().matches(text)


def test_calm_question_fires_no_rule() -> None:
    assert load_signal_rules().matches("Could you tell me when my parcel will arrive?") == set()
    assert load_signal_rules().matches("请问我的包裹什么时候到？") == set()


@pytest.mark.parametrize(
    ("text", "small_talk"),
    [
        ("hello", True),
        ("thanks, that's all", True),
        ("好的，谢谢", True),
        ("在吗", True),
        ("hello, where is my order 12345? it is late", False),
        ("谢谢，但是我的订单还没到，什么时候能到", False),
    ],
)
def test_small_talk(text: str, small_talk: bool) -> None:
    assert load_signal_rules().fires("small_talk", text) is small_talk
