"""Which path a message takes: unambiguous keyword rules first, then a confident intent, the model for the rest.

A message that names exactly one standard operation in so many words
("cancel", "退货", "where is my order") needs no model call to classify; that
saves a call per turn and removes a source of error. When the rules leave it
open, the understanding model's intent routes it if it is confident enough
(`agent.route_intent_confidence`): a question for the knowledge base, an
operation (its `intent_words`) or a person. Anything ambiguous or unmatched
goes to the model's constrained decision. Everything here reads the shop's
operations (operations/offered.py, its profile's part of the registry): their
words, the schema's values, the prompt's list of actions, and the shop's order
ids; only the words asking for a person are the router's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from assistant.agent.operations.base import Operation
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.operations.registry import route_choices
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.turn_llm import TurnLLM
from assistant.settings import AgentSettings
from assistant.understanding.models import Understanding

HUMAN_AGENT = re.compile(r"\b(human|real person|live agent|representative|manager)\b|人工|真人|转接", re.I)
# A question form: policy and product questions use the operations' words too ("how do returns work?").
QUESTION = re.compile(
    r"^\s*(how|what|can|could|do|does|is|are|when|why|which|will|would|should)\b|\?\s*$"
    r"|[吗呢][？?]?\s*$|？\s*$|怎么|如何|多久|多少|什么|哪些|是否|政策",
    re.I,
)


# A question about the customer's own purchase asks to act on it ("我买的热水器降价了，能申请价保吗"): not for the
# knowledge base, though it names no order (the operation asks which).
OWN_PURCHASE = re.compile(r"我买的|我的订单|我那个|我这个|我[^，。？?]{0,4}不(想)?要了")


def rules(operations: Sequence[Operation]) -> list[tuple[str, re.Pattern[str]]]:
    """(route, pattern): a person first, then every operation that has keyword rules."""
    return [("human_agent", HUMAN_AGENT), *((op.name, op.rule) for op in operations if op.rule is not None)]


# Words of the understanding model's intent names (the shop set's `human_agent`, another shop's named alike) that
# ask for a person. The knowledge base's intents are a setting (agent.question_intents); the operations' are
# their `intent_words`.
HUMAN_INTENT_WORDS = ("human",)


def rule_route(text: str, operations: ShopOperations) -> str | None:
    """The one path the text names unambiguously among the shop's operations, or None (then the model decides).

    A question that names no order (by the shop's id pattern) goes to the knowledge base, whatever operation words
    it uses: the knowledge base answers or says it cannot, and the customer can still ask to act. Unless it is about
    the customer's own purchase (`OWN_PURCHASE`): then it asks to act.
    """
    matched = [action for action, pattern in rules(operations.operations) if pattern.search(text)]
    if "human_agent" in matched:
        return "human_agent"
    question = QUESTION.search(text) and not OWN_PURCHASE.search(text)
    if set(matched) <= operations.needing_order and question and not operations.order_ids(text):
        return "question"
    return matched[0] if len(matched) == 1 else None


def intent_route(
    text: str,
    understanding: Understanding | None,
    *,
    min_confidence: float,
    question_intents: Sequence[str],
    operations: ShopOperations,
) -> str | None:
    """The route the message's intent names when the intent model is confident (above `min_confidence`), else None.

    The same care as the rules: a question form naming no order goes to the knowledge base, and an
    intent of a question that names an order is left to the model (it may ask about that order).
    """
    if understanding is None or understanding.out_of_scope or understanding.intent_confidence <= min_confidence:
        return None
    intent = understanding.intent.lower()
    if any(word in intent for word in HUMAN_INTENT_WORDS):
        return "human_agent"
    if intent in question_intents:
        return None if operations.order_ids(text) else "question"
    # As the drafts read them (drafts/actions.py): an operation's word anywhere in the intent's name.
    named = [operation.name for operation in operations if any(word in intent for word in operation.intent_words)]
    if len(named) != 1:
        return None
    if named[0] in operations.needing_order and QUESTION.search(text) and not operations.order_ids(text):
        return "question"
    return named[0]


def route_messages(
    prompts: PromptLibrary,
    *,
    text: str,
    history: list[dict[str, str]],
    summary: str | None,
    operations: ShopOperations,
) -> list[dict[str, str]]:
    """The route prompt, its list of actions rendered from the shop's operations."""
    choices = route_choices(operations.operations)
    return prompts.messages("route", message=text, history=history, summary=summary, routes=choices)


async def route(
    text: str,
    *,
    history: list[dict[str, str]],
    summary: str | None,
    prompts: PromptLibrary,
    llm: TurnLLM,
    operations: ShopOperations,
    understanding: Understanding | None = None,
    settings: AgentSettings | None = None,
) -> tuple[str, str]:
    """(action, how it was decided: `rule`, `intent`, `model` or `fallback`), timed on the turn's stages.

    Without the turn's `understanding` (and the agent `settings` for its threshold), only the rules and the model route.
    """
    started = time.perf_counter()
    action, decided_by = await _route(
        text, history=history, summary=summary, prompts=prompts, llm=llm, operations=operations,
        understanding=understanding, settings=settings or AgentSettings.model_validate({}),
    )  # fmt: skip
    stages = llm.record.stages
    stages.routing_seconds, stages.routed_by = time.perf_counter() - started, decided_by
    stages.routing_model_call = decided_by in ("model", "fallback")
    return action, decided_by


async def _route(
    text: str,
    *,
    history: list[dict[str, str]],
    summary: str | None,
    prompts: PromptLibrary,
    llm: TurnLLM,
    operations: ShopOperations,
    understanding: Understanding | None,
    settings: AgentSettings,
) -> tuple[str, str]:
    by_rule = rule_route(text, operations)
    if by_rule is not None:
        return by_rule, "rule"
    by_intent = intent_route(
        text, understanding, min_confidence=settings.route_intent_confidence, question_intents=settings.question_intents,
        operations=operations,
    )  # fmt: skip
    if by_intent is not None:
        return by_intent, "intent"
    messages = route_messages(prompts, text=text, history=history, summary=summary, operations=operations)
    decision = await llm.decide("route", messages, operations.route_model)
    if decision is None:
        # Two invalid outputs: answer from the knowledge base, which can only say what it holds.
        return "question", "fallback"
    return decision.action, "model"
