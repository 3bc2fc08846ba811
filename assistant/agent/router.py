"""Which path a message takes: unambiguous keyword rules first, the model for everything else.

A message that names exactly one standard operation in so many words
("cancel", "退货", "where is my order") needs no model call to classify; that
saves a call per turn and removes a source of error. Anything ambiguous or
unmatched goes to the model's constrained decision. The operations' words, the
schema's values and the prompt's list of actions all come from the registry
(operations/registry.py); only the words asking for a person are the router's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.agent import slots
from assistant.agent.decisions import Route
from assistant.agent.operations.base import Operation
from assistant.agent.operations.registry import OPERATIONS, needing_order, route_choices
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.turn_llm import TurnLLM

HUMAN_AGENT = re.compile(r"\b(human|real person|live agent|representative|manager)\b|人工|真人|转接", re.I)
# A question form: policy and product questions use the operations' words too ("how do returns work?").
QUESTION = re.compile(
    r"^\s*(how|what|can|could|do|does|is|are|when|why|which|will|would|should)\b|\?\s*$"
    r"|[吗呢][？?]?\s*$|？\s*$|怎么|如何|多久|多少|什么|哪些|是否|政策",
    re.I,
)


def rules(operations: Sequence[Operation] = OPERATIONS) -> list[tuple[str, re.Pattern[str]]]:
    """(route, pattern): a person first, then every operation that has keyword rules."""
    return [("human_agent", HUMAN_AGENT), *((op.name, op.rule) for op in operations if op.rule is not None)]


RULES = rules(OPERATIONS)
OPERATIONS_NEEDING_ORDER = needing_order(OPERATIONS)


def rule_route(text: str, operations: Sequence[Operation] = OPERATIONS) -> str | None:
    """The one path the text names unambiguously, or None (then the model decides).

    A question that names no order goes to the knowledge base, whatever operation words it uses:
    the knowledge base answers or says it cannot, and the customer can still ask to act.
    """
    table, needing = (RULES, OPERATIONS_NEEDING_ORDER)
    if operations is not OPERATIONS:
        table, needing = rules(operations), needing_order(operations)
    matched = [action for action, pattern in table if pattern.search(text)]
    if "human_agent" in matched:
        return "human_agent"
    if set(matched) <= needing and QUESTION.search(text) and not slots.order_ids(text):
        return "question"
    return matched[0] if len(matched) == 1 else None


def route_messages(
    prompts: PromptLibrary,
    *,
    text: str,
    history: list[dict[str, str]],
    summary: str | None,
    operations: Sequence[Operation] = OPERATIONS,
) -> list[dict[str, str]]:
    """The route prompt, its list of actions rendered from the registry."""
    return prompts.messages("route", message=text, history=history, summary=summary, routes=route_choices(operations))


async def route(
    text: str, *, history: list[dict[str, str]], summary: str | None, prompts: PromptLibrary, llm: TurnLLM
) -> tuple[str, str]:
    """(action, how it was decided: `rule`, `model` or `fallback`)."""
    by_rule = rule_route(text)
    if by_rule is not None:
        return by_rule, "rule"
    messages = route_messages(prompts, text=text, history=history, summary=summary)
    decision = await llm.decide("route", messages, Route)
    if decision is None:
        # Two invalid outputs: answer from the knowledge base, which can only say what it holds.
        return "question", "fallback"
    return decision.action, "model"
