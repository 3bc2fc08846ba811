"""The reply guard: tool names and quoted agent instructions are refused, streamed text is held back only as needed."""

from __future__ import annotations

import re

import pytest

from assistant.agent.reply_guard import ReplyGuard, toolbox_tool_names
from assistant.settings import PromptSettings
from assistant.tools.texts import PromptTexts
from tests.conftest import REPO

GUARD = ReplyGuard.of(PromptTexts.of(PromptSettings(directory=REPO / "prompts", version="v1")), allowed=["yusuf_rossi_9620"])


def pieces(text: str) -> list[str]:
    """`text` cut the way a model streams it: words with their leading space, identifiers in sub-word pieces."""
    return [piece for piece in re.findall(r"\s*[A-Za-z]+|\s*[^A-Za-z\s]|\s+", text) if piece]


def run(text: str) -> tuple[list[str], str | None]:
    stream = GUARD.stream()
    released = []
    for piece in pieces(text):
        released.append(stream.feed(piece))
        if stream.refusal:
            break
    released.append(stream.finish())
    return released, stream.refusal.reason if stream.refusal else None


@pytest.mark.parametrize(
    ("reply", "reason", "never_said"),
    [
        ("Sure! I can cancel it for you: I will call cancel_pending_order with your order id.", "tool_name", "cancel_"),
        ("您好，退货请调用manage_ecard工具查询电子卡。", "identifier", "manage"),
        ("To do that, the user needs to confirm the order id first.", "internal_phrase", "the user"),
        ("请先提示用户确认订单信息。", "internal_phrase", "提示用户"),
        ("我会调用退款工具为您处理。", "internal_phrase", "调用"),
        ("As a retail agent, I can help users.", "internal_phrase", "retail agent"),
    ],
)
def test_refused_replies_are_stopped_before_the_refused_text_is_said(reply: str, reason: str, never_said: str) -> None:
    released, refused = run(reply)
    assert refused == reason
    said = "".join(released)
    assert never_said not in said, said
    assert reply.startswith(said)


@pytest.mark.parametrize(
    "reply",
    [
        "You do not have that information and offer a human agent.",
        "Sorry, I don't have information about gift wrapping.",
        "抱歉，资料中没有相关信息。",
        "当前有关赠品的信息缺失，暂时无法回复该问题。",
    ],
)
def test_a_reply_saying_it_has_no_answer_is_replaced_by_the_fixed_one(reply: str) -> None:
    released, refused = run(reply)
    assert refused == "no_answer"


def test_every_tool_of_the_toolbox_is_refused_by_name() -> None:
    names = toolbox_tool_names()
    assert {"cancel_pending_order", "get_order_details", "transfer_to_human_agents"} <= names
    for name in names:
        assert GUARD.check(f"I used {name}." if "_" in name else f"I used the {name} tool.") is not None, name
    assert GUARD.check("We calculate the refund from the price you paid.") is None  # a one-word tool name in prose


@pytest.mark.parametrize(
    "reply",
    [
        "You can return delivered items; the refund goes to the way you paid, or to a gift card you already have.",
        "Your order #W2378156 was delivered. Write to yusuf.rossi_22@example.com if the link does not arrive.",
        "Your customer id is yusuf_rossi_9620, and the users of gift cards get refunds at once.",
        "订单送达后，您可以申请退货。退款会退回原付款方式，礼品卡的立即到账。",
        "Our agents reply within a day; another agent can help you too.",
        # A partial answer that says what it does not know stands: only an answer opening with "no answer" is one.
        "You can pay with a gift card. I don't have information about buying gift cards.",
    ],
)
def test_customer_facing_replies_pass_whole(reply: str) -> None:
    released, refused = run(reply)
    assert refused is None
    assert "".join(released) == reply


def test_only_the_unfinished_word_or_the_start_of_a_phrase_is_held_back() -> None:
    stream = GUARD.stream()
    assert stream.feed("You can") == "You "  # "can" may still grow into an identifier
    assert stream.feed(" pay") == "can "
    assert stream.feed(" with a gift card.") == "pay with a gift card."
    assert stream.feed(" Ask the") == " Ask "  # "the" may begin "the user" / "the agent"
    assert stream.feed(" shop") == "the "
    assert stream.feed("!") == "shop!"
    assert stream.feed("我可以调用") == "我可以"  # "调用" may begin "调用…工具"
    assert stream.feed("您的订单信息。") == "调用您的订单信息。"  # the sentence ended without a tool: released
    assert stream.finish() == "" and stream.refusal is None
    assert "".join(stream.said) == stream.text
