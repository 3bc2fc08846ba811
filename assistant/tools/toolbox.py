"""The toolbox: every tool's schema, and the one boundary where tool calls run.

``call`` validates the model's arguments against the tool's schema and runs it.
A READ tool answers with data. A WRITE tool never acts: it answers with a
``ProposedAction`` to confirm. ``execute_confirmed`` runs a confirmed action once,
with its idempotency key, and audits it. Domain errors (``AssistantError``) become
error results the agent can act on; anything else is a bug and propagates.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.errors import ApprovalRequiredError, AssistantError, BadInputError, CommerceUnavailableError
from assistant.shops import Shop
from assistant.tools.account_tools import AccountTools
from assistant.tools.aftersales_tools import AfterSalesTools
from assistant.tools.approval import ApprovalRule
from assistant.tools.base import HandoffRequest, Proposal, ProposedAction, ToolKind, ToolResult, ToolSpec, specs_of
from assistant.tools.context import ToolContext
from assistant.tools.crm_tools import CRMTools
from assistant.tools.describe import Describer
from assistant.tools.logistics_tools import LogisticsTools
from assistant.tools.offers import offers_identity_tool, offers_tool
from assistant.tools.order_change_tools import OrderChangeTools
from assistant.tools.order_tools import OrderTools
from assistant.tools.order_write_tools import OrderWriteTools
from assistant.tools.shopping_tools import ShoppingTools

logger = logging.getLogger(__name__)


def default_toolsets() -> list[object]:
    return [
        AccountTools(),
        OrderTools(),
        OrderWriteTools(),
        OrderChangeTools(),
        ShoppingTools(),
        AfterSalesTools(),
        LogisticsTools(),
        CRMTools(),
    ]


def idempotency_key(conversation_id: str, tool: str, arguments: Mapping[str, Any]) -> str:
    """Same conversation, tool and arguments → same key, so a repeated confirmation can never apply twice."""
    material = json.dumps([conversation_id, tool, arguments], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()[:40]


class Toolbox:
    """The tools of one shop: those its policy offers (offers.py), described with its ids; or, with no shop, every tool
    (a toolbox of hand-made toolsets in tests).

    The approval rule is the shop's (its policy's refund limit, ApprovalRule.for_shop): one toolbox per shop's tool
    environment.
    """

    def __init__(self, toolsets: Sequence[object] | None = None, *, approval: ApprovalRule, shop: Shop | None = None) -> None:
        self.shop = shop
        self.approval = approval
        words = {"example_order_id": shop.profile.identity.example_order_id} if shop else None
        self._specs: dict[str, ToolSpec] = {}
        for toolset in toolsets if toolsets is not None else default_toolsets():
            for spec in specs_of(toolset, words):
                if spec.name in self._specs:
                    raise TypeError(f"two tools are named {spec.name!r}")
                if shop is None or _offered(shop, spec.name):
                    self._specs[spec.name] = spec

    @property
    def names(self) -> list[str]:
        return list(self._specs)

    def kind(self, name: str) -> ToolKind:
        return self._specs[name].kind

    def schemas(self, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The tools in the OpenAI function-calling format (``tools=[...]`` of a chat completion)."""
        return [self._specs[name].openai_schema() for name in (names or self.names)]

    async def call(self, name: str, arguments: Mapping[str, Any] | str | None, ctx: ToolContext) -> ToolResult:
        """Run one tool call of the model; a WRITE tool only proposes (see ``ProposedAction``)."""
        spec = self._specs.get(name)
        if spec is None:
            return ToolResult.failure(name, BadInputError(f"There is no tool {name!r}.", reason="unknown_tool"))
        given = _as_mapping(arguments)
        try:
            kwargs = _validated(spec, given)
            outcome = await spec.handler(ctx, **kwargs)
        except AssistantError as exc:
            if spec.kind is ToolKind.WRITE:
                await self._audit(ctx, spec.name, given, exc)
            logger.info("tool %s refused in %s: %s", name, ctx.conversation_id, exc.reason)
            return ToolResult.failure(name, exc)
        if isinstance(outcome, HandoffRequest):
            await ctx.audit.record(
                conversation_id=ctx.conversation_id,
                customer_id=ctx.verified_customer_id,
                tool=name,
                arguments=given,
                outcome="handed_off",
                reason=outcome.reason,
            )
            return ToolResult(tool=name, ok=True, data=outcome.model_dump(), handoff=outcome)
        if spec.kind is ToolKind.READ:
            return ToolResult(tool=name, ok=True, data=_jsonable(outcome))
        return ToolResult(tool=name, ok=True, proposed_action=self._propose(ctx, spec, kwargs, outcome))

    async def execute_confirmed(self, action: ProposedAction, ctx: ToolContext, *, approved_by: str | None = None) -> ToolResult:
        """Run a proposed write the customer confirmed (and, when it waits for approval, a human agent approved).

        Safe to call again with the same action after a timeout: the same idempotency key
        reaches the shop, which answers with the first result instead of acting twice.
        """
        spec = self._specs.get(action.tool)
        if spec is None or spec.executor is None:
            return ToolResult.failure(action.tool, BadInputError(f"{action.tool!r} is not a write tool."))
        try:
            kwargs = _validated(spec, action.arguments)
            key = idempotency_key(ctx.conversation_id, spec.name, _jsonable(_model_of(spec, kwargs)))
            if (key, action.conversation_id, action.customer_id) != (
                action.idempotency_key,
                ctx.conversation_id,
                ctx.verified_customer_id,
            ):
                raise BadInputError(
                    "This action was not proposed in this conversation for this customer.", reason="action_mismatch"
                )
            if self._needs_approval(action) and not approved_by:
                raise ApprovalRequiredError("A human agent must approve this action before it runs.")
            result = await spec.executor(ctx, key, **kwargs)
        except AssistantError as exc:
            await self._audit(ctx, spec.name, action.arguments, exc, key=action.idempotency_key, approved_by=approved_by)
            logger.info("write %s not executed in %s: %s", spec.name, ctx.conversation_id, exc.reason)
            return ToolResult.failure(spec.name, exc)
        data = _jsonable(result)
        await ctx.audit.record(
            conversation_id=ctx.conversation_id,
            customer_id=ctx.verified_customer_id,
            tool=spec.name,
            arguments=action.arguments,
            outcome="executed",
            result=data,
            idempotency_key=key,
            approved_by=approved_by,
        )
        return ToolResult(tool=spec.name, ok=True, data=data)

    def _propose(self, ctx: ToolContext, spec: ToolSpec, kwargs: dict[str, Any], proposal: Proposal) -> ProposedAction:
        arguments = _jsonable(_model_of(spec, {**kwargs, **(proposal.arguments or {})}))
        approval_reason = self.approval.reason(spec.name, proposal.refund_amount)
        description = proposal.description
        if approval_reason == "refund_over_limit":
            say = Describer(ctx.language, ctx.texts)
            description += " " + say.text(
                "misc",
                "approval",
                amount=say.money(proposal.refund_amount, proposal.currency),
                limit=say.money(self.approval.refund_limit, proposal.currency),
            )
        return ProposedAction(
            tool=spec.name,
            arguments=arguments,
            description=description,
            idempotency_key=idempotency_key(ctx.conversation_id, spec.name, arguments),
            conversation_id=ctx.conversation_id,
            customer_id=ctx.verified_customer_id,
            status="awaiting_approval" if approval_reason else "awaiting_confirmation",
            refund_amount=proposal.refund_amount,
            currency=proposal.currency,
            approval_reason=approval_reason,
        )

    def _needs_approval(self, action: ProposedAction) -> bool:
        # The proposal carries the decision; the rule is applied again only to a proposal that claims to need none
        # (a proposal made under an older, looser rule does not slip through once the rule is tightened).
        return action.status == "awaiting_approval" or self.approval.reason(action.tool, action.refund_amount) is not None

    async def _audit(
        self,
        ctx: ToolContext,
        tool: str,
        arguments: Mapping[str, Any],
        error: AssistantError,
        *,
        key: str | None = None,
        approved_by: str | None = None,
    ) -> None:
        await ctx.audit.record(
            conversation_id=ctx.conversation_id,
            customer_id=ctx.verified_customer_id,
            tool=tool,
            arguments=dict(arguments),
            outcome="failed" if isinstance(error, CommerceUnavailableError) else "refused",
            reason=error.reason,
            idempotency_key=key,
            approved_by=approved_by,
        )


def build_toolbox(*, shop: Shop, approval: ApprovalRule | None = None) -> Toolbox:
    """The toolbox of `shop`: the tools its policy offers; approval above its policy's refund limit unless given."""
    return Toolbox(shop=shop, approval=approval or ApprovalRule(refund_limit=shop.policy.approval_refund_limit))


def _offered(shop: Shop, name: str) -> bool:
    """Its policy offers the tool's action, and its customers identify the way the tool looks them up."""
    return offers_tool(shop.policy, name) and offers_identity_tool(shop.profile.identity, name)


def _validated(spec: ToolSpec, arguments: Mapping[str, Any]) -> dict[str, Any]:
    try:
        parsed = spec.args_model.model_validate(dict(arguments))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in error['loc']) or 'arguments'}: {error['msg']}" for error in exc.errors())
        raise BadInputError(f"Wrong arguments for {spec.name}: {problems}", reason="bad_arguments") from None
    return {name: getattr(parsed, name) for name in type(parsed).model_fields}


def _model_of(spec: ToolSpec, kwargs: dict[str, Any]) -> BaseModel:
    return spec.args_model.model_validate(kwargs)


def _as_mapping(arguments: Mapping[str, Any] | str | None) -> dict[str, Any]:
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            parsed = json.loads(arguments)
        except json.JSONDecodeError:
            return {"_unparsed": arguments}
        return parsed if isinstance(parsed, dict) else {"_unparsed": arguments}
    return dict(arguments)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value
