"""What a tool is: a typed method tagged READ or WRITE whose schema comes from its signature and docstring.

A tool method takes the request's ``ToolContext`` first, then its arguments; the
Google-style docstring is the prompt text (summary = description, ``Args:`` =
one description per argument). ``spec_for`` turns such a method into a
``ToolSpec``: a pydantic model that validates the model's arguments and whose JSON
schema is the OpenAI function's ``parameters`` — no hand-written schema anywhere.
"""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import docstring_parser
from pydantic import BaseModel, ConfigDict, Field, create_model

from assistant.errors import AssistantError, CommerceUnavailableError


class ToolKind(StrEnum):
    READ = "read"
    WRITE = "write"


class ProposedAction(BaseModel):
    """A write the customer must confirm (and, above the refund limit, a human agent approve) before it runs.

    Keep it on the server side of the conversation and hand it back to
    ``Toolbox.execute_confirmed`` unchanged once the customer said yes.
    """

    tool: str
    arguments: dict[str, Any]
    description: str = Field(description="Exactly what will happen, in the customer's language.")
    idempotency_key: str = Field(description="Derived from conversation, tool and arguments; sent with the write.")
    conversation_id: str
    customer_id: str | None
    status: Literal["awaiting_confirmation", "awaiting_approval"]
    refund_amount: float = Field(default=0.0, description="Money this write sends back to the customer.")
    currency: str | None = None
    approval_reason: str | None = None


class HandoffRequest(BaseModel):
    summary: str
    reason: str


class ToolResult(BaseModel):
    """What a tool call gives back to the agent: data, a proposal to confirm, a handoff, or an error it can act on.

    A failed call keeps its domain error in ``cause``: whether the shop was unreachable is a type, not a string.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tool: str
    ok: bool
    data: Any = None
    error: str | None = Field(default=None, description="What went wrong, for the model and the customer.")
    reason: str | None = Field(default=None, description="Machine-readable reason of a refusal or failure.")
    proposed_action: ProposedAction | None = None
    handoff: HandoffRequest | None = None
    cause: AssistantError | None = Field(default=None, exclude=True, repr=False)

    @classmethod
    def failure(cls, tool: str, error: AssistantError) -> ToolResult:
        return cls(tool=tool, ok=False, error=error.message, reason=error.reason, cause=error)

    @property
    def unavailable(self) -> bool:
        """The shop's systems could not answer (down, 5xx, refused key, timeout): nothing the customer did."""
        return isinstance(self.cause, CommerceUnavailableError)

    def to_content(self) -> str:
        """The tool message content the model reads (JSON)."""
        if self.proposed_action is not None:
            action = self.proposed_action
            payload: dict[str, Any] = {
                "status": action.status,
                "description": action.description,
                "next_step": "Ask the customer to confirm exactly this (yes/no) before anything is done."
                if action.status == "awaiting_confirmation"
                else "Tell the customer a human agent must approve this first.",
            }
        elif self.ok:
            payload = {"result": self.data}
        else:
            payload = {"error": self.error, "reason": self.reason}
        return json.dumps(payload, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Proposal:
    """What a WRITE tool's pre-check returns: the description to confirm and the money at stake.

    `arguments`: arguments the pre-check settled, which the confirmed write runs with instead of the model's
    (a day said as "周六" is the date shown in the description, even when the write runs after midnight).
    """

    description: str
    refund_amount: float = 0.0
    currency: str | None = None
    arguments: dict[str, Any] | None = None


ToolHandler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    kind: ToolKind
    description: str
    args_model: type[BaseModel]
    handler: ToolHandler
    executor: ToolHandler | None

    def openai_schema(self) -> dict[str, Any]:
        parameters = _without_titles(self.args_model.model_json_schema())
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": parameters}}


def tool(kind: ToolKind, *, executor: str | None = None) -> Callable[[ToolHandler], ToolHandler]:
    """Mark a method as a tool. A WRITE tool names the method that really performs it once confirmed."""
    if (kind is ToolKind.WRITE) != (executor is not None):
        raise TypeError("a WRITE tool needs an executor, a READ tool has none")

    def mark(method: ToolHandler) -> ToolHandler:
        method.__tool_kind__ = kind  # type: ignore[attr-defined]
        method.__tool_executor__ = executor  # type: ignore[attr-defined]
        return method

    return mark


# Words a docstring may hold that the toolbox fills in for its shop (the schema is prompt text the model reads),
# and what they say in a toolbox built for no shop in particular.
PLACEHOLDERS = ("{example_order_id}",)
DEFAULT_WORDS = {"example_order_id": "#W0000000"}


def specs_of(toolset: object, words: dict[str, str] | None = None) -> list[ToolSpec]:
    """Every tool method of a tool-set instance, as specs (in definition order); `words` fill the docstrings."""
    specs = []
    for name, member in vars(type(toolset)).items():
        kind = getattr(member, "__tool_kind__", None)
        if kind is None:
            continue
        executor_name = member.__tool_executor__
        executor = getattr(toolset, executor_name) if executor_name else None
        specs.append(spec_for(getattr(toolset, name), kind, executor, words))
    return specs


def spec_for(
    method: ToolHandler, kind: ToolKind, executor: ToolHandler | None = None, words: dict[str, str] | None = None
) -> ToolSpec:
    function = getattr(method, "__func__", method)
    text = inspect.getdoc(function) or ""
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, (words or {}).get(placeholder.strip("{}"), DEFAULT_WORDS[placeholder.strip("{}")]))
    doc = docstring_parser.parse(text, style=docstring_parser.DocstringStyle.GOOGLE)
    described = {param.arg_name: (param.description or "").strip() for param in doc.params}
    hints = typing.get_type_hints(function, include_extras=True)
    parameters = list(inspect.signature(function).parameters.values())[2:]  # self, ctx
    fields: dict[str, Any] = {}
    for parameter in parameters:
        if not described.get(parameter.name):
            raise TypeError(f"tool {function.__name__}: argument {parameter.name!r} has no description in Args:")
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        fields[parameter.name] = (hints[parameter.name], Field(default, description=described[parameter.name]))
    model_name = "".join(part.title() for part in function.__name__.split("_")) + "Arguments"
    args_model = create_model(model_name, __config__=ConfigDict(extra="forbid"), **fields)
    description = "\n\n".join(part for part in (doc.short_description, doc.long_description) if part)
    if not description:
        raise TypeError(f"tool {function.__name__} has no docstring")
    return ToolSpec(function.__name__, kind, description, args_model, method, executor)


def _without_titles(schema: Any) -> Any:
    """Pydantic's auto titles only repeat the names; small models do better with less noise."""
    if isinstance(schema, dict):
        return {key: _without_titles(value) for key, value in schema.items() if key != "title" or not isinstance(value, str)}
    if isinstance(schema, list):
        return [_without_titles(value) for value in schema]
    return schema
