"""The keyword rules' structure: categories made of parts, phrases that mean something else, hit counts."""

from __future__ import annotations

import pytest

from assistant.understanding.signals import load_signal_rules, parse_signal_rules


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("I need to speak to a human agent", "human_ask"),
        ("transfer me to the security team please", "human_ask"),
        ("我要转人工", "human_ask"),
        ("If the agent offers to transfer you to a human agent, decline politely.", "human_mention"),
        ("I'm reporting you to consumer protection", "legal_threat"),
        ("the charger caught fire", "safety_incident"),
        ("There are orders on my account I never placed", "fraud_report"),
        ("My card has a security hold on it", "security_lock"),
    ],
)
def test_a_part_fires_and_so_does_its_category(text: str, part: str) -> None:
    rules = load_signal_rules()
    category = {"human_ask": "human_request", "human_mention": "human_request"}.get(part, "legal_safety_fraud")
    assert {part, category} <= rules.matches(text)


def test_a_mention_is_not_an_ask() -> None:
    rules = load_signal_rules()
    conditional = "If the agent does not offer, then get angry and request to speak to a real human."
    assert rules.fires("human_request", conditional) and not rules.fires("human_ask", conditional)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("安装的人工费怎么算？", "human_request"),
        ("这个是人工智能扫地机器人吗", "human_request"),
        ("不是投诉哈，就想问下什么时候能发货", "complaint"),
        ("上次投诉的问题已经解决了，谢谢", "complaint"),
        ("Not a complaint, just wondering if you open on Sunday", "complaint"),
        ("I've been burned by overdraft fees before", "safety_incident"),
        ("插座的漏电保护怎么测试", "safety_incident"),
        ("I filed a police report for the stolen card", "legal_threat"),
        ("我家旧的热水器太垃圾了，想换个新的", "anger"),
    ],
)
def test_words_in_another_sense_do_not_fire(text: str, category: str) -> None:
    assert not load_signal_rules().fires(category, text)


def test_a_police_report_is_a_fraud_report_and_a_threat_of_police_is_legal() -> None:
    rules = load_signal_rules()
    assert rules.fires("fraud_report", "I filed a police report for the stolen card")
    assert rules.fires("legal_threat", "I will call the police on you")


def test_hits_count_places_not_patterns() -> None:
    rules = load_signal_rules()
    # "speak to a real human" is matched by two mention patterns: one place.
    assert rules.hits("human_request", "please let me speak to a real human") == 1
    assert rules.hits("human_request", "转人工。转人工！") == 2
    assert rules.hits("legal_safety_fraud", "律师会联系你们，充电宝还起火了") == 2
    assert rules.hits("complaint", "where is my order?") == 0


def test_bad_rule_tables_are_refused_with_the_category_named() -> None:
    with pytest.raises(ValueError, match=r"\[mixed\] names parts that are not pattern categories: \['nowhere'\]"):
        parse_signal_rules({"mixed": {"parts": ["nowhere"]}})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"\[broken\] has a bad pattern"):
        parse_signal_rules({"broken": {"en": ["(unclosed"]}})
