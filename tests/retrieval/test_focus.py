"""What a long message asks: its sentences without greetings, personal data and role-play directions."""

from __future__ import annotations

from assistant.retrieval.focus import focus, sentences

LONG = (
    "Hi there! My name is Dana Lee and my email is dana.lee@example.com. My phone number is 206-555-0293.\n"
    "I bought a blender three weeks ago and it stopped working yesterday. Can I still return it for a refund? "
    "Also, do you charge for return shipping? Thanks so much"
)


def test_a_short_question_is_searched_as_written() -> None:
    assert focus("Hi! Can you gift wrap my order?", min_words=40).queries == ["Hi! Can you gift wrap my order?"]


def test_a_long_message_keeps_only_the_sentences_that_ask_something() -> None:
    found = focus(LONG, min_words=20)
    assert found.queries == [
        "I bought a blender three weeks ago and it stopped working yesterday.",
        "Can I still return it for a refund?",
        "Also, do you charge for return shipping?",
    ]
    assert found.text == " ".join(found.queries)
    assert "dana" not in found.text.lower() and "206" not in found.text


def test_role_play_directions_and_list_markers_go() -> None:
    scenario = (
        "You are playing the role of a customer contacting a customer service representative agent. "
        "Your character is Kenji Tanaka.\n\n- Start by saying you want to change the email on your account.\n"
        "- Never respond as a customer service representative/assistant.\n"
        "You are now on the line with a customer support agent."
    )
    assert focus(scenario, min_words=10).queries == ["Start by saying you want to change the email on your account."]


def test_chinese_sentences_split_and_personal_data_goes() -> None:
    message = "您好。我的手机号是13800138000。我上周买的热水器一直显示E02，怎么处理？另外能开发票吗？谢谢"
    assert focus(message, min_words=3).queries == ["我上周买的热水器一直显示E02，怎么处理？", "另外能开发票吗？"]
    assert sentences("第一句。第二句！") == ["第一句。", "第二句！"]


def test_a_message_with_nothing_recognisably_asked_is_searched_whole() -> None:
    message = "Hello. Thanks so much. My email is a@b.co and my phone number is 206-555-0293 for reference."
    assert focus(message, min_words=5).queries == [message]
