"""One conversation turn, from the customer's message to the stored reply.

The turn runs as its own task and reports through a queue: a client that
disconnects mid-stream does not cancel it, so the turn is always stored whole.
Within the turn's time budget every failure (model down or slow, commerce
service down, knowledge base unavailable) becomes an apology with an offer of a
human, recorded with its cause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.agent.confirmation import is_confirmation, is_refusal
from assistant.agent.decisions import ACCOUNT_ACTIONS
from assistant.agent.escalation_step import (
    EscalationContext,
    TurnEscalation,
    accepted_offer,
    needs_approval,
    requested_by_router,
)
from assistant.agent.events import FinalEvent, TokenEvent, TurnEvent, TurnResult
from assistant.agent.general import answer_question
from assistant.agent.handoff_brief import handoff_brief
from assistant.agent.history import build_history
from assistant.agent.language import reply_language
from assistant.agent.outcome import ToolFailed
from assistant.agent.procedures import Procedures
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.router import route
from assistant.agent.tooling import ToolEnvironment, TurnTools
from assistant.agent.turn_llm import TurnLLM
from assistant.components.llm.client import LLMClient
from assistant.conversations.records import DecisionRecord, PendingConfirmation, TurnRecord
from assistant.conversations.store import ConversationStore
from assistant.errors import AssistantError
from assistant.escalation import EscalationDecision, ProposedWrite
from assistant.settings import AgentSettings
from assistant.tools.base import ProposedAction
from assistant.understanding.models import Understanding

if TYPE_CHECKING:
    from assistant.handoff.queue import HandoffQueue
    from assistant.retrieval.retriever import Retriever
    from assistant.understanding.service import MessageUnderstanding

logger = logging.getLogger(__name__)
Emit = Callable[[str], Awaitable[None]]
_DONE = object()


class TurnState:
    """What the running turn has said so far, whether it offered a person, and whether it handed over."""

    def __init__(self, emit_event: Callable[[TurnEvent], Awaitable[None]], started: float) -> None:
        self.parts: list[str] = []
        self.offered = False
        self.handed_off = False
        self.first_token_seconds: float | None = None
        self._emit_event = emit_event
        self._started = started

    async def say(self, text: str) -> None:
        if self.first_token_seconds is None and text:
            self.first_token_seconds = time.perf_counter() - self._started
        self.parts.append(text)
        await self._emit_event(TokenEvent(text=text))


class AgentService:
    """Runs turns of customer conversations."""

    def __init__(
        self,
        *,
        settings: AgentSettings,
        llm: LLMClient,
        store: ConversationStore,
        prompts: PromptLibrary,
        retriever: Callable[[], Retriever],
        tools: ToolEnvironment,
        understanding: Callable[[], MessageUnderstanding],
        escalation: TurnEscalation,
        handoffs: HandoffQueue,
        escalation_history: int = 6,
    ) -> None:
        self._settings = settings
        self._llm = llm
        self._store = store
        self._prompts = prompts
        self._retriever = retriever
        self._tools = tools
        self._understanding = understanding
        self._escalation = escalation
        self._handoffs = handoffs
        self._escalation_history = escalation_history
        self._running: set[asyncio.Task[None]] = set()

    @property
    def prompt_version(self) -> str:
        return self._prompts.version

    def run_turn(self, *, conversation_id: str, shop: str, customer_id: str, text: str) -> AsyncIterator[TurnEvent]:
        """Start the turn now and iterate over its events: tokens, then one final event.

        The caller has already checked the input and that the conversation is the customer's and open.
        """
        queue: asyncio.Queue[object] = asyncio.Queue()
        task = asyncio.create_task(
            self._run(queue, conversation_id=conversation_id, shop=shop, customer_id=customer_id, text=text)
        )
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return _drain(queue)

    async def warm_up(self) -> bool:
        """Have the model read the system prompt once; llama.cpp keeps it as the prefix of every later prompt.

        Every prompt starts with the same instructions and policy (~1,700 tokens): on 2 cores a 1.5B
        model needs a minute or more to read them, which the first customer would otherwise wait for.
        """
        started = time.perf_counter()
        messages = [{"role": "system", "content": self._prompts.system}, {"role": "user", "content": "hello"}]
        try:
            await self._llm.complete(messages, max_tokens=1)  # type: ignore[arg-type]
        except AssistantError as exc:  # the model is down or busy: the first turn will say so itself
            logger.warning("warm-up skipped: %s", exc.message)
            return False
        logger.info("the model read the system prompt in %.1f s", time.perf_counter() - started)
        return True

    async def wait_idle(self) -> None:
        """Wait for turns still running (used at shutdown, so no turn is lost)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self, queue: asyncio.Queue[object], *, conversation_id: str, shop: str, customer_id: str, text: str) -> None:
        try:
            result = await self._turn(queue.put, conversation_id=conversation_id, shop=shop, customer_id=customer_id, text=text)
            await queue.put(FinalEvent(result=result))
        except BaseException as exc:  # handed to the reader, which re-raises it in the request
            await queue.put(exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            await queue.put(_DONE)

    async def _turn(
        self,
        emit_event: Callable[[TurnEvent], Awaitable[None]],
        *,
        conversation_id: str,
        shop: str,
        customer_id: str,
        text: str,
    ) -> TurnResult:
        started = time.perf_counter()
        record = TurnRecord(prompt_version=self._prompts.version, language=reply_language(text), customer_text=text)
        state = TurnState(emit_event, started)
        understanding = await asyncio.to_thread(self._understand, text)
        record.understanding = understanding
        llm = TurnLLM(self._llm, record)
        verified, summary, summary_upto = await asyncio.to_thread(self._store.conversation_state, conversation_id=conversation_id)
        tools = TurnTools(
            self._tools, record, customer_id=customer_id, verified_customer_id=verified, conversation_id=conversation_id
        )
        turn = _TurnScope(conversation_id=conversation_id, shop=shop, customer_id=customer_id, text=text, summary=summary)
        try:
            async with asyncio.timeout(self._settings.turn_seconds):
                if await asyncio.to_thread(self._handoffs.active_for, conversation_id=conversation_id) is not None:
                    # A person has (or is about to have) this conversation: the message waits for them. The
                    # customer is told so, but the notice is not stored: the agent's view stays the conversation.
                    record.route, record.outcome, record.store_reply = "waiting_for_agent", "waiting", False
                    state.handed_off = True
                    await state.say(self._prompts.phrase(record.language, "waiting_for_agent"))
                else:
                    context = await self._escalation_context(turn)
                    await self._respond(
                        record, state, llm, tools, turn, context, understanding,
                        verified=verified, summary_upto=summary_upto,
                    )  # fmt: skip
        except TimeoutError:
            await self._fail(record, state, f"turn_timeout: no reply within {self._settings.turn_seconds:.0f} s")
        except AssistantError as exc:  # the model is down, slow or busy; a store or settings problem
            await self._fail(record, state, f"{exc.reason}: {exc.message}")
        except ToolFailed as exc:  # the commerce service is down while a procedure needed it
            await self._fail(record, state, f"tool {exc.name} {exc.reason}: {exc.message}")
        except Exception as exc:  # e.g. the vector store unreachable: the customer still gets an answer
            logger.exception("turn failed in conversation %s", conversation_id)
            await self._fail(record, state, f"{type(exc).__name__}: {exc}")
        record.reply = "".join(state.parts).strip()
        record.seconds = time.perf_counter() - started
        record.first_token_seconds = state.first_token_seconds
        record.handoff_offered = state.offered and not state.handed_off
        turn_id = await asyncio.to_thread(self._store.save_turn, conversation_id=conversation_id, record=record)
        if turn.handoff is not None:
            # Opened after the turn is stored, so the queue never shows a conversation whose last turn is missing.
            await asyncio.to_thread(self._handoffs.open_handoff, **turn.handoff)
        ids = await asyncio.to_thread(self._store.turn_message_ids, turn_id=turn_id)
        pending = None
        if record.proposal is not None:
            pending = await asyncio.to_thread(self._store.pending_action, conversation_id=conversation_id)
        return TurnResult(
            conversation_id=conversation_id,
            turn_id=turn_id,
            message_id=ids.get("assistant"),
            customer_message_id=ids.get("customer"),
            reply=record.reply,
            language=record.language,  # type: ignore[arg-type]
            route=record.route,
            status=record.status,
            citations=record.citations,
            actions=record.actions,
            pending_confirmation=pending,
            handoff=state.handed_off,
            handoff_offered=record.handoff_offered,
            escalation_reason=record.escalation_reason,
            prompt_version=record.prompt_version,
        )

    def _announcements(self) -> set[str]:
        """The fixed handoff notices: left out of the history, or a small model repeats them (and would hand over)."""
        return {
            self._prompts.phrase(language, key).strip()
            for language in ("en", "zh")
            for key in ("handoff", "no_knowledge_handoff", "approval_needed")
        }

    def _understand(self, text: str) -> Understanding:
        """The trained model's reading of the message; the keyword rules alone when the model is unusable."""
        understanding = self._understanding()
        try:
            return understanding.analyse(text)
        except AssistantError as exc:  # the model file is missing or stale: escalation rules still hold
            logger.warning("understanding falls back to the keyword rules: %s", exc.message)
            return understanding.rules_only(text)

    async def _escalation_context(self, turn: _TurnScope) -> EscalationContext:
        earlier = await asyncio.to_thread(
            self._store.earlier_turns, conversation_id=turn.conversation_id, limit=self._escalation_history
        )
        tags = await self._escalation.customer_tags(turn.customer_id)
        turn.vip = self._escalation.is_vip(tags)
        return EscalationContext(earlier=earlier, tags=tags)

    async def _respond(
        self,
        record: TurnRecord,
        state: TurnState,
        llm: TurnLLM,
        tools: TurnTools,
        turn: _TurnScope,
        context: EscalationContext,
        understanding: Understanding,
        *,
        verified: str | None,
        summary_upto: int,
    ) -> None:
        text = turn.text
        pending = await asyncio.to_thread(self._store.pending_action, conversation_id=turn.conversation_id)
        if pending is not None and await self._resolve_pending(record, state, tools, turn, context, understanding, pending):
            if not state.handed_off:
                self._note_decision(record, self._escalation.decide(understanding, context, outcome=record.outcome))
            return
        if not pending and context.offered_handoff and is_confirmation(text):
            await self._hand_off(record, state, turn, context, understanding, accepted_offer())
            return
        decision = self._escalation.decide(understanding, context)
        if decision.escalate:  # asked for a person, angry, a legal topic...: no attempt first
            await self._hand_off(record, state, turn, context, understanding, decision)
            return
        messages = await asyncio.to_thread(self._store.list_messages, conversation_id=turn.conversation_id, after=summary_upto)
        messages = [m for m in messages if m.content.strip() not in self._announcements()]
        history = await build_history(
            messages=messages, summary=turn.summary, budget=self._settings.history_token_budget,
            summary_max_tokens=self._settings.summary_max_tokens, prompts=self._prompts, llm=llm,
        )  # fmt: skip
        if history.new_summary is not None:
            record.summary, record.summary_upto = history.new_summary, history.new_summary_upto
        action, decided_by = await route(text, history=history.recent, summary=history.summary, prompts=self._prompts, llm=llm)
        record.route = action
        record.decisions.append(DecisionRecord(step=0, kind="route", payload={"action": action, "by": decided_by}))
        if action == "human_agent":
            await self._hand_off(record, state, turn, context, understanding, requested_by_router())
            return
        policy_question = False
        if action in ACCOUNT_ACTIONS:
            procedures = Procedures(
                tools=tools, prompts=self._prompts, llm=llm, language=record.language, text=text, verified_customer_id=verified,
            )  # fmt: skip
            outcome = await procedures.run(action)
            record.proposal = outcome.proposal
            record.verified_customer_id = outcome.verified_customer_id
            record.decisions.append(
                DecisionRecord(
                    step=1,
                    kind="procedure",
                    payload={"action": action, "proposal": outcome.proposal.model_dump() if outcome.proposal else None},
                )
            )
            if outcome.handoff:
                record.outcome, state.offered = "unanswered", True
            await state.say(outcome.reply or "")
        else:  # a question, or a message the model found unclear: the knowledge base answers or says it cannot
            policy_question = True
            answered = await answer_question(
                record=record, say=state.say, llm=llm, tools=tools, prompts=self._prompts, settings=self._settings,
                retriever=self._retriever, text=text, history=history, verified=verified,
            )  # fmt: skip
            if not answered:
                record.outcome = "unanswered"
        best = max((r.dense_score for r in record.retrievals if r.dense_score is not None), default=None)
        decision = self._escalation.decide(
            understanding, context, outcome=record.outcome, policy_question=policy_question and record.outcome != "answered",
            retrieval_confidence=best,
        )  # fmt: skip
        decision = self._escalation.enforce_reply(decision, "".join(state.parts))
        if policy_question and record.outcome == "unanswered":
            # Nothing in the knowledge base: say so, and either hand over now or offer a person.
            await state.say(
                self._prompts.phrase(record.language, "no_knowledge_handoff" if decision.escalate else "no_knowledge")
            )
            state.offered = not decision.escalate
            if decision.escalate:
                await self._hand_off(record, state, turn, context, understanding, decision, after_reply=True, announce=False)
                return
        if decision.escalate:
            await self._hand_off(record, state, turn, context, understanding, decision, after_reply=True)
        else:
            self._note_decision(record, decision)

    async def _resolve_pending(
        self,
        record: TurnRecord,
        state: TurnState,
        tools: TurnTools,
        turn: _TurnScope,
        context: EscalationContext,
        understanding: Understanding,
        pending: PendingConfirmation,
    ) -> bool:
        """Execute, decline or set aside the proposed write; True when that was the whole turn."""
        say = lambda key, **values: self._prompts.phrase(record.language, key, **values)  # noqa: E731
        record.resolved_pending_id = pending.id
        if is_confirmation(turn.text):
            record.route = "confirm"
            action = ProposedAction.model_validate(pending.action)
            write = ProposedWrite(tool=action.tool, refund_amount=action.refund_amount or None)
            decision = self._escalation.decide(understanding, context, proposed_write=write)
            if decision.escalate and decision.reason == "risky_write":
                # Confirmed by the customer, and now it waits for a human agent's approval; nothing runs yet.
                await self._await_approval(record, state, turn, context, understanding, pending, decision)
                return True
            if not await asyncio.to_thread(self._store.claim_pending, pending_id=pending.id):
                record.resolved_pending_id = None  # another request already executed it
                await state.say(say("executed", description=pending.description))
                return True
            record.resolved_pending_status = "failed"  # until the tool says otherwise
            try:
                result = await tools.execute(pending)
            except ToolFailed as exc:
                record.resolved_pending_result = {"error": exc.reason, "message": exc.message}
                if exc.unavailable:
                    raise
                if exc.reason == "awaiting_approval":  # the tools' own limit, should the settings differ
                    await self._await_approval(
                        record, state, turn, context, understanding, pending, needs_approval(pending.name, exc.message)
                    )
                else:
                    record.outcome, state.offered = "unanswered", True
                    await state.say(say("execute_failed", reason=exc.message.rstrip(". ")))
                return True
            record.resolved_pending_status = "executed"
            record.resolved_pending_result = result
            await state.say(say("executed", description=pending.description))
            return True
        if is_refusal(turn.text):
            record.route = "declined"
            record.resolved_pending_status = "declined"
            await state.say(say("declined"))
            return True
        # Anything else is a new request: the proposal lapses and is never executed later.
        record.resolved_pending_status = "superseded"
        return False

    async def _await_approval(
        self,
        record: TurnRecord,
        state: TurnState,
        turn: _TurnScope,
        context: EscalationContext,
        understanding: Understanding,
        pending: PendingConfirmation,
        decision: EscalationDecision,
    ) -> None:
        record.resolved_pending_status = "awaiting_approval"
        await state.say(self._prompts.phrase(record.language, "approval_needed"))
        await self._hand_off(record, state, turn, context, understanding, decision, pending=pending, announce=False)

    async def _hand_off(
        self,
        record: TurnRecord,
        state: TurnState,
        turn: _TurnScope,
        context: EscalationContext,
        understanding: Understanding,
        decision: EscalationDecision,
        *,
        pending: PendingConfirmation | None = None,
        after_reply: bool = False,
        announce: bool = True,
    ) -> None:
        """Queue the conversation for a person (after the turn is stored) and tell the customer."""
        self._note_decision(record, decision)
        record.escalated, record.escalation_reason = True, decision.reason or "reply_promise"
        if not after_reply:
            record.route = "human_agent" if record.route in ("answer", "human_agent") else record.route
        record.outcome = "handoff"
        earlier_texts = [turn_.customer_text for turn_ in context.earlier if turn_.customer_text]
        turn.handoff = {
            "conversation_id": turn.conversation_id,
            "shop": turn.shop,
            "customer_id": turn.customer_id,
            "reason": record.escalation_reason,
            "confidence": decision.confidence,
            "summary": handoff_brief(
                decision=decision,
                understanding=understanding,
                text=turn.text,
                record=record,
                earlier=context.earlier,
                earlier_customer_texts=earlier_texts,
                conversation_summary=turn.summary,
                pending=pending,
            ),  # fmt: skip
            "sentiment_score": understanding.sentiment_score,
            "vip": turn.vip,
            "language": record.language,
            "intent": understanding.intent,
            "pending_action_id": pending.id if pending is not None else None,
        }
        state.handed_off = True
        if announce and not (after_reply and decision.reply_promised_transfer):
            await state.say(("\n\n" if state.parts else "") + self._prompts.phrase(record.language, "handoff"))

    @staticmethod
    def _note_decision(record: TurnRecord, decision: EscalationDecision) -> None:
        record.decisions.append(
            DecisionRecord(step=len(record.decisions), kind="escalation", payload=decision.model_dump(mode="json"))
        )

    async def _fail(self, record: TurnRecord, state: TurnState, cause: str) -> None:
        logger.warning("turn failed: %s", cause)
        record.status = "failed"
        record.outcome = "failed"
        record.failure_cause = cause
        record.proposal = None  # nothing half-proposed survives a failed turn
        record.citations = []  # the apology cites nothing (what was retrieved stays in `retrievals`)
        state.parts.clear()
        state.offered = True
        await state.say(self._prompts.phrase(record.language, "failure"))


@dataclass
class _TurnScope:
    """Who and what the turn is about, and the handoff it decided on (opened once the turn is stored)."""

    conversation_id: str
    shop: str
    customer_id: str
    text: str
    summary: str | None
    vip: bool = False
    handoff: dict[str, Any] | None = None


async def _drain(queue: asyncio.Queue[object]) -> AsyncIterator[TurnEvent]:
    while True:
        item = await queue.get()
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item  # type: ignore[misc]
