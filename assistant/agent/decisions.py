"""The small structured outputs the model produces, as pydantic models.

Each schema is small on purpose (measured: a small schema lets the 1.5B model
pick the right action 12/12 times). No schema has a free-text reply field next
to a tool action: with one, the model writes the tool's result before the tool
has run. The route's values come from the operations' registry; the slots an
operation asks the model for (a name, an address) live with the operations
(operations/extraction.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, create_model

from assistant.agent.operations.base import Operation
from assistant.agent.operations.registry import OPERATIONS, account_actions, route_names


def action_literal(names: Sequence[str]) -> Any:
    """`Literal[<names>]`, built at run time from the registry."""
    return Literal[tuple(names)]


# A type checker cannot read a Literal built at run time: it sees a str, pydantic (and the schema) the Literal.
if TYPE_CHECKING:
    Action = str
else:
    Action = action_literal(route_names(OPERATIONS))

# Actions that read or change the customer's account: identity is checked first.
ACCOUNT_ACTIONS: frozenset[str] = account_actions(OPERATIONS)


class Route(BaseModel):
    """What the customer's message asks for."""

    action: Action


def route_model(operations: Sequence[Operation]) -> type[Route]:
    """The `Route` schema over another list of operations (`Route` itself is this over the registry)."""
    return create_model("Route", __base__=Route, __doc__=Route.__doc__, action=(action_literal(route_names(operations)), ...))


def tool_choice_model(names: list[str]) -> type[BaseModel]:
    """`{"tool": <one of names or "reply">}` for the general path's next step."""
    choice: Any = Literal[tuple([*names, "reply"])]  # a Literal built at run time from the tools offered
    return create_model("ToolChoice", tool=(choice, ...))
