"""The registry of standard operations, and the routes that are not operations.

Everything else reads it through a shop's selection of it (offered.py: the
operations its profile names, with its policy's statuses): the route schema's
values, the account actions, the router's keyword rules, the route prompt's
list of actions, the runner (`runner.OperationRunner`) and the drafts'
suggested actions. Adding an operation is one module with its `OPERATION`
record, its phrases in prompts/<version>/phrases_*.yaml, its entry here, and
its name in the profiles of the shops that offer it.

The order is the route prompt's (and the schema's): the small models were
measured with the lines in this order. It decides nothing else: a message that
two operations' rules match goes to the model. A shop's prompt lists only its
own operations, in this order: the operations added for the Chinese shop
(modify_phone … place_order) leave the retail shop's list as it was measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.agent import matching
from assistant.agent.operations import (
    account_info,
    appointment,
    cancel_order,
    cashback,
    ecard_balance,
    exchange_items,
    expedite,
    identify,
    invoice,
    modify_address,
    modify_items,
    modify_payment,
    modify_phone,
    order_status,
    place_order,
    price_protection,
    return_items,
    update_default_address,
)
from assistant.agent.operations.base import Operation, Request

OPERATIONS: tuple[Operation, ...] = (
    order_status.OPERATION,
    cancel_order.OPERATION,
    return_items.OPERATION,
    exchange_items.OPERATION,
    modify_items.OPERATION,
    modify_address.OPERATION,
    modify_phone.OPERATION,
    modify_payment.OPERATION,
    update_default_address.OPERATION,
    invoice.OPERATION,
    appointment.OPERATION,
    expedite.OPERATION,
    price_protection.OPERATION,
    ecard_balance.OPERATION,
    cashback.OPERATION,
    place_order.OPERATION,
    account_info.OPERATION,
    identify.OPERATION,
)
BY_NAME: dict[str, Operation] = {operation.name: operation for operation in OPERATIONS}


@dataclass(frozen=True)
class RouteChoice:
    """One line of the route prompt: an action the model may choose."""

    name: str
    description: str


# The routes that are not operations: the knowledge base answers, a person takes over, or the model is unsure.
QUESTION_ROUTE = RouteChoice(
    "question",
    "a question about products, policies, shipping, returns rules or anything answered by the knowledge base",
)
HUMAN_AGENT_ROUTE = RouteChoice("human_agent", "the customer asks for a human, or is angry")
CLARIFY_ROUTE = RouteChoice("clarify", "the message is unclear")


def route_choices(operations: Sequence[Operation] = OPERATIONS) -> list[RouteChoice]:
    """The route prompt's list, in its order: the question first, the operations, then a person or unclear."""
    return [
        QUESTION_ROUTE,
        *(RouteChoice(operation.name, operation.description) for operation in operations),
        HUMAN_AGENT_ROUTE,
        CLARIFY_ROUTE,
    ]


def route_names(operations: Sequence[Operation] = OPERATIONS) -> tuple[str, ...]:
    return tuple(choice.name for choice in route_choices(operations))


def account_actions(operations: Sequence[Operation] = OPERATIONS) -> frozenset[str]:
    return frozenset(operation.name for operation in operations if operation.account)


def needing_order(operations: Sequence[Operation] = OPERATIONS) -> frozenset[str]:
    return frozenset(operation.name for operation in operations if operation.needs_order)


def operation_words(operations: Sequence[Operation] = OPERATIONS) -> dict[str, tuple[str, ...]]:
    """The words that open the part of a message about each operation (see matching.operation_segment)."""
    return {operation.name: operation.segment_words for operation in operations if operation.segment_words}


def named_operations(text: str, operations: Sequence[Operation] = OPERATIONS) -> list[str]:
    """The operations whose keyword rules the text matches, in the registry's order."""
    return [operation.name for operation in operations if operation.rule is not None and operation.rule.search(text)]


def request(operation: Operation, text: str, operations: Sequence[Operation] = OPERATIONS) -> Request:
    """The message, and its part about `operation`: up to the next word of another operation."""
    own = operation.segment_words
    others = tuple(word for other in operations for word in other.segment_words if word not in own)
    return Request(text=text, segment=matching.operation_segment(text, own, others))
