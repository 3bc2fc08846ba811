"""The conversation as the model sees it: recent turns within a token budget, older ones summarised."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.turn_llm import TurnLLM
from assistant.components.tokens import count_tokens, truncate_to_tokens
from assistant.conversations.records import MessageView

# A long earlier reply is cut in the history view; the full text stays stored.
MESSAGE_TOKENS_IN_HISTORY = 300


@dataclass
class HistoryView:
    summary: str | None
    recent: list[dict[str, str]]
    # Set when this turn summarised older messages: the new summary and the last message id it covers.
    new_summary: str | None = None
    new_summary_upto: int | None = None


def split_by_budget(messages: list[MessageView], budget: int) -> tuple[list[MessageView], list[MessageView]]:
    """(older, recent): the newest messages whose tokens fit the budget are recent; the rest are older."""
    recent: list[MessageView] = []
    used = 0
    for message in reversed(messages):
        cost = min(count_tokens(message.content), MESSAGE_TOKENS_IN_HISTORY) + 4
        if used + cost > budget:
            break
        recent.insert(0, message)
        used += cost
    return messages[: len(messages) - len(recent)], recent


def as_lines(messages: list[MessageView]) -> list[dict[str, str]]:
    return [
        {"role": message.role, "content": truncate_to_tokens(message.content, MESSAGE_TOKENS_IN_HISTORY)} for message in messages
    ]


async def build_history(
    *,
    messages: list[MessageView],
    summary: str | None,
    budget: int,
    summary_max_tokens: int,
    prompts: PromptLibrary,
    llm: TurnLLM,
) -> HistoryView:
    """Fit the messages after the last summary into the budget, summarising what no longer fits."""
    older, recent = split_by_budget(messages, budget)
    if not older:
        return HistoryView(summary=summary, recent=as_lines(recent))
    text = await llm.text(
        "summarise",
        prompts.messages("summarise", summary=summary, history=as_lines(older)),
        max_tokens=summary_max_tokens,
    )
    new_summary = truncate_to_tokens(text.strip(), summary_max_tokens)
    return HistoryView(summary=new_summary, recent=as_lines(recent), new_summary=new_summary, new_summary_upto=older[-1].id)
