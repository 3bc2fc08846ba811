"""Every request of a message in one reply: the writes proposed together in one confirmation, the rest named.

A write proposed after another on the same order is checked against it here:
most writes move the order out of the status any write needs (a return leaves
it "return requested"), so the later one would be refused at execution. It is
named with that reason now instead of being listed for a yes that cannot hold.
Nothing is dropped: each request gets its line, a proposal or its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.agent.operations.offered import ShopOperations
from assistant.agent.operations.runner import PlanOutcome, RequestOutcome
from assistant.agent.outcome import Outcome
from assistant.agent.prompt_library import PromptLibrary
from assistant.tools.base import ProposedAction


@dataclass
class CombinedReply:
    reply: str
    proposals: list[ProposedAction] = field(default_factory=list)
    handoff: bool = False  # a request could not be done: the reply offers a person
    verified_customer_id: str | None = None
    routes: list[str] = field(default_factory=list)


def combine(done: PlanOutcome, prompts: PromptLibrary, language: str, offered: ShopOperations) -> CombinedReply:
    if done.identity_stop is not None:
        stop = done.identity_stop
        return CombinedReply(reply=stop.reply or "", handoff=stop.handoff, routes=[stop.route])
    results = _without_conflicts(done.results, prompts, language, offered)
    combined = CombinedReply(reply="", verified_customer_id=done.verified_customer_id)
    combined.routes = [result.operation.name for result in results]
    combined.handoff = any(result.outcome.handoff for result in results)
    combined.proposals = [result.outcome.proposal for result in results if result.outcome.proposal is not None]
    if len(results) == 1:
        combined.reply = results[0].outcome.reply or ""
        return combined
    lines: list[str] = []
    if combined.proposals:
        # Each description says all the write needs said (an item change's reminder is part of its own).
        lines.append(
            prompts.phrase(
                language,
                "confirm_many" if len(combined.proposals) > 1 else "confirm",
                actions=[proposal.description.rstrip("。. ") for proposal in combined.proposals],
                description=combined.proposals[0].description.rstrip("。. "),
            )
        )
    for result in results:
        if result.outcome.proposal is None:
            verb = prompts.phrase(language, f"{result.operation.name}.verb")
            lines.append(prompts.phrase(language, "request_note", verb=verb, reply=result.outcome.reply or ""))
    combined.reply = "\n".join(lines)
    return combined


def _without_conflicts(
    results: list[RequestOutcome], prompts: PromptLibrary, language: str, offered: ShopOperations
) -> list[RequestOutcome]:
    """A later write request on an order an earlier proposed write leaves in another status (the shop's policy says
    which writes do) becomes a refusal with that reason, whether it was proposed or would ask a question first (which
    variant…): either would be moot."""
    closed: dict[str, RequestOutcome] = {}
    kept: list[RequestOutcome] = []
    for result in results:
        proposal = result.outcome.proposal
        order_id = _order_of(result)
        # A request refused on its own (wrong status, nothing in stock) keeps its own reason.
        earlier = closed.get(order_id) if order_id and result.operation.writes and not result.outcome.cannot_be_done else None
        if earlier is not None:
            reply = prompts.phrase(
                language,
                "conflict",
                order_id=order_id,
                verb=prompts.phrase(language, f"{result.operation.name}.verb"),
                earlier=prompts.phrase(language, f"{earlier.operation.name}.verb_past"),
            )
            result = RequestOutcome(result.planned, result.operation, Outcome(route=result.outcome.route, reply=reply))
        elif order_id and proposal is not None and not offered.keeps_status(proposal.tool):
            closed[order_id] = result
        kept.append(result)
    return kept


def _order_of(result: RequestOutcome) -> str:
    """The order a write request is about: its proposal's, else the one order its words name ("…the boots there")."""
    if result.outcome.proposal is not None:
        return str(result.outcome.proposal.arguments.get("order_id") or "")
    named = result.planned.request.order_ids or ()
    return named[0] if len(named) == 1 else ""
