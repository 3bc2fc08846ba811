"""The general path: retrieve from the knowledge base, let the model look things up with read tools, answer.

Used for everything that is not a standard operation. The answer draws only on
customer-facing documents (agent procedures may steer through the system prompt,
never as a quoted passage), cut to the sentences that bear on the question. For a
verified customer asking about their own account or orders, or about something the
knowledge base does not hold (a catalogue lookup may), the model first chooses read
tools (a constrained decision, within the step limit; arguments constrained to the
tool's schema); a policy question the knowledge base answers skips that, so the
answer starts without two model calls first. The streamed answer passes the reply guard; when the knowledge
base holds nothing relevant, or the guard refuses the answer, the reply says so and
offers a human instead of inventing policy or quoting an instruction.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import TYPE_CHECKING, cast

from assistant.agent import matching
from assistant.agent.decisions import tool_choice_model
from assistant.agent.history import HistoryView
from assistant.agent.knowledge import retrieve
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.outcome import ToolFailed
from assistant.agent.prompt_library import LANGUAGE_NAMES, PromptLibrary
from assistant.agent.reply_guard import ReplyGuard
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_llm import TurnLLM, compact_json
from assistant.components.llm.client import Message
from assistant.conversations.records import DecisionRecord, TurnRecord
from assistant.retrieval.sentences import relevant_sentences
from assistant.settings import AgentSettings
from assistant.tools.texts import PromptTexts

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Hit, Retriever

OBSERVATION_CHARS = 1200
# Tokens of passage text in the answer prompt, shared by the passages (4 by default: ~100 each). The answer needs the
# sentence or two that bear on the question; on a 2-core CPU every prompt token costs a few ms before the first word,
# and a small model quotes whatever it is given. Before: up to 4 whole chunks of 220 tokens (880).
PASSAGES_TOKEN_BUDGET = 400
# "My order", "my account", "我的订单": the question is about the customer's own data, which only a lookup knows.
_OWN_ACCOUNT = re.compile(
    r"\b(?:my|mine|i)\b(?:\s+\w+){0,2}?\s+(?:orders?|account|package|parcel|delivery|purchases?|profile|"
    r"address|refund|payment methods?|gift card balance|ordered|bought|paid|purchased)\b"
    r"|我(?:的|买的|下的|刚买的)?(?:订单|账户|账号|包裹|快递|物流|退款|地址|礼品卡余额)|我(?:买|下单|付款)",
    re.IGNORECASE,
)


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
    offered: ShopOperations,
) -> bool:
    """Answer from the customer-facing knowledge (and lookups); False when there is nothing to answer from, or the
    answer was refused by the reply guard (what was said of it is withdrawn from the stored reply)."""
    knowledge = await retrieve(
        retriever(),
        text,
        k=settings.retrieval_k,
        threshold=settings.low_confidence_score,
        record=record,
        kinds=settings.answer_kinds,
        audience="customer",
    )
    names_product = not knowledge.confident and verified is not None and await _names_a_product(tools, text)
    look_up = _needs_look_up(
        record, text, verified, answered_by_knowledge=knowledge.confident or not names_product, offered=offered
    )
    observations = await _look_up(record, llm, tools, prompts, settings, text, history, offered) if look_up else []
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
        passages=passages(knowledge.hits, text),
        observations=observations,
        message=text,
        language=record.language,
        language_name=LANGUAGE_NAMES[record.language],
    )
    guard = ReplyGuard.of(PromptTexts(prompts.folder / "texts"), allowed=[verified] if verified else [])
    return await stream_guarded(record, say, llm, messages, guard, max_tokens=settings.reply_max_tokens)


def passages(hits: list[Hit], question: str) -> list[dict[str, str]]:
    """The hits as the answer prompt shows them: each cut to its sentences that bear on the question."""
    budget = PASSAGES_TOKEN_BUDGET // max(1, len(hits))
    return [{"title": hit.title, "text": relevant_sentences(hit.text, question, budget)} for hit in hits]


async def stream_guarded(
    record: TurnRecord,
    say: Callable[[str], Awaitable[None]],
    llm: TurnLLM,
    messages: list[Message],
    guard: ReplyGuard,
    *,
    max_tokens: int,
) -> bool:
    """Stream the answer through the guard; on a refusal stop the model, record why, and return False."""
    stream = guard.stream()
    # TurnLLM.stream is an async generator: closing it closes the model's stream (declared as an iterator).
    reply = cast(AsyncGenerator[str, None], llm.stream("reply", messages, max_tokens=max_tokens))
    async with aclosing(reply) as pieces:
        async for piece in pieces:
            safe = stream.feed(piece)
            if stream.refusal is not None:
                break  # leaving the block closes the stream: the model stops writing
            if safe:
                await say(safe)
    rest = stream.finish()
    if rest:
        await say(rest)
    refusal = stream.refusal
    if refusal is None:
        return True
    record.decisions.append(
        DecisionRecord(
            step=2,
            kind="reply_refused",
            # `withdrawn`: the pieces already said, which the stored reply leaves out (Turn.stored_reply).
            payload={"reason": refusal.reason, "match": refusal.match, "phrase": refusal.phrase, "withdrawn": stream.said},
        )
    )
    record.citations = []
    return False


async def _names_a_product(tools: TurnTools, text: str) -> bool:
    """The question names a product of the shop's catalogue ("how many t-shirt options are there?"): a lookup may
    answer what the knowledge base does not. Anything else it does not cover ("what tools can you call?") gets the
    honest no at once, not a round of model calls choosing tools for it (measured: 4 rounds, 58 s, an invented id)."""
    try:
        catalogue = await tools.read("list_all_product_types")
    except ToolFailed as exc:
        if exc.unavailable:
            raise
        return False
    names = [str(entry.get("name", "")) for entry in catalogue] if isinstance(catalogue, list) else list(catalogue or {})
    asked = matching.squashed(text)
    return any(name and matching.squashed(name) in asked for name in names)


def _needs_look_up(
    record: TurnRecord, text: str, verified: str | None, *, answered_by_knowledge: bool, offered: ShopOperations
) -> bool:
    """Read tools only for a verified customer whose question is about their own account or orders, or that the
    knowledge base cannot answer and that names a product (a catalogue lookup may); a policy question it answers goes
    straight to the answer, without two model calls first. Recorded either way."""
    if not verified:
        return False
    if offered.order_ids(text):
        because = "order id"
    elif _OWN_ACCOUNT.search(text):
        because = "own account"
    elif not answered_by_knowledge:
        because = "not in the knowledge base"
    else:
        because = None
    payload = {"run": because is not None, "because": because or "answered by the knowledge base, not about the account"}
    record.decisions.append(DecisionRecord(step=1, kind="look_up", payload=payload))
    return because is not None


async def _look_up(
    record: TurnRecord,
    llm: TurnLLM,
    tools: TurnTools,
    prompts: PromptLibrary,
    settings: AgentSettings,
    text: str,
    history: HistoryView,
    offered: ShopOperations,
) -> list[str]:
    """Read tools the model picks, one per step, until it chooses to reply or the step limit is reached."""
    specs = tools.read_tool_specs()
    if not specs:
        return []
    names = [spec.name for spec in specs]
    choice_model = tool_choice_model(names)
    observations: list[str] = []
    made: set[tuple[str, str]] = set()
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
        call = (spec.name, compact_json(arguments))
        seen = [text, *observations, *(m["content"] for m in history.recent)]
        if call in made or _invented_order_id(arguments, seen, offered):
            # The same call again, or an order id nobody named: the model is guessing; answer from what it has.
            record.decisions.append(
                DecisionRecord(step=step, kind="look_up_stopped", payload={"tool": spec.name, "arguments": arguments})
            )
            break
        made.add(call)
        # Wrong arguments come back as an error result (recorded), which the model sees at the next step.
        result = await tools.call_raw(spec.name, arguments)
        if result.ok:
            observations.append(f"{spec.name}: {compact_json(result.data)[:OBSERVATION_CHARS]}")
        else:
            observations.append(f"{spec.name} failed: {result.error}")
    return observations


def _invented_order_id(arguments: dict[str, object], seen: list[str], offered: ShopOperations) -> bool:
    """An order id argument that appears in neither the customer's words, the conversation nor a lookup's result.

    Read as the shop writes its ids ("W2378156" is "#W2378156"), so a model that drops the decoration is no inventor.
    """
    order_id = arguments.get("order_id")
    if not isinstance(order_id, str):
        return False
    named = {found for text in seen for found in offered.order_ids(text)}
    written = offered.order_ids(order_id) or [order_id]
    return not (set(written) & named) and not any(order_id.lstrip("#") in text for text in seen)
