"""The real classifier (USE embeddings + scikit-learn), trained on small real slices."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import BadInputError
from assistant.understanding import OUT_OF_SCOPE, MessageUnderstanding
from tests.understanding.small_model import SmallModel


def test_held_out_bitext_accuracy_above_floor(trained: SmallModel) -> None:
    texts = [text for text, _ in trained.held_out]
    predictions = trained.model.intent.predict(trained.embedder.embed(texts))
    accuracy = np.mean([p.intent == intent for p, (_, intent) in zip(predictions, trained.held_out, strict=True)])
    # 30 examples per intent; the full-data figure is in bench/understanding_bench.py.
    assert accuracy >= 0.8, accuracy


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I want to cancel my order", "cancel_order"),
        ("where can I check the status of my order?", "track_order"),
        ("I forgot my password and cannot log in", "recover_password"),
        ("how do I get my money back", "get_refund"),
        ("let me talk to a person", "contact_human_agent"),
        ("I'd like to speak with a human agent", "contact_human_agent"),
        ("I want to make a complaint about your service", "complaint"),
        ("我想和人工客服说话", "contact_human_agent"),
        ("我要取消订单", "cancel_order"),
    ],
)
# Very short Chinese requests (我要转人工) get low intent confidence from English-trained heads and are
# left to the keyword rule (tests/escalation/test_explicit_requests.py), so they are not listed here.
def test_known_messages_route_to_their_intent(understanding: MessageUnderstanding, text: str, intent: str) -> None:
    result = understanding.analyse(text)
    assert result.intent == intent, result


@pytest.mark.parametrize(
    "text", ["what is the weather in Paris tomorrow", "tell me a joke about penguins", "how tall is mount everest"]
)
def test_unrelated_messages_are_out_of_scope(understanding: MessageUnderstanding, text: str) -> None:
    result = understanding.analyse(text)
    assert result.out_of_scope and result.intent == OUT_OF_SCOPE, result


def test_sentiment_and_emotions_in_both_languages(understanding: MessageUnderstanding) -> None:
    angry_en = understanding.analyse("This is the worst service ever, I'm furious. Where is my refund?!")
    angry_zh = understanding.analyse("气死我了，垃圾客服，退款到现在还没到！")
    happy_en = understanding.analyse("Thank you so much, that was really helpful, great service!")
    happy_zh = understanding.analyse("太感谢了，非常满意，服务很好！")
    worried = understanding.analyse("I'm really worried, my order hasn't arrived and I need it urgently")
    assert (angry_en.sentiment, angry_zh.sentiment) == ("negative", "negative")
    assert "anger" in angry_en.emotions and "anger" in angry_zh.emotions
    assert (happy_en.sentiment, happy_zh.sentiment) == ("positive", "positive")
    assert happy_en.sentiment_score > 0 > angry_en.sentiment_score
    assert worried.emotions == {"anxiety"}
    assert (angry_zh.language, happy_en.language) == ("zh", "en")


def test_empty_message_is_refused(understanding: MessageUnderstanding) -> None:
    with pytest.raises(BadInputError):
        understanding.analyse("   ")
