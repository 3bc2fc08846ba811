"""Is the customer's message an explicit yes (or no) to the proposed action?

Decided by rule, not by the model: a write runs only on an unmistakable
confirmation. A yes followed by a change of mind ("yes, but the other order")
is not a yes.
"""

from __future__ import annotations

import re

_YES = re.compile(
    r"^\s*(yes|yeah|yep|yup|y|sure|ok|okay|confirm(ed)?|correct|go ahead|please do|do it|proceed|that'?s right)"
    r"([\s,]*(please|go ahead|proceed|confirm(ed)?|do it|thanks?|thank you|that'?s (right|correct)))*\s*[.!。！]*\s*$"
    r"|^\s*(是|是的|对|对的|好|好的|可以|确认|确定|没问题|同意|行)[的吧啊呀。！!.，, ]*(确认|可以|好的|谢谢)?[。！!.]*\s*$",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(no|nope|nah|don'?t|do not|stop|never ?mind|not now|cancel that)\b|^\s*(不|不要|不用|别|算了|取消吧|先不)",
    re.IGNORECASE,
)


def is_confirmation(text: str) -> bool:
    return bool(_YES.match(text))


def is_refusal(text: str) -> bool:
    return bool(_NO.match(text))
