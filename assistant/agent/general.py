"""The general path: retrieve from the knowledge base, let the model look things up with read tools, answer.

Used for everything that is not a standard operation. The model chooses the
next read tool (or to reply) with a constrained decision, within the step
limit; its arguments are constrained to the tool's own schema. When the
knowledge base holds nothing relevant and no lookup was made, the reply says
so and offers a human instead of inventing policy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from assistant.agent.decisions import tool_choice_model
from assistant.agent.history import HistoryView
from assistant.agent.knowledge import retrieve
from assistant.agent.prompt_library import LANGUAGE_NAMES, PromptLibrary
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_llm import TurnLLM, compact_json
from assistant.components.tokens import truncate_to_tokens
from assistant.conversations.records import DecisionRecord, TurnRecord
from assistant.settings import AgentSettings

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Retriever

OBSERVATION_CHARS = 1200
# Passages are cut so the prompt stays small: on a 2-core CPU every prompt token costs a few ms.
PASSAGE_TOKENS = 220


async def answer_question(
    *,
    record: TurnRecord,
    say: Callable[[str], Awaitable[None]],
    llm: TurnLLM,
    tools: TurnTools,
    prompts: PromptLibrary,
    settings: AgentSettings,
    retriever: Callable[[], Retriever],
    text: str,
    history: HistoryView,
    verified: str | None,
) -> bool:
    """Answer from the knowledge base (and lookups); False, having said nothing, when there is nothing to answer from."""
    knowledge = await retrieve(
        retriever(),
        text,
        k=settings.retrieval_k,
        threshold=settings.low_confidence_score,
        record=record,
        kinds=settings.answer_kinds,
    )
    observations = await _look_up(record, llm, tools, prompts, settings, text, history) if verified else []
    if not knowledge.confident and not observations:
        record.decisions.append(
            DecisionRecord(
                step=1,
                kind="low_confidence",
                payload={"best": max((r.dense_score or 0 for r in record.retrievals), default=None)},
            )
        )
        return False  # the caller says so: with an offer of a person, or handing over at once
    record.citations = knowledge.citations()
    messages = prompts.messages(
        "answer",
        summary=history.summary,
        history=history.recent,
        passages=[{"title": hit.title, "text": truncate_to_tokens(hit.text, PASSAGE_TOKENS)} for hit in knowledge.hits],
        observations=observations,
        message=text,
        language=record.language,
        language_name=LANGUAGE_NAMES[record.language],
    )
    async for piece in llm.stream("reply", messages, max_tokens=settings.reply_max_tokens):
        await say(piece)
    return True


async def _look_up(
    record: TurnRecord,
    llm: TurnLLM,
    tools: TurnTools,
    prompts: PromptLibrary,
    settings: AgentSettings,
    text: str,
    history: HistoryView,
) -> list[str]:
    """Read tools the model picks, one per step, until it chooses to reply or the step limit is reached."""
    specs = tools.read_tool_specs()
    if not specs:
        return []
    names = [spec.name for spec in specs]
    choice_model = tool_choice_model(names)
    observations: list[str] = []
    for step in range(1, settings.step_limit + 1):
        choice = await llm.decide(
            "choose_tool",
            prompts.messages(
                "choose_tool", message=text, history=history.recent, summary=history.summary,
                observations=observations, tools=specs,
            ),
            choice_model,
            step=step,
        )  # fmt: skip
        tool_name = getattr(choice, "tool", "reply") if choice else "reply"
        if tool_name == "reply":
            break
        spec = next(spec for spec in specs if spec.name == tool_name)
        arguments = await llm.decide_json(
            "tool_arguments",
            prompts.messages(
                "tool_arguments", message=text, observations=observations, tool_name=spec.name, tool_description=spec.description
            ),
            spec.parameters,
            step=step,
        )
        if arguments is None:
            break
        # Wrong arguments come back as an error result (recorded), which the model sees at the next step.
        result = await tools.call_raw(spec.name, arguments)
        if result.ok:
            observations.append(f"{spec.name}: {compact_json(result.data)[:OBSERVATION_CHARS]}")
        else:
            observations.append(f"{spec.name} failed: {result.error}")
    return observations
