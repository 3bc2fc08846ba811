"""One turn's run of the standard operations a message asks for: identity first, then each request's handler.

The model (or a keyword rule) classified the request; from here code does the
work the store policy describes: check identity, look the order up, check its
status, resolve the items and variants the customer described to exact ids, and
propose one exact write per request for the customer to confirm. Nothing here
is left to the model's memory of ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn, Request, status_of
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.operations.plan import PlannedRequest
from assistant.agent.outcome import Outcome, ToolFailed
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_llm import TurnLLM
from assistant.connectors.models import Customer

# "all my pending orders", "every order", "所有订单": one request for each order that fits.
ALL_ORDERS = re.compile(r"\b(all|every|each)\b[^.?!]{0,25}\borders\b|所有(的)?订单|全部(的)?订单", re.IGNORECASE)
# "#W1 and #W2, both", "两个订单…都给我申请价保": one request naming several orders is one for each of them.
EACH_NAMED = re.compile(r"\b(both|each|all)\b|都|两个|分别|各", re.IGNORECASE)


@dataclass(frozen=True)
class RequestOutcome:
    """What one request of the message came to: the operation that applied, and its outcome."""

    planned: PlannedRequest
    operation: Operation
    outcome: Outcome


@dataclass
class PlanOutcome:
    """Every request's outcome, in order; or, before any, the question about who the customer is."""

    results: list[RequestOutcome] = field(default_factory=list)
    identity_stop: Outcome | None = None
    verified_customer_id: str | None = None


class OperationRunner:
    """Runs the shop's operations for the customer of the turn."""

    def __init__(
        self,
        *,
        offered: ShopOperations,
        tools: TurnTools,
        prompts: PromptLibrary,
        llm: TurnLLM,
        language: str,
        text: str,
        verified_customer_id: str | None,
        earlier_mentions: tuple[tuple[str, ...], ...] = (),
    ) -> None:
        self._offered = offered
        self._tools = tools
        self._prompts = prompts
        self._llm = llm
        self._language = language
        self._text = text
        self._verified = verified_customer_id
        self._earlier_mentions = earlier_mentions
        self._customers: dict[str, Customer] = {}  # read once per turn, whatever the number of requests

    async def run(self, action: str) -> Outcome:
        """The one operation `action` (the router's choice) over the whole message."""
        done = await self.run_plan([PlannedRequest.whole(action, self._text, self._offered)])
        if done.identity_stop is not None:
            return done.identity_stop
        return done.results[0].outcome

    async def run_plan(self, planned: list[PlannedRequest]) -> PlanOutcome:
        """Each request in order, for the customer identified once."""
        first = planned[0]
        user_id, stop = await identity.identify(self._turn(first.operation, first.request), self._verified)
        if stop is not None or user_id is None:
            return PlanOutcome(identity_stop=stop or identity.asking(self._turn(first.operation, first.request)))
        done = PlanOutcome(verified_customer_id=user_id)
        for each in planned:
            for request in await self._each_order(each, user_id):
                operation, outcome = await self._run_one(request, user_id)
                outcome.verified_customer_id = user_id
                done.results.append(RequestOutcome(request, operation, outcome))
        return done

    async def _each_order(self, planned: PlannedRequest, user_id: str) -> list[PlannedRequest]:
        """ "Cancel all my pending orders": the request once per order of the customer's that its status fits; "both"
        orders it names: once per order named."""
        turn = self._turn(planned.operation, planned.request)
        named = turn.named_orders()
        if len(named) > 1 and EACH_NAMED.search(planned.request.segment):
            return [
                PlannedRequest(planned.operation, replace(planned.request, order_ids=(order_id,)), planned.alternatives)
                for order_id in named
            ]
        if named or not ALL_ORDERS.search(planned.request.segment):
            return [planned]
        statuses: set[str] = set()
        for operation in (planned.operation, *planned.alternatives):
            statuses |= self._offered.statuses(operation) or set()
        if not statuses:
            return [planned]
        fitting: list[str] = []
        for order_id in (await turn.customer(user_id)).orders:
            try:
                order = await orders.read_order(turn, order_id)
            except ToolFailed as exc:
                if exc.unavailable:
                    raise
                continue
            if status_of(order) in statuses:
                fitting.append(order_id)
        if not fitting:
            return [planned]
        return [
            PlannedRequest(planned.operation, replace(planned.request, order_ids=(order_id,)), planned.alternatives)
            for order_id in fitting
        ]

    async def _run_one(self, planned: PlannedRequest, user_id: str) -> tuple[Operation, Outcome]:
        """The request's operation, or the alternative the order's status calls for; if it cannot be done at
        all, its first fallback that can ("if it is not available, cancel the order"), said after why."""
        operation, outcome = await self._run_with_alternatives(planned, user_id)
        if not outcome.cannot_be_done:
            return operation, outcome
        for fallback in planned.fallbacks:
            other, instead = await self._run_one(fallback, user_id)
            if instead.proposal is not None:
                instead.reply = "\n".join(part for part in (outcome.reply, instead.reply) if part)
                return other, instead
        return operation, outcome

    async def _run_with_alternatives(self, planned: PlannedRequest, user_id: str) -> tuple[Operation, Outcome]:
        outcome = await planned.operation.handler(self._turn(planned.operation, planned.request), user_id)
        status = outcome.mismatched_status
        for alternative in planned.alternatives if status is not None else ():
            if status in (self._offered.statuses(alternative) or ()):
                return alternative, await alternative.handler(self._turn(alternative, planned.request), user_id)
        return planned.operation, outcome

    def _turn(self, operation: Operation, request: Request) -> OperationTurn:
        return OperationTurn(
            operation=operation,
            request=request,
            offered=self._offered,
            tools=self._tools,
            prompts=self._prompts,
            llm=self._llm,
            language=self._language,
            earlier_mentions=self._earlier_mentions,
            _customers=self._customers,
        )
