"""Suggested next actions of a draft: what the customer wants, applied to their orders, checked by the real tools.

The wish comes from the agent's keyword rules (and the understanding model's
intents stored on the conversation's messages); the order from the ids the
customer named, or the one order whose status fits the wish. Every write is
then asked of the toolbox's WRITE tool: it checks ownership and the store
policy and answers with a `ProposedAction` or a refusal, so only actions the
policy allows are ever suggested. Running one later hands that proposal back to
`Toolbox.execute_confirmed`, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.agent import slots
from assistant.agent.router import QUESTION, RULES
from assistant.agent.tooling import ToolEnvironment
from assistant.connectors.models import Order
from assistant.drafts.context import GatheredContext
from assistant.drafts.models import SuggestedAction
from assistant.drafts.subject import Subject
from assistant.tools.context import ToolContext

# Words of the understanding model's intent names (Bitext's set and shops' own) that name a wish.
INTENT_WISHES = (("cancel", "cancel_order"), ("refund", "return_items"), ("return", "return_items"))


@dataclass
class Suggestion:
    action: SuggestedAction
    proposal: dict[str, Any] | None
    order: Order | None


def wishes(subject: Subject) -> list[str]:
    """What the customer asks to have done, in the agent's action names; a question naming no order asks nothing."""
    found: list[str] = []
    for text in subject.customer_texts[-2:]:
        if QUESTION.search(text) and not slots.order_ids(text):
            continue  # "how do returns work?" asks for the policy, not for a return
        found += [action for action, pattern in RULES if pattern.search(text)]
    for intent in subject.intents[-2:]:
        found += [wish for word, wish in INTENT_WISHES if word in intent]
    return list(dict.fromkeys(found))


def named_order_ids(subject: Subject) -> list[str]:
    return list(dict.fromkeys(order_id for text in subject.customer_texts for order_id in slots.order_ids(text)))


def tool_context(environment: ToolEnvironment, *, conversation_id: str, customer_id: str, language: str) -> ToolContext:
    """The tools acting for the draft's customer: the agent saw the customer's record, so identity counts as verified."""
    return ToolContext(
        conversation_id=conversation_id,
        connectors=environment.connectors,
        audit=environment.audit,
        authenticated_customer_id=customer_id,
        verified_customer_id=customer_id,
        language="zh" if language == "zh" else "en",
    )


async def suggest(
    environment: ToolEnvironment, ctx: ToolContext, subject: Subject, gathered: GatheredContext
) -> list[Suggestion]:
    if gathered.customer is None:
        return []
    wished = wishes(subject)
    named = [gathered.orders[order_id] for order_id in named_order_ids(subject) if order_id in gathered.orders]
    mistake = any(slots.CANCEL_MISTAKE.search(text) for text in subject.customer_texts)
    suggestions: list[Suggestion] = []
    if "cancel_order" in wished and (order := _target(named, gathered, "pending")) is not None:
        cancel = {"order_id": order.order_id, "reason": "ordered by mistake" if mistake else "no longer needed"}
        reason = f"The customer asks to cancel order {order.order_id}, which is {order.status}."
        suggestions += await _proposal(environment, ctx, "cancel_pending_order", cancel, reason, order, gathered.context.notes)
    if "return_items" in wished and (order := _target(named, gathered, "delivered")) is not None:
        items = _named_items(order, subject) or [item.item_id for item in order.items]
        returned = {"order_id": order.order_id, "item_ids": items, "payment_method_id": _original_method(order)}
        reason = f"The customer wants to return items of order {order.order_id}, which is {order.status}."
        suggestions += await _proposal(
            environment, ctx, "return_delivered_order_items", returned, reason, order, gathered.context.notes
        )
    return suggestions


def _target(named: list[Order], gathered: GatheredContext, status: str) -> Order | None:
    """The order named with the right status; or, when none is named, the only recent order with it."""
    candidates = named or list(gathered.orders.values())
    fitting = [order for order in candidates if order.status == status]
    return fitting[0] if len(fitting) == 1 or (named and fitting) else None


def _named_items(order: Order, subject: Subject) -> list[str]:
    text = " ".join(subject.customer_texts).lower()
    return [item.item_id for item in order.items if item.name.lower() in text or item.item_id in text]


def _original_method(order: Order) -> str:
    payments = [payment for payment in order.payment_history if payment.transaction_type == "payment"]
    return payments[0].payment_method_id if payments else ""


async def _proposal(
    environment: ToolEnvironment,
    ctx: ToolContext,
    tool: str,
    arguments: Mapping[str, Any],
    reason: str,
    order: Order,
    notes: list[str],
) -> list[Suggestion]:
    result = await environment.toolbox.call(tool, arguments, ctx)
    if result.proposed_action is None:
        # The policy refused it (the refusal is also in the audit log): the agent learns why, nothing is suggested.
        notes.append(f"{tool} for order {order.order_id} is not suggested: {result.error}")
        return []
    proposed = result.proposed_action
    action = SuggestedAction(
        tool=tool,
        arguments=proposed.arguments,
        description=proposed.description,
        reason=reason,
        kind="write",
        needs_approval=proposed.status == "awaiting_approval",
    )
    return [Suggestion(action=action, proposal=proposed.model_dump(mode="json"), order=order)]
