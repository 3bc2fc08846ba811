"""One reply variant per tone: the model writes it from the passages and the customer's facts, then it is checked.

The system message (`prompts/<version>/drafts/system.md.j2`) holds the rules,
passages, facts and tone; the conversation follows as chat messages (a ticket
is one customer message), so the model answers the customer's last message.
Two deterministic checks follow, because the draft must be right even when the
model is weak: an unusable text (a refusal, or the input repeated back) is
replaced by a fixed reply built from the facts, and a text that lacks the order
id, its status or every source marker gets a fact line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from assistant.agent.prompt_library import LANGUAGE_NAMES, PromptLibrary
from assistant.components.llm.client import LLMClient, Message
from assistant.drafts.models import CustomerContext, OrderFacts, Source, Tone, Variant
from assistant.drafts.subject import Subject

PASSAGE_CHARS = 700
FACT_ORDERS = 3
REFUSAL = re.compile(r"\b(can ?not|can't|unable to) (assist|help) with (that|this)\b|无法(协助|帮助|处理)|不能(协助|帮助)", re.I)
# Headings of the system message: a text that contains them is the prompt coming back, not a reply.
PROMPT_ECHO = re.compile(r"^(Passages|Facts|资料|事实):?\s*$", re.M)
ECHO_RATIO = 0.7
# Fewer words than this (a Chinese character counts as one) is no reply: measured, "[1] 2023年5月24日".
MIN_WORDS = 4
WORDS = re.compile(r"[A-Za-z]+|[\u3400-\u9fff]")
ROLES = {"customer": "user", "assistant": "assistant", "agent": "assistant"}


class DraftWriter:
    def __init__(self, *, llm: LLMClient, prompts: PromptLibrary, max_tokens: int) -> None:
        self._llm = llm
        self._prompts = prompts
        self._max_tokens = max_tokens

    async def write(
        self,
        tone: Tone,
        *,
        subject: Subject,
        sources: Sequence[tuple[Source, str]],
        context: CustomerContext,
        key_order: OrderFacts | None,
        actions: Sequence[str],
    ) -> Variant:
        """`sources`: each source with the passage text the model reads; `key_order`: the order the reply is about."""
        messages = self.messages(tone, subject=subject, sources=sources, context=context, key_order=key_order, actions=actions)
        completion = await self._llm.complete(messages, max_tokens=self._max_tokens, temperature=0.0)
        model_text = text = _clean(completion.text)
        fallback = not usable(text, subject.customer_texts[-1])
        if fallback:
            text = self._prompts.render(
                "drafts/fallback",
                language=subject.language,
                customer_name=context.profile["name"] if context.profile else None,
                order=key_order,
                action=actions[0] if actions else None,
                source=sources[0][0].title if sources else None,
            )
        text, appended = self.ensure_facts(
            text, key_order=key_order, sources=[source for source, _ in sources], language=subject.language
        )
        return Variant(
            tone=tone,
            text=text,
            model_text=model_text,
            model_seconds=round(completion.seconds, 3),
            facts_appended=appended,
            fallback=fallback,
        )

    def messages(
        self,
        tone: Tone,
        *,
        subject: Subject,
        sources: Sequence[tuple[Source, str]],
        context: CustomerContext,
        key_order: OrderFacts | None,
        actions: Sequence[str],
    ) -> list[Message]:
        system = self._prompts.render(
            "drafts/system",
            language=subject.language,
            language_name=LANGUAGE_NAMES[subject.language],
            tone=tone,
            passages=[
                {"number": number, "title": source.title, "text": " ".join(text.split())[:PASSAGE_CHARS]}
                for number, (source, text) in enumerate(sources, start=1)
            ],
            facts=facts_for_prompt(context, key_order),
            actions=list(actions),
            summary=subject.summary,
        )
        conversation: list[dict[str, Any]] = [
            {"role": ROLES[message["role"]], "content": message["content"]} for message in subject.history
        ]
        if subject.ticket_text is not None:
            conversation = [{"role": "user", "content": subject.ticket_text}]
        while conversation and conversation[-1]["role"] != "user":
            conversation.pop()  # the draft answers the customer's last message, not what came after it
        return [{"role": "system", "content": system}, *conversation]

    def ensure_facts(
        self, text: str, *, key_order: OrderFacts | None, sources: Sequence[Source], language: str
    ) -> tuple[str, bool]:
        """The text with a fact line added when it lacks the order id, its status, or every source marker.

        A 0.5B model often paraphrases the status or forgets the [n] marker; an agent
        who sends the draft as it is must still send the real order facts and the source.
        """
        lowered = text.lower()
        missing_order = key_order is not None and not (
            key_order.order_id.lstrip("#").lower() in lowered and key_order.status.lower() in lowered
        )
        missing_source = bool(sources) and not any(f"[{number}]" in text for number in range(1, len(sources) + 1))
        if not (missing_order or missing_source):
            return text, False
        line = self._prompts.render(
            "drafts/facts",
            language=language,
            order=key_order if missing_order else None,
            source=sources[0].title if missing_source else None,
        )
        return (f"{text}\n\n{line}" if text else line), True


def usable(text: str, customer_text: str) -> bool:
    """False for an almost empty text, a refusal, the prompt's headings, or the customer's own message repeated back."""
    if len(WORDS.findall(text)) < MIN_WORDS or REFUSAL.search(text) or PROMPT_ECHO.search(text):
        return False
    customer = " ".join(customer_text.split()).lower()
    start = " ".join(text.split()).lower()[: len(customer)]
    return SequenceMatcher(None, customer, start, autojunk=False).ratio() < ECHO_RATIO


def facts_for_prompt(context: CustomerContext, key_order: OrderFacts | None) -> list[str]:
    facts: list[str] = []
    if context.profile:
        facts.append(f"Customer: {context.profile['name']}")
    orders = [key_order] if key_order else []
    orders += [order for order in context.recent_orders if key_order is None or order.order_id != key_order.order_id]
    for order in orders[:FACT_ORDERS]:
        tracking = f"; tracking {', '.join(order.tracking_ids)}" if order.tracking_ids else ""
        facts.append(
            f"Order {order.order_id}: status {order.status}; items {', '.join(_names(order.items))}; "
            f"total {order.total:.2f} {order.currency}{tracking}"
        )
    return facts


def _names(items: list[str]) -> list[str]:
    """`T-Shirt (8349118980)` → `T-Shirt`: item ids only distract a small model writing to a customer."""
    return [item.rsplit(" (", 1)[0] for item in items]


def _clean(text: str) -> str:
    """Small models sometimes wrap the reply in quotes or label it; the agent should get the reply only."""
    text = text.strip()
    for label in ("Reply:", "回复：", "回复:"):
        text = text.removeprefix(label).strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text
