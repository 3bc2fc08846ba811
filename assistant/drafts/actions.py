"""Suggested next actions of a draft: what the customer wants, applied to their orders, checked by the real tools.

The wishes and the actions are the shop's standard operations (its part of the
registry, agent/operations/offered.py): the wish from an operation's keyword rules (and the
understanding model's intents stored on the conversation's messages); the order
from the ids the customer named, or the one order in the operation's status;
the tool's arguments from the operation's own code. Every write is then asked
of the toolbox's WRITE tool: it checks ownership and the store policy and
answers with a `ProposedAction` or a refusal, so only actions the policy allows
are ever suggested. Running one later hands that proposal back to
`Toolbox.execute_confirmed`, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.agent.operations.base import Operation, Request, status_of
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.operations.registry import named_operations, request
from assistant.agent.router import QUESTION
from assistant.connectors.models import Order
from assistant.drafts.context import GatheredContext
from assistant.drafts.models import SuggestedAction
from assistant.drafts.subject import Subject
from assistant.tools.base import ProposedAction
from assistant.tools.context import ToolContext
from assistant.tools.environment import ToolEnvironment


@dataclass
class Suggestion:
    action: SuggestedAction
    proposal: ProposedAction | None
    order: Order | None


def wishes(subject: Subject, offered: ShopOperations) -> list[str]:
    """The shop's operations the customer asks to have done (their names); a question naming no order asks nothing."""
    found: list[str] = []
    for text in subject.customer_texts[-2:]:
        if QUESTION.search(text) and not offered.order_ids(text):
            continue  # "how do returns work?" asks for the policy, not for a return
        found += named_operations(text, offered.operations)
    # The understanding model's intents (the shop set's names), e.g. "return_item".
    for intent in subject.intents[-2:]:
        found += [operation.name for operation in offered for word in operation.intent_words if word in intent]
    return list(dict.fromkeys(found))


def named_order_ids(subject: Subject, offered: ShopOperations) -> list[str]:
    """The order ids the customer's messages name, as the shop writes them."""
    return list(dict.fromkeys(order_id for text in subject.customer_texts for order_id in offered.order_ids(text)))


async def suggest(
    environment: ToolEnvironment, ctx: ToolContext, subject: Subject, gathered: GatheredContext, offered: ShopOperations
) -> list[Suggestion]:
    """The shop's operations wished for that a draft can suggest, each for its order, as the tools proposed them."""
    customer = gathered.customer
    if customer is None:
        return []
    wished = wishes(subject, offered)
    named = [gathered.orders[order_id] for order_id in named_order_ids(subject, offered) if order_id in gathered.orders]
    suggestions: list[Suggestion] = []
    for operation in offered:
        # A suggestion builds the arguments of one form of the write: a shop whose policy asks for another gets none.
        if operation.draft is None or offered.tool_for(operation) != operation.draft.tool or operation.name not in wished:
            continue
        order = _target(named, gathered, offered.statuses(operation))
        if order is None:
            continue
        arguments = operation.draft.arguments(_request(operation, subject, offered), order, customer)
        reason = operation.draft.reason.format(order_id=order.order_id, status=status_of(order))
        suggestions += await _proposal(environment, ctx, operation.draft.tool, arguments, reason, order, gathered.context.notes)
    return suggestions


def _request(operation: Operation, subject: Subject, offered: ShopOperations) -> Request:
    """All the customer's messages, each cut to its part about the operation (as the agent cuts one message)."""
    parts = [request(operation, text, offered.operations) for text in subject.customer_texts]
    return Request(text="\n".join(part.text for part in parts), segment="\n".join(part.segment for part in parts))


def _target(named: list[Order], gathered: GatheredContext, statuses: frozenset[str] | None) -> Order | None:
    """The order named in a status the shop's policy allows the operation in; or, when none is named, the only
    recent order in one."""
    candidates = named or list(gathered.orders.values())
    fitting = [order for order in candidates if statuses is None or status_of(order) in statuses]
    return fitting[0] if len(fitting) == 1 or (named and fitting) else None


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
    return [Suggestion(action=action, proposal=proposed, order=order)]
