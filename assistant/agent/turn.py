"""One conversation turn, from the customer's message to the stored reply.

Everything the turn does runs inside its time budget — reading the message,
the conversation's state, the customer's CRM tags, the reply — and every
failure there (model down or slow, the shop's systems unreachable, the
knowledge base unavailable) becomes an apology with an offer of a person,
stored with its cause. The turn is always stored, whole, in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from assistant.agent.events import TurnEvent, TurnResult
from assistant.agent.language import reply_language
from assistant.agent.outcome import ToolFailed
from assistant.agent.respond import respond
from assistant.agent.stages import finish, timed_retriever
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_context import Turn, TurnDeps, TurnRequest
from assistant.agent.turn_llm import TurnLLM
from assistant.conversations.records import TurnRecord, TurnStages
from assistant.errors import AssistantError
from assistant.understanding.models import Understanding

logger = logging.getLogger(__name__)


async def run_turn(deps: TurnDeps, request: TurnRequest, emit: Callable[[TurnEvent], Awaitable[None]]) -> TurnResult:
    stages = TurnStages.model_validate({})
    # The one place a turn learns its shop (the caller's key decided it); every step reads `turn.shop`.
    shop = deps.shops[request.shop]
    shop = replace(shop, retriever=timed_retriever(shop.retriever, stages))  # the turn's searches timed
    record = TurnRecord(
        prompt_version=shop.prompts.version, language=reply_language(request.text), customer_text=request.text,
        stages=stages,
    )  # fmt: skip
    turn = Turn(request=request, shop=shop, record=record, llm=TurnLLM(deps.llm, record), emit=emit)
    try:
        async with asyncio.timeout(deps.settings.turn_seconds):
            await _begin(deps, turn)
            if not turn.handed_off:  # else the message waits for the person who has the conversation
                await respond(deps, turn)
    except TimeoutError:
        await _fail(deps, turn, f"turn_timeout: no reply within {deps.settings.turn_seconds:.0f} s")
    except AssistantError as exc:  # the model down, slow or busy; the shop unreachable; a store or settings problem
        await _fail(deps, turn, f"{exc.reason}: {exc.message}")
    except ToolFailed as exc:  # a tool's error a step could not act on (the shop unreachable, above all)
        await _fail(deps, turn, f"tool {exc.name} {exc.reason}: {exc.message}")
    except Exception as exc:  # e.g. the vector store unreachable: the customer still gets an answer
        logger.exception("turn failed in conversation %s", request.conversation_id)
        await _fail(deps, turn, f"{type(exc).__name__}: {exc}")
    return await _store(deps, turn)


async def _begin(deps: TurnDeps, turn: Turn) -> None:
    """What the turn needs to know first: the message read, the conversation's state, who has the conversation."""
    request = turn.request
    started = time.perf_counter()
    turn.understanding = turn.record.understanding = await asyncio.to_thread(_understand, deps, request.text)
    turn.record.stages.understanding_seconds = time.perf_counter() - started
    turn.verified, turn.summary, turn.summary_upto = await asyncio.to_thread(
        deps.conversations.conversation_state, conversation_id=request.conversation_id
    )
    if turn.verified is None and "platform_login" in turn.shop.operations.identity.methods:
        turn.verified = request.customer_id  # the shop's own sign-in is this shop's identity check
    turn.tools = TurnTools(
        turn.shop.tools, turn.record, customer_id=request.customer_id, verified_customer_id=turn.verified,
        conversation_id=request.conversation_id,
    )  # fmt: skip
    if await asyncio.to_thread(deps.handoffs.active_for, conversation_id=request.conversation_id) is not None:
        # A person has (or is about to have) this conversation: the message waits for them. The customer
        # is told so, but the notice is not stored: the agent's view stays the conversation.
        turn.record.route, turn.record.outcome, turn.record.store_reply = "waiting_for_agent", "waiting", False
        turn.handed_off = True
        await turn.say(turn.phrase("waiting_for_agent"))
        return
    turn.context.earlier = await asyncio.to_thread(
        deps.conversations.earlier_turns, conversation_id=request.conversation_id, limit=deps.escalation_history
    )
    turn.context.tags = await turn.shop.escalation.customer_tags(request.customer_id)
    turn.vip = turn.shop.escalation.is_vip(turn.context.tags)


def _understand(deps: TurnDeps, text: str) -> Understanding:
    """The trained model's reading of the message; the keyword rules alone when the model is unusable."""
    understanding = deps.understanding()
    try:
        return understanding.analyse(text)
    except AssistantError as exc:  # the model file is missing or stale: escalation rules still hold
        logger.warning("understanding falls back to the keyword rules: %s", exc.message)
        return understanding.rules_only(text)


async def _fail(deps: TurnDeps, turn: Turn, cause: str) -> None:
    logger.warning("turn failed: %s", cause)
    record = turn.record
    record.status, record.outcome, record.failure_cause = "failed", "failed", cause
    record.proposals = []  # nothing half-proposed survives a failed turn
    record.citations = []  # the apology cites nothing (what was retrieved stays in `retrievals`)
    turn.parts.clear()
    turn.offered = True
    await turn.say(turn.phrase("failure"))


async def _store(deps: TurnDeps, turn: Turn) -> TurnResult:
    record, request = turn.record, turn.request
    record.reply = turn.stored_reply()
    record.seconds = time.perf_counter() - turn.started
    record.first_token_seconds = turn.first_token_seconds
    finish(record, first_token_seconds=turn.first_token_seconds, last_token_seconds=turn.last_token_seconds)
    record.handoff_offered = turn.offered and not turn.handed_off
    saved = await asyncio.to_thread(deps.conversations.save_turn, conversation_id=request.conversation_id, record=record)
    if turn.handoff is not None:
        await asyncio.to_thread(deps.handoffs.open_handoff, turn.handoff)
    return TurnResult(
        conversation_id=request.conversation_id,
        turn_id=saved.turn_id,
        message_id=saved.assistant_message_id,
        customer_message_id=saved.customer_message_id,
        reply=record.reply,
        language=record.language,  # type: ignore[arg-type]
        route=record.route,
        status=record.status,
        citations=record.citations,
        actions=record.actions,
        pending_confirmation=saved.pending[0] if saved.pending else None,
        pending_confirmations=saved.pending,
        handoff=turn.handed_off,
        handoff_offered=record.handoff_offered,
        escalation_reason=record.escalation_reason,
        prompt_version=record.prompt_version,
    )
