"""What the assistant understood of one customer message (stored on the message)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Language = Literal["zh", "en", "other"]
SentimentLabel = Literal["negative", "neutral", "positive"]
Emotion = Literal["anger", "anxiety"]
Signal = Literal["human_request", "legal_safety_fraud", "complaint", "small_talk"]

OUT_OF_SCOPE = "out_of_scope"


class Understanding(BaseModel):
    """Language, intent and sentiment of one message, plus the rule signals found in it."""

    language: Language
    intent: str = Field(description="An intent of the shop's set, or `out_of_scope`.")
    intent_confidence: float = Field(ge=0, le=1, description="Classifier probability of the best in-scope intent.")
    out_of_scope: bool
    sentiment: SentimentLabel
    sentiment_score: float = Field(ge=-1, le=1, description="P(positive) - P(negative), after the emotion rules.")
    emotions: set[Emotion] = Field(default_factory=set)
    signals: set[Signal] = Field(
        default_factory=set, description="Keyword rules that fired (a human asked for, a legal/safety/fraud topic, ...)."
    )
    model_version: str = Field("", description="Which trained model produced this (its file's training timestamp).")
