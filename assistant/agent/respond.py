"""What a turn does with the customer's message, once it knows who they are and what was said before.

In order: a write waiting for this customer's yes; a yes to an offer of a
person; an escalation before any attempt (an explicit request, anger, a legal
topic); the route (keyword rules, else the model); then a standard operation or
an answer from the knowledge base; and the escalation decision after it.
"""

from __future__ import annotations

import asyncio

from assistant.agent.confirmation import is_confirmation
from assistant.agent.escalation_step import accepted_offer, requested_by_router
from assistant.agent.general import answer_question
from assistant.agent.handoff_step import hand_off, note_decision
from assistant.agent.history import HistoryView, build_history
from assistant.agent.operations.combined import combine
from assistant.agent.operations.plan import PlannedRequest, plan_requests
from assistant.agent.operations.runner import OperationRunner
from assistant.agent.pending_step import resolve_pending
from assistant.agent.router import route, rule_route
from assistant.agent.turn_context import Turn, TurnDeps
from assistant.conversations.records import DecisionRecord
from assistant.escalation import reply_offers_transfer

# How far back "this order" may reach: the order named in the last few messages, not one from long ago.
EARLIER_MESSAGES = 6


async def respond(deps: TurnDeps, turn: Turn) -> None:
    record, understanding, context = turn.record, turn.known_understanding(), turn.context
    waiting = await asyncio.to_thread(deps.pending.waiting, conversation_id=turn.request.conversation_id)
    if waiting and await resolve_pending(deps, turn, waiting):
        if not turn.handed_off:
            note_decision(record, turn.shop.escalation.decide(understanding, context, text=turn.text, outcome=record.outcome))
        return
    if not waiting and is_confirmation(turn.text):
        if context.offered_handoff:
            await hand_off(deps, turn, accepted_offer())
        else:  # a yes to nothing never starts an operation ("yes" after "I could not find that order")
            record.route = "confirm_nothing"
            await turn.say(turn.phrase("nothing_pending"))
        return
    decision = turn.shop.escalation.decide(understanding, context, text=turn.text)
    if decision.escalate:  # asked for a person, angry, a legal topic...: no attempt first
        await hand_off(deps, turn, decision)
        return
    offered = turn.shop.operations
    planned = plan_requests(turn.text, offered)
    if len(planned) > 1 and rule_route(turn.text, offered) not in ("question", "human_agent"):
        # Several requests in one message, each named in so many words: no routing call.
        record.route, record.stages.routed_by = planned[0].name, "plan"
        requests = [p.name for p in planned]
        record.decisions.append(
            DecisionRecord(step=0, kind="route", payload={"action": record.route, "by": "plan", "requests": requests})
        )
        await _operate(deps, turn, planned)
        await _decide_after(deps, turn, policy_question=False)
        return
    history = await _history(deps, turn)
    action, decided_by = await route(
        turn.text, history=history.recent, summary=history.summary, prompts=turn.shop.prompts, llm=turn.llm,
        operations=offered, understanding=understanding, settings=deps.settings,
    )  # fmt: skip
    record.route = action
    record.decisions.append(DecisionRecord(step=0, kind="route", payload={"action": action, "by": decided_by}))
    if action == "human_agent":
        await hand_off(deps, turn, requested_by_router())
        return
    policy_question = action not in offered.account_actions
    if policy_question:  # a question, or a message the model found unclear: the knowledge base answers or says it cannot
        answered = await answer_question(
            record=record, say=turn.say, llm=turn.llm, tools=turn.turn_tools(), prompts=turn.shop.prompts,
            settings=deps.settings, retriever=turn.shop.retriever, text=turn.text, history=history,
            verified=turn.verified, offered=offered,
        )  # fmt: skip
        if not answered:
            record.outcome = "unanswered"
    else:
        # The request the message's words name, with its order ids and status alternatives, when it is the route's.
        one = [p for p in planned if p.name == action][:1] or [PlannedRequest.whole(action, turn.text, offered)]
        await _operate(deps, turn, one)
    await _decide_after(deps, turn, policy_question=policy_question)


async def _operate(deps: TurnDeps, turn: Turn, planned: list[PlannedRequest]) -> None:
    """The standard operations for the verified customer: one reply, and the writes it proposes (if any)."""
    record = turn.record
    procedures = OperationRunner(
        offered=turn.shop.operations, tools=turn.turn_tools(), prompts=turn.shop.prompts, llm=turn.llm,
        language=record.language, text=turn.text, verified_customer_id=turn.verified,
        earlier_mentions=await _earlier_mentions(deps, turn),
    )  # fmt: skip
    combined = combine(await procedures.run_plan(planned), turn.shop.prompts, record.language, turn.shop.operations)
    record.proposals = combined.proposals
    record.verified_customer_id = combined.verified_customer_id
    proposals = [proposal.model_dump(mode="json") for proposal in combined.proposals]
    record.decisions.append(
        DecisionRecord(step=1, kind="procedure", payload={"actions": combined.routes, "proposals": proposals})
    )
    if combined.handoff:
        record.outcome, turn.offered = "unanswered", True
    await turn.say(combined.reply)


async def _decide_after(deps: TurnDeps, turn: Turn, *, policy_question: bool) -> None:
    """The escalation decision once the turn has replied: a failed answer, low confidence, a promise of a person."""
    record = turn.record
    best = max((r.dense_score for r in record.retrievals if r.dense_score is not None), default=None)
    escalation = turn.shop.escalation
    decision = escalation.decide(
        turn.known_understanding(), turn.context, text=turn.text, outcome=record.outcome,
        policy_question=policy_question and record.outcome != "answered", retrieval_confidence=best,
    )  # fmt: skip
    reply = "".join(turn.parts)
    decision = escalation.enforce_reply(decision, reply)
    if reply_offers_transfer(reply):  # "如果您需要转接人工客服，请告诉我": a yes to it hands over
        turn.offered = True
    if policy_question and record.outcome == "unanswered":
        # Nothing in the knowledge base: say so, and either hand over now or offer a person.
        await turn.say(turn.phrase("no_knowledge_handoff" if decision.escalate else "no_knowledge"))
        turn.offered = not decision.escalate
        if decision.escalate:
            await hand_off(deps, turn, decision, after_reply=True, announce=False)
            return
    if decision.escalate:
        await hand_off(deps, turn, decision, after_reply=True)
    else:
        note_decision(record, decision)


async def _earlier_mentions(deps: TurnDeps, turn: Turn) -> tuple[tuple[str, ...], ...]:
    """The order ids each earlier message of the conversation names (the shop's id rules), newest first."""
    messages = await asyncio.to_thread(
        deps.conversations.list_messages, conversation_id=turn.request.conversation_id, after=turn.summary_upto
    )
    earlier = [m for m in messages if m.content != turn.text or m.role != "customer"][-EARLIER_MESSAGES:]
    return tuple(tuple(turn.shop.operations.order_ids(m.content)) for m in reversed(earlier))


async def _history(deps: TurnDeps, turn: Turn) -> HistoryView:
    messages = await asyncio.to_thread(
        deps.conversations.list_messages, conversation_id=turn.request.conversation_id, after=turn.summary_upto
    )
    announcements = _announcements(turn)
    messages = [m for m in messages if m.content.strip() not in announcements]
    history = await build_history(
        messages=messages, summary=turn.summary, budget=deps.settings.history_token_budget,
        summary_max_tokens=deps.settings.summary_max_tokens, prompts=turn.shop.prompts, llm=turn.llm,
    )  # fmt: skip
    if history.new_summary is not None:
        turn.record.summary, turn.record.summary_upto = history.new_summary, history.new_summary_upto
    return history


def _announcements(turn: Turn) -> set[str]:
    """The fixed handoff notices: left out of the history, or a small model repeats them (and would hand over)."""
    return {
        turn.shop.prompts.phrase(language, key).strip()
        for language in ("en", "zh")
        for key in ("handoff", "no_knowledge_handoff", "approval_needed")
    }
