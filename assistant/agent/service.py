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
from typing import TYPE_CHECKING

from assistant.agent.confirmation import is_confirmation, is_refusal
from assistant.agent.decisions import ACCOUNT_ACTIONS
from assistant.agent.events import FinalEvent, TokenEvent, TurnEvent, TurnResult
from assistant.agent.general import answer_question
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
from assistant.settings import AgentSettings

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Retriever

logger = logging.getLogger(__name__)
Emit = Callable[[str], Awaitable[None]]
_DONE = object()


class TurnState:
    """What the running turn has said so far, and whether it offered or made a handoff."""

    def __init__(self, emit_event: Callable[[TurnEvent], Awaitable[None]]) -> None:
        self.parts: list[str] = []
        self.handoff = False
        self._emit_event = emit_event

    async def say(self, text: str) -> None:
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
    ) -> None:
        self._settings = settings
        self._llm = llm
        self._store = store
        self._prompts = prompts
        self._retriever = retriever
        self._tools = tools
        self._running: set[asyncio.Task[None]] = set()

    @property
    def prompt_version(self) -> str:
        return self._prompts.version

    def run_turn(self, *, conversation_id: str, customer_id: str, text: str) -> AsyncIterator[TurnEvent]:
        """Start the turn now and iterate over its events: tokens, then one final event.

        The caller has already checked the input and that the conversation is the customer's and open.
        """
        queue: asyncio.Queue[object] = asyncio.Queue()
        task = asyncio.create_task(self._run(queue, conversation_id=conversation_id, customer_id=customer_id, text=text))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return _drain(queue)

    async def wait_idle(self) -> None:
        """Wait for turns still running (used at shutdown, so no turn is lost)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self, queue: asyncio.Queue[object], *, conversation_id: str, customer_id: str, text: str) -> None:
        try:
            result = await self._turn(queue.put, conversation_id=conversation_id, customer_id=customer_id, text=text)
            await queue.put(FinalEvent(result=result))
        except BaseException as exc:  # handed to the reader, which re-raises it in the request
            await queue.put(exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            await queue.put(_DONE)

    async def _turn(
        self, emit_event: Callable[[TurnEvent], Awaitable[None]], *, conversation_id: str, customer_id: str, text: str
    ) -> TurnResult:
        started = time.perf_counter()
        record = TurnRecord(prompt_version=self._prompts.version, language=reply_language(text), customer_text=text)
        state = TurnState(emit_event)
        llm = TurnLLM(self._llm, record)
        verified, summary, summary_upto = await asyncio.to_thread(self._store.conversation_state, conversation_id=conversation_id)
        tools = TurnTools(
            self._tools, record, customer_id=customer_id, verified_customer_id=verified, conversation_id=conversation_id
        )
        try:
            async with asyncio.timeout(self._settings.turn_seconds):
                await self._respond(
                    record, state, llm, tools, conversation_id=conversation_id, customer_id=customer_id, text=text,
                    verified=verified, summary=summary, summary_upto=summary_upto,
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
        turn_id = await asyncio.to_thread(self._store.save_turn, conversation_id=conversation_id, record=record)
        pending = None
        if record.proposal is not None:
            pending = await asyncio.to_thread(self._store.pending_action, conversation_id=conversation_id)
        return TurnResult(
            conversation_id=conversation_id,
            turn_id=turn_id,
            reply=record.reply,
            language=record.language,  # type: ignore[arg-type]
            route=record.route,
            status=record.status,
            citations=record.citations,
            actions=record.actions,
            pending_confirmation=pending,
            handoff=state.handoff,
            prompt_version=record.prompt_version,
        )

    async def _respond(
        self,
        record: TurnRecord,
        state: TurnState,
        llm: TurnLLM,
        tools: TurnTools,
        *,
        conversation_id: str,
        customer_id: str,
        text: str,
        verified: str | None,
        summary: str | None,
        summary_upto: int,
    ) -> None:
        pending = await asyncio.to_thread(self._store.pending_action, conversation_id=conversation_id)
        if pending is not None and await self._resolve_pending(record, state, tools, pending, text):
            return
        messages = await asyncio.to_thread(self._store.list_messages, conversation_id=conversation_id, after=summary_upto)
        history = await build_history(
            messages=messages, summary=summary, budget=self._settings.history_token_budget,
            summary_max_tokens=self._settings.summary_max_tokens, prompts=self._prompts, llm=llm,
        )  # fmt: skip
        if history.new_summary is not None:
            record.summary, record.summary_upto = history.new_summary, history.new_summary_upto
        action, decided_by = await route(text, history=history.recent, summary=history.summary, prompts=self._prompts, llm=llm)
        record.route = action
        record.decisions.append(DecisionRecord(step=0, kind="route", payload={"action": action, "by": decided_by}))
        say = lambda key, **values: self._prompts.phrase(record.language, key, **values)  # noqa: E731
        if action == "human_agent":
            await tools.transfer(summary=f"{history.summary or ''} Customer said: {text}".strip(), reason="explicit_request")
            state.handoff = True
            await state.say(say("handoff"))
        elif action in ACCOUNT_ACTIONS:
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
            state.handoff = outcome.handoff
            await state.say(outcome.reply or "")
        else:  # a question, or a message the model found unclear: the knowledge base answers or says it cannot
            state.handoff = not await answer_question(
                record=record, say=state.say, llm=llm, tools=tools, prompts=self._prompts, settings=self._settings,
                retriever=self._retriever, text=text, history=history, verified=verified,
            )  # fmt: skip

    async def _resolve_pending(
        self, record: TurnRecord, state: TurnState, tools: TurnTools, pending: PendingConfirmation, text: str
    ) -> bool:
        """Execute, decline or set aside the proposed write; True when that was the whole turn."""
        say = lambda key, **values: self._prompts.phrase(record.language, key, **values)  # noqa: E731
        record.resolved_pending_id = pending.id
        if is_confirmation(text):
            record.route = "confirm"
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
                if exc.reason == "awaiting_approval":
                    # Over the refund limit: confirmed by the customer, now waiting for a human agent's approval.
                    record.resolved_pending_status = "awaiting_approval"
                    await state.say(say("approval_needed"))
                else:
                    await state.say(say("execute_failed", reason=exc.message.rstrip(". ")))
                state.handoff = True
                return True
            record.resolved_pending_status = "executed"
            record.resolved_pending_result = result
            await state.say(say("executed", description=pending.description))
            return True
        if is_refusal(text):
            record.route = "declined"
            record.resolved_pending_status = "declined"
            await state.say(say("declined"))
            return True
        # Anything else is a new request: the proposal lapses and is never executed later.
        record.resolved_pending_status = "superseded"
        return False

    async def _fail(self, record: TurnRecord, state: TurnState, cause: str) -> None:
        logger.warning("turn failed: %s", cause)
        record.status = "failed"
        record.failure_cause = cause
        record.proposal = None  # nothing half-proposed survives a failed turn
        state.parts.clear()
        state.handoff = True
        await state.say(self._prompts.phrase(record.language, "failure"))


async def _drain(queue: asyncio.Queue[object]) -> AsyncIterator[TurnEvent]:
    while True:
        item = await queue.get()
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item  # type: ignore[misc]
