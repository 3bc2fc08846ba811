"""The sentences of a passage that bear on the question, within a token budget, in Chinese and English."""

from __future__ import annotations

from assistant.components.tokens import count_tokens
from assistant.retrieval.sentences import relevant_sentences, sentences_of

ENGLISH = (
    "You can cancel an order while it is still pending. Please give the order number and the reason. "
    "Once cancelled, the full amount is refunded to the way you paid: immediately if you paid with a gift card, "
    "otherwise within 5 to 7 business days.\nAn order that has already been delivered cannot be cancelled."
)
CHINESE = (
    "订单在待处理状态时可以取消。请提供订单号和取消原因。"
    "取消后，全部金额会退回您的原付款方式：礼品卡付款的立即到账。已送达的订单可以申请退货！"
)


def test_sentences_split_at_english_and_chinese_ends() -> None:
    assert sentences_of(ENGLISH)[:2] == [
        "You can cancel an order while it is still pending.",
        "Please give the order number and the reason.",
    ]
    assert sentences_of("订单可以取消。请提供订单号！好的") == ["订单可以取消。", "请提供订单号！", "好的"]
    assert sentences_of("The F6.5 model holds 5.5 litres.") == ["The F6.5 model holds 5.5 litres."]


def test_the_sentences_that_share_words_with_the_question_come_best_first() -> None:
    kept = relevant_sentences(ENGLISH, "How fast is a refund to a gift card?", budget_tokens=40)
    assert "gift card" in kept and "order number" not in kept
    both = relevant_sentences(ENGLISH, "Can a delivered order be cancelled, and when is it refunded?", budget_tokens=200)
    # The sentence sharing most words with the question first (a small model leans on what it reads first).
    assert both.index("delivered cannot be cancelled") < both.index("refunded")


def test_chinese_questions_pick_chinese_sentences() -> None:
    kept = relevant_sentences(CHINESE, "礼品卡退款多久到账？", budget_tokens=40)
    assert "礼品卡付款的立即到账" in kept and "申请退货" not in kept
    assert relevant_sentences(CHINESE, "已送达的订单能退货吗", budget_tokens=30).startswith("已送达的订单可以申请退货！")


def test_the_budget_holds_and_a_passage_without_shared_words_keeps_its_start() -> None:
    for budget in (12, 30, 60):
        assert count_tokens(relevant_sentences(ENGLISH, "cancel refund gift card order delivered", budget)) <= budget
    assert relevant_sentences(ENGLISH, "Zorblax?", budget_tokens=15).startswith("You can cancel an order")
