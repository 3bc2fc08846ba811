"""A refund over the limit waits for an agent: approved, it runs once on the real shop; declined, it never runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session

from assistant.agent.tooling import TurnTools
from assistant.conversations.records import ResolvedPending, TurnRecord
from assistant.conversations.tables import PendingActionRow
from assistant.handoff.models import NewHandoff
from assistant.settings import Settings
from tests.commerce.retail_data import orders
from tests.commerce.service import RunningCommerce, acquire, release
from tests.commerce.test_orders_api import path
from tests.conftest import free_port
from tests.handoff.conftest import OPERATOR_KEY, SHOP, SHOP_KEY, bearer, running_app, summary
from tests.shops import shop_settings as retail_shop

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _big_pending(index: int) -> dict:  # type: ignore[type-arg]
    """A pending retail order whose cancellation refunds more than the approval limit."""
    return orders(lambda o: o["status"] == "pending" and o["payment_history"][0]["amount"] > 1000)[index]


@pytest.fixture(scope="session")
def retail_service() -> Iterator[RunningCommerce]:
    service = acquire("retail")
    yield service
    release("retail")


@pytest.fixture
def shop_settings(make_settings: Callable[..., Settings], retail_service: RunningCommerce) -> Settings:
    retail_service.reset()
    return make_settings(
        llm={"port": free_port(), "timeout_seconds": 5.0},
        # The retail policy's approval limit: 1000 (shops/retail/policy.toml).
        shops=retail_shop(
            SHOP,
            base_url=retail_service.base_url,
            commerce_key=retail_service.api_key,
            api_key=SHOP_KEY,
            operator_key=OPERATOR_KEY,
        ),
    )


async def _awaiting_approval(app: running_app, customer: str, order_id: str) -> tuple[str, str]:
    """The path a real turn takes: the tools propose the cancellation, the customer says yes, the tools wait for an agent."""
    tools = app.app.state.services.shops[SHOP].tools
    conversation = app.store.create_conversation(shop=SHOP, customer_id=customer)
    proposing = TurnRecord(prompt_version="v1", language="en", customer_text=f"cancel {order_id}", route="cancel_order",
                           verified_customer_id=customer)  # fmt: skip
    turn = TurnTools(tools, proposing, customer_id=customer, verified_customer_id=customer, conversation_id=conversation.id)
    proposing.proposals = [await turn.propose("cancel_pending_order", order_id=order_id, reason="no longer needed")]
    saved = app.store.save_turn(conversation_id=conversation.id, record=proposing)
    pending = saved.pending[0]
    assert pending is not None and pending.action.status == "awaiting_approval"
    assert app.app.state.services.pending.latest(conversation_id=conversation.id) == pending
    # The customer's yes to a write the approval rule held back: the turn records it as waiting for an agent.
    confirming = TurnRecord(prompt_version="v1", language="en", customer_text="yes", route="confirm",
                            resolved=[ResolvedPending(id=pending.id, status="awaiting_approval")])  # fmt: skip
    app.store.save_turn(conversation_id=conversation.id, record=confirming)
    return conversation.id, pending.id


def _open(app: running_app, conversation_id: str, customer: str, pending_id: str) -> str:
    return app.queue.open_handoff(NewHandoff(
        conversation_id=conversation_id, shop=SHOP, customer_id=customer, reason="risky_write", confidence=1.0,
        summary=summary(reason="risky_write"), sentiment_score=0.0, vip=False, language="en", intent="cancel_order",
        pending_action_id=pending_id,
    )).id  # fmt: skip


def _pending_status(app: running_app, pending_id: str) -> tuple[str, object]:
    with Session(app.app.state.components.engine) as session:
        row = session.get(PendingActionRow, pending_id)
        assert row is not None
        return row.status, row.result


async def test_an_approved_refund_runs_once_on_the_shop(shop_settings: Settings, retail_service: RunningCommerce) -> None:
    order = _big_pending(0)
    customer, order_id = order["user_id"], order["order_id"]
    async with running_app(shop_settings) as app:
        ann_id, ann = await app.register("ann", skills=["refunds"], languages=["en"])
        _bo_id, bo = await app.register("bo", skills=["refunds"], languages=["en"])
        conversation_id, pending_id = await _awaiting_approval(app, customer, order_id)
        handoff_id = _open(app, conversation_id, customer, pending_id)
        base = f"/v1/agent/handoffs/{handoff_id}"
        before = retail_service.fingerprint()
        assert retail_service.client().get(path(order_id)).json()["status"] == "pending"

        assert (await app.http.post(f"{base}/claim", headers=bearer(ann))).status_code == 200
        not_hers = await app.http.post(f"{base}/approve", headers=bearer(bo))
        assert (not_hers.status_code, not_hers.json()["error"]) == (409, "handoff_claimed_elsewhere")
        blocked = await app.http.post(f"{base}/resolve", headers=bearer(ann))
        assert (blocked.status_code, blocked.json()["error"]) == (409, "approval_pending")
        assert retail_service.fingerprint() == before

        # Two approvals at once (a double click): one runs the write, the other is refused.
        first, second = await asyncio.gather(
            app.http.post(f"{base}/approve", headers=bearer(ann)), app.http.post(f"{base}/approve", headers=bearer(ann))
        )
        assert sorted([first.status_code, second.status_code]) == [200, 409]
        approved, refused = (first, second) if first.status_code == 200 else (second, first)
        assert refused.json()["error"] in ("approval_decided", "no_pending_approval")
        outcome = approved.json()
        assert (outcome["status"], outcome["pending_action_id"], outcome["result"]["status"]) == (
            "executed",
            pending_id,
            "cancelled",
        )
        assert order_id in outcome["message"]["content"] and outcome["message"]["author"] == ann_id

        final = retail_service.client().get(path(order_id)).json()
        assert final["status"] == "cancelled"
        assert [p["transaction_type"] for p in final["payment_history"]].count("refund") == 1
        after = retail_service.fingerprint()
        again = await app.http.post(f"{base}/approve", headers=bearer(ann))
        assert (again.status_code, again.json()["error"]) == (409, "no_pending_approval")
        assert retail_service.fingerprint() == after

        assert _pending_status(app, pending_id)[0] == "executed"
        audit = app.app.state.services.shops[SHOP].tools.audit.entries(conversation_id=conversation_id)
        assert [(e.outcome, e.approved_by) for e in audit if e.outcome == "executed"] == [("executed", ann_id)]
        messages = app.store.list_messages(conversation_id=conversation_id)
        assert [m.role for m in messages][-1] == "agent"
        assert (await app.http.post(f"{base}/resolve", headers=bearer(ann))).json()["status"] == "resolved"


async def test_a_declined_refund_never_runs(shop_settings: Settings, retail_service: RunningCommerce) -> None:
    order = _big_pending(1)
    customer, order_id = order["user_id"], order["order_id"]
    async with running_app(shop_settings) as app:
        ann_id, ann = await app.register("ann", skills=["refunds"], languages=["en"])
        conversation_id, pending_id = await _awaiting_approval(app, customer, order_id)
        handoff_id = _open(app, conversation_id, customer, pending_id)
        base = f"/v1/agent/handoffs/{handoff_id}"
        before = retail_service.fingerprint()
        await app.http.post(f"{base}/claim", headers=bearer(ann))

        declined = await app.http.post(f"{base}/decline", json={"reason": "the order has already shipped from our side."},
                                       headers=bearer(ann))  # fmt: skip
        assert declined.status_code == 200
        assert declined.json()["status"] == "declined"
        assert "already shipped from our side" in declined.json()["message"]["content"]
        assert _pending_status(app, pending_id) == (
            "declined",
            {"declined_by": ann_id, "reason": "the order has already shipped from our side."},
        )
        late = await app.http.post(f"{base}/approve", headers=bearer(ann))
        assert (late.status_code, late.json()["error"]) == (409, "no_pending_approval")
        assert retail_service.fingerprint() == before
        assert retail_service.client().get(path(order_id)).json()["status"] == "pending"
        audit = app.app.state.services.shops[SHOP].tools.audit.entries(conversation_id=conversation_id)
        assert [(e.outcome, e.reason) for e in audit][-1] == ("refused", "declined_by_agent")
        assert (await app.http.post(f"{base}/hand-back", headers=bearer(ann))).json()["status"] == "returned"
