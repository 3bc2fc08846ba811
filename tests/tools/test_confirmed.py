"""The one executor of confirmed writes (tools/confirmed.py), over the real toolbox and commerce service.

The customer's yes, an agent's approval and a draft's action all run through it
(tests/chat, tests/handoff and tests/drafts drive those callers end to end); here
each outcome's effect on the claim is checked directly: taken, executed,
refused, the shop unreachable (5xx and a refused key), and a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from assistant.connectors.reference import build_reference_connectors
from assistant.errors import CommerceUnavailableError
from assistant.settings import CommerceSettings
from assistant.tools import AuditLog, Toolbox, ToolContext
from assistant.tools.base import ProposedAction
from assistant.tools.confirmed import run_confirmed
from tests.commerce.retail_data import order, paid_with
from tests.commerce.service import API_KEY, RunningCommerce
from tests.commerce.test_orders_api import path
from tests.connectors.conftest import failing_server
from tests.tools.conftest import ContextFactory

pytestmark = pytest.mark.asyncio(loop_scope="session")


@dataclass
class MemoryClaim:
    """A claim kept in memory: what the executor did to the write's state, step by step."""

    available: bool = True
    moves: list[str] = field(default_factory=list)
    result: Any = None

    def claim(self) -> bool:
        self.moves.append("claim")
        if not self.available:
            return False
        self.available = False
        return True

    def release(self) -> None:
        self.moves.append("release")
        self.available = True

    def finish(self, status: str, result: Any) -> None:
        self.moves.append(status)
        self.result = result


def _pending_gift_card_order() -> dict[str, Any]:
    """A pending order whose refund stays under the fixture's approval limit (1,000): it needs no agent."""
    return order(
        lambda o: o["status"] == "pending" and paid_with(o, "gift_card") and sum(i["price"] for i in o["items"]) < 900
    )


async def _proposal(toolbox: Toolbox, ctx: ToolContext, order_id: str) -> ProposedAction:
    result = await toolbox.call("cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"}, ctx)
    assert result.proposed_action is not None, result.error
    return result.proposed_action


async def test_executed_once_and_a_second_caller_is_told_it_is_taken(
    toolbox: Toolbox, make_context: ContextFactory, retail: RunningCommerce
) -> None:
    target = _pending_gift_card_order()
    ctx = make_context(customer=target["user_id"])
    action = await _proposal(toolbox, ctx, target["order_id"])
    claim = MemoryClaim()
    seen: list[str] = []
    done = await run_confirmed(toolbox, action, ctx, claim, observe=lambda result, _seconds: seen.append(result.tool))
    assert (done.status, claim.moves, seen) == ("executed", ["claim", "executed"], ["cancel_pending_order"]), done.recorded
    assert done.recorded["status"] == "cancelled"
    again = await run_confirmed(toolbox, action, ctx, claim)
    assert (again.status, claim.moves[-1]) == ("taken", "claim")  # nothing ran the second time


async def test_a_refusal_finishes_the_write_as_failed(
    toolbox: Toolbox, make_context: ContextFactory, retail: RunningCommerce
) -> None:
    target = _pending_gift_card_order()
    ctx = make_context(customer=target["user_id"])
    action = await _proposal(toolbox, ctx, target["order_id"])
    # Arguments changed after the proposal no longer match its key: refused, for good, and nothing written.
    tampered = action.model_copy(update={"arguments": {**action.arguments, "reason": "ordered by mistake"}})
    claim = MemoryClaim()
    failed = await run_confirmed(toolbox, tampered, ctx, claim)
    assert (failed.status, claim.moves) == ("failed", ["claim", "failed"])
    assert claim.result["error"] == "action_mismatch" and failed.refusal
    assert retail.client().get(path(target["order_id"])).json()["status"] == "pending"


@pytest.mark.parametrize("status", [500, 401])
async def test_the_shop_unreachable_releases_the_claim_and_says_so(
    toolbox: Toolbox, make_context: ContextFactory, audit: AuditLog, retail: RunningCommerce, status: int
) -> None:
    target = _pending_gift_card_order()
    ctx = make_context(customer=target["user_id"])
    action = await _proposal(toolbox, ctx, target["order_id"])
    with failing_server(status) as broken:
        settings = CommerceSettings(base_url=broken.base_url, api_key=API_KEY, retries=0)  # type: ignore[arg-type]
        down = build_reference_connectors(settings)
        try:
            claim = MemoryClaim()
            unreachable = ToolContext(
                conversation_id=ctx.conversation_id, connectors=down, audit=audit,
                authenticated_customer_id=ctx.authenticated_customer_id, verified_customer_id=ctx.verified_customer_id,
                shop=ctx.shop,
            )  # fmt: skip
            with pytest.raises(CommerceUnavailableError) as raised:
                await run_confirmed(toolbox, action, unreachable, claim)
        finally:
            await down.aclose()
    assert raised.value.reason == ("commerce_error" if status == 500 else "commerce_unauthorized")
    assert claim.moves == ["claim", "release"] and claim.available  # it can be confirmed again
    # Once the shop answers, the same write runs (once).
    assert (await run_confirmed(toolbox, action, ctx, claim)).status == "executed"


async def test_a_bug_releases_the_claim(toolbox: Toolbox, make_context: ContextFactory, retail: RunningCommerce) -> None:
    target = _pending_gift_card_order()
    ctx = make_context(customer=target["user_id"])
    action = await _proposal(toolbox, ctx, target["order_id"])
    claim = MemoryClaim()

    def broken_observer(*_: object) -> None:
        raise RuntimeError("a bug in the caller")

    with pytest.raises(RuntimeError):
        await run_confirmed(toolbox, action, ctx, claim, observe=broken_observer)
    assert claim.moves == ["claim", "release"]
