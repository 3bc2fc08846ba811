"""The small structured outputs the model produces, as pydantic models.

Each schema is small on purpose (measured: a small schema lets the 1.5B model
pick the right action 12/12 times). No schema has a free-text reply field next
to a tool action: with one, the model writes the tool's result before the tool
has run.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

Action = Literal[
    "question",
    "order_status",
    "cancel_order",
    "return_items",
    "exchange_items",
    "modify_items",
    "modify_address",
    "modify_payment",
    "update_default_address",
    "account_info",
    "identify",
    "human_agent",
    "clarify",
]

# Actions that read or change the customer's account: identity is checked first.
ACCOUNT_ACTIONS: frozenset[str] = frozenset(get_args(Action)) - {"question", "human_agent", "clarify"}


class Route(BaseModel):
    """What the customer's message asks for."""

    action: Action


class NameSlots(BaseModel):
    first_name: str | None = Field(None, max_length=40)
    last_name: str | None = Field(None, max_length=40)


class AddressSlots(BaseModel):
    address1: str | None = Field(None, max_length=120)
    address2: str | None = Field(None, max_length=120)
    city: str | None = Field(None, max_length=80)
    state: str | None = Field(None, max_length=40)
    country: str | None = Field(None, max_length=60)
    zip: str | None = Field(None, max_length=12)


def tool_choice_model(names: list[str]) -> type[BaseModel]:
    """`{"tool": <one of names or "reply">}` for the general path's next step."""
    from pydantic import create_model

    choice: Any = Literal[tuple([*names, "reply"])]  # a Literal built at run time from the tools offered
    return create_model("ToolChoice", tool=(choice, ...))
