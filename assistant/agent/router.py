"""Which path a message takes: unambiguous keyword rules first, the model for everything else.

A message that names exactly one standard operation in so many words
("cancel", "退货", "where is my order") needs no model call to classify; that
saves a call per turn and removes a source of error. Anything ambiguous or
unmatched goes to the model's constrained decision.
"""

from __future__ import annotations

import re

from assistant.agent import slots
from assistant.agent.decisions import Route
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.turn_llm import TurnLLM

RULES: list[tuple[str, re.Pattern[str]]] = [
    ("human_agent", re.compile(r"\b(human|real person|live agent|representative|manager)\b|人工|真人|转接", re.I)),
    ("cancel_order", re.compile(r"\bcancel(l?ing|l?ed)?\b|取消", re.I)),
    ("return_items", re.compile(r"\b(return|refund)\b|退货|退款", re.I)),
    ("exchange_items", re.compile(r"\bexchange\b|换货|换成|换一", re.I)),
    ("modify_address", re.compile(r"\b(shipping|delivery) address\b|收货地址", re.I)),
    ("update_default_address", re.compile(r"\bdefault address\b|默认地址", re.I)),
    ("modify_payment", re.compile(r"\b(payment method|pay with|pay by)\b|支付方式", re.I)),
    ("order_status", re.compile(r"\b(where is|track(ing)?|status of|shipped|deliver(y|ed)?)\b|物流|到哪|发货|快递", re.I)),
    ("account_info", re.compile(r"\bmy (profile|account|orders|payment methods)\b|我的(账户|账号|订单|资料)", re.I)),
]
# A question form: policy and product questions use the operations' words too ("how do returns work?").
QUESTION = re.compile(
    r"^\s*(how|what|can|could|do|does|is|are|when|why|which|will|would|should)\b|\?\s*$"
    r"|[吗呢][？?]?\s*$|？\s*$|怎么|如何|多久|多少|什么|哪些|是否|政策",
    re.I,
)
OPERATIONS_NEEDING_ORDER = {"cancel_order", "return_items", "exchange_items", "modify_address", "modify_payment", "order_status"}


def rule_route(text: str) -> str | None:
    """The one path the text names unambiguously, or None (then the model decides).

    A question that names no order goes to the knowledge base, whatever operation words it uses:
    the knowledge base answers or says it cannot, and the customer can still ask to act.
    """
    matched = [action for action, pattern in RULES if pattern.search(text)]
    if "human_agent" in matched:
        return "human_agent"
    if set(matched) <= OPERATIONS_NEEDING_ORDER and QUESTION.search(text) and not slots.order_ids(text):
        return "question"
    return matched[0] if len(matched) == 1 else None


async def route(
    text: str, *, history: list[dict[str, str]], summary: str | None, prompts: PromptLibrary, llm: TurnLLM
) -> tuple[str, str]:
    """(action, how it was decided: `rule`, `model` or `fallback`)."""
    by_rule = rule_route(text)
    if by_rule is not None:
        return by_rule, "rule"
    decision = await llm.decide("route", prompts.messages("route", message=text, history=history, summary=summary), Route)
    if decision is None:
        # Two invalid outputs: answer from the knowledge base, which can only say what it holds.
        return "question", "fallback"
    return decision.action, "model"
