"""identify: the customer only gives their name, zip code or email; the runner's identity step has checked them."""

from __future__ import annotations

from assistant.agent.operations import identity
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome


async def identified(turn: OperationTurn, _user_id: str) -> Outcome:
    return Outcome(route="identify", reply=turn.say("identify.reply"))


# A message that is nothing but the customer's phone number or user id ("我的手机号是15540534614"): found by using it
# as a customer, the model routed it to the knowledge base, found nothing and handed over. Anchored to the whole
# message, so a request beside the details ("…，帮我查订单") is routed by what it asks; "手机号是多少" is a question.
_ONLY_DETAILS_ZH = (
    r"^\s*(?:(?:你好|您好)[，,！!\s]*)?(?:我的)?(?:手机号码?|电话号码?|手机|用户名|用户\s*ID|账号)\s*(?:是|为|:|：)?\s*"
    r"(?!多少|什么|啥)[^\s，,。？?]+\s*[。.！!]?\s*$"
)
_ONLY_DETAILS_EN = (
    r"^\s*(?:(?:hi|hello)[,!\s]*)?(?:my\s+)?(?:phone(?:\s+number)?|user\s*(?:id|name)|e-?mail)\s*(?:is|:)?\s*"
    r"(?!what\b)[^\s,?]+\s*[.!]?\s*$"
)

OPERATION = Operation(
    name="identify",
    description="the customer only gives their name, zip code or email",
    handler=identified,
    words_en=_ONLY_DETAILS_EN,
    words_zh=_ONLY_DETAILS_ZH,
    phrases=("identify.reply", *identity.PHRASES),
)
