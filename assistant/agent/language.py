"""The reply language of a turn: Chinese or English.

Detection itself is the understanding module's script-count rule
(assistant/understanding/language.py); the shop answers in two languages, so a
message in any other script is answered in English.
"""

from __future__ import annotations

from typing import Literal

from assistant.understanding.language import detect_language


def reply_language(text: str) -> Literal["en", "zh"]:
    return "zh" if detect_language(text) == "zh" else "en"
