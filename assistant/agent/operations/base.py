"""What a standard operation is (`Operation`), and what its handler works with in one turn (`OperationTurn`).

An operation is data plus one handler: its name and the line the route prompt
shows for it, the words that route a message to it without a model call, the
policy action it performs (the shop's policy says which order statuses allow
it), the WRITE tools it may propose — one per form of the action, as shops'
policies ask for it (the retail shop cancels with a fixed reason, the Chinese
shop with any; the shop's toolbox holds the form its policy asks for, and
`ShopOperations.tool_for` names it) — and the phrase keys of its replies. The router,
the route schema, the route prompt, the runner and the drafts' suggested
actions all read these records (see registry.py), as the shop offers them
(offered.py).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.agent.outcome import Outcome, ToolFailed
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_llm import TurnLLM
from assistant.connectors.models import Customer, Order
from assistant.shops.policy import Action

if TYPE_CHECKING:
    from assistant.agent.operations.offered import ShopOperations

Handler = Callable[["OperationTurn", str], Awaitable[Outcome]]


def status_of(order: Order) -> str:
    """The order's status in the shop's own words: what its policy is written in and its customers read.

    A reference service that maps a shop's statuses onto the retail ones keeps the shop's own as `source_status`.
    """
    return order.source_status or order.status


@dataclass(frozen=True)
class Request:
    """The customer's words: the whole message, the part of it about this operation, and the orders that part names.

    `order_ids` None: the ids the whole message names (a message with one request), read with the shop's id rules.
    """

    text: str
    segment: str
    order_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DraftSuggestion:
    """How a draft suggests the operation to a human agent: the tool's arguments for an order, and why."""

    arguments: Callable[[Request, Order, Customer], dict[str, Any]]
    reason: str  # for the agent, formatted with order_id and status
    # The write whose arguments `arguments` builds: a shop whose policy asks for another form gets no suggestion.
    tool: str


@dataclass(frozen=True)
class Operation:
    name: str
    # The route prompt's line for it, word for word: the small models were measured with these lines.
    description: str
    handler: Handler
    # Regular expressions that name the operation unambiguously (router.rule_route); None: only the model routes to it.
    words_en: str | None = None
    words_zh: str | None = None
    # The policy action it performs: the shop's policy (shops/<name>/policy.toml) says which order statuses allow it
    # and what it leaves the order as. None: it changes nothing (any order, or no order at all).
    action: Action | None = None
    # A question in these words that names no order is a question for the knowledge base ("how do returns work?").
    needs_order: bool = False
    # It reads or changes the customer's account: identity is checked first.
    account: bool = True
    # The WRITE tools it may propose, one per form of its action (tools/offers.py FORMS); a shop's toolbox holds
    # the ones its policy asks for. An operation with two writes of one form (book or change a visit) names both.
    tools: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()  # the phrase keys its replies use (phrases_<language>.yaml)
    # Words that open the part of a message about it ("return the bottle, and exchange the bed").
    segment_words: tuple[str, ...] = ()
    # The understanding model's intents that ask for it ("return_item"); an intent naming two operations
    # (exchange_item: modify_items before delivery, exchange_items after) leaves the choice to the order.
    intent_words: tuple[str, ...] = ()
    draft: DraftSuggestion | None = None
    rule: re.Pattern[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.tools and self.action is None:
            # The statuses a write needs are the shop's policy's: a write with no action would escape it.
            raise TypeError(f"operation {self.name} proposes {', '.join(self.tools)} but names no policy action")
        if self.draft is not None and self.draft.tool not in self.tools:
            raise TypeError(f"operation {self.name}: its draft suggests {self.draft.tool}, not one of its tools")
        words = "|".join(part for part in (self.words_en, self.words_zh) if part)
        object.__setattr__(self, "rule", re.compile(words, re.IGNORECASE) if words else None)

    @property
    def writes(self) -> bool:
        """Does it propose a write (else it only reads)?"""
        return bool(self.tools)


@dataclass
class OperationTurn:
    """One turn's run of an operation: the customer's words, the shop's operations, the turn's tools, prompts and model."""

    operation: Operation
    request: Request
    offered: ShopOperations
    tools: TurnTools
    prompts: PromptLibrary
    llm: TurnLLM
    language: str
    # The order ids each earlier message of the conversation named, newest message first ("这个订单帮我取消掉"
    # after a status look-up is about the order just talked about).
    earlier_mentions: tuple[tuple[str, ...], ...] = ()
    _customers: dict[str, Customer] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.request.text

    @property
    def tool(self) -> str | None:
        """The form of the operation's write this shop's policy asks for (the handler builds its arguments)."""
        return self.offered.tool_for(self.operation)

    def named_orders(self) -> list[str]:
        """The orders the request names: its own, else those of the whole message (read with the shop's id rules)."""
        if self.request.order_ids is not None:
            return list(self.request.order_ids)
        return self.offered.order_ids(self.request.text)

    def order_in_focus(self, own: Sequence[str]) -> str | None:
        """The order the conversation was last about: the newest earlier message naming any of the customer's `own`
        orders, when it names exactly one of them (a list of orders is no focus)."""
        for mentioned in self.earlier_mentions:
            theirs = [order_id for order_id in dict.fromkeys(mentioned) if order_id in own]
            if theirs:
                return theirs[0] if len(theirs) == 1 else None
        return None

    def statuses(self, operation: Operation | None = None) -> frozenset[str] | None:
        """The order statuses the shop's policy allows the operation in (None: any order)."""
        return self.offered.statuses(operation or self.operation)

    def say(self, key: str, **values: Any) -> str:
        return self.prompts.phrase(self.language, key, **values)

    def reply(self, key: str, **values: Any) -> Outcome:
        return Outcome(route=self.operation.name, reply=self.say(key, **values))

    async def customer(self, user_id: str) -> Customer:
        """The customer's record, read once per turn (every step of an operation may need it)."""
        if user_id not in self._customers:
            self._customers[user_id] = Customer.model_validate(await self.tools.read("get_user_details", user_id=user_id))
        return self._customers[user_id]

    async def propose(self, arguments: Mapping[str, Any], *, tool: str | None = None) -> Outcome:
        """The operation's WRITE tool checks the policy and describes the exact action; nothing is written.

        `tool`: one of the operation's tools the shop offers (an operation with two writes of one form says which);
        else the form the shop's policy asks for. The description is all the confirmation says about the action: a
        reminder the policy asks for ("name every item: one change per order") is the write's own text, so it is
        said once.
        """
        tool = tool or self.tool
        if tool is None or tool not in self.offered.tools_of(self.operation):
            raise TypeError(f"operation {self.operation.name} has no write {tool} in shop {self.offered.shop}")
        try:
            proposal = await self.tools.propose(tool, **arguments)
        except ToolFailed as exc:
            if exc.unavailable:
                raise
            reply = self.say("execute_failed", reason=exc.message.rstrip("。. "))
            return Outcome(route=self.operation.name, reply=reply, handoff=True)
        reply = self.say("confirm", description=proposal.description.rstrip("。. "))
        return Outcome(route=self.operation.name, reply=reply, proposal=proposal)
