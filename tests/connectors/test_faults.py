"""Faults: the commerce service down, slow beyond the timeout, or answering 500.

Each gives a typed error (``CommerceUnavailableError`` / ``CommerceTimeoutError``)
that the tools turn into an error result the agent can act on. Reads are retried
with backoff; writes are sent once, and a write that timed out is never executed
twice when it is sent again (the idempotency key).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from assistant.components.database.engine import build_engine
from assistant.connectors.interfaces import Connectors
from assistant.connectors.reference import build_reference_connectors
from assistant.errors import CommerceTimeoutError, CommerceUnavailableError
from assistant.settings import CommerceSettings
from assistant.shops import load_shop
from assistant.tools import AuditLog, ToolContext, build_toolbox
from assistant.tools.approval import ApprovalRule
from commerce.process import CommerceProcess
from tests.commerce.retail_data import order, paid_with
from tests.commerce.service import API_KEY, RunningCommerce
from tests.conftest import free_port
from tests.connectors.conftest import delaying_proxy, failing_server

pytestmark = pytest.mark.asyncio(loop_scope="session")
SMALL_ORDER = ("pending", "gift_card")


def _settings(base_url: str, *, timeout: float = 0.5, retries: int = 2) -> CommerceSettings:
    return CommerceSettings(base_url=base_url, api_key=API_KEY, timeout_seconds=timeout, retries=retries)  # type: ignore[arg-type]


@pytest.fixture
async def audit(tmp_path: Path) -> AuditLog:
    log = AuditLog(build_engine(f"sqlite:///{tmp_path / 'assistant.db'}"))
    log.create_table()
    return log


@pytest.fixture
async def connectors_for() -> AsyncIterator[list[Connectors]]:
    made: list[Connectors] = []
    yield made
    for bundle in made:
        await bundle.aclose()


def _connect(made: list[Connectors], settings: CommerceSettings) -> Connectors:
    bundle = build_reference_connectors(settings, backoff_seconds=0.01)
    made.append(bundle)
    return bundle


def _context(connectors: Connectors, audit: AuditLog, customer: str) -> ToolContext:
    return ToolContext(
        conversation_id=f"faults-{customer}",
        connectors=connectors,
        audit=audit,
        authenticated_customer_id=customer,
        verified_customer_id=customer,
        shop=load_shop("retail"),
    )


async def test_the_service_down_is_a_typed_error_and_an_error_result(
    retail: RunningCommerce, tmp_path: Path, audit: AuditLog, connectors_for: list[Connectors]
) -> None:
    copy = tmp_path / "own.db"
    shutil.copyfile(retail.template, copy)
    service = CommerceProcess(database_url=f"sqlite:///{copy}", port=free_port(), api_key=API_KEY, cwd=tmp_path).start()
    connectors = _connect(connectors_for, _settings(service.base_url))
    pending = order(lambda o: o["status"] == "pending")
    ctx = _context(connectors, audit, pending["user_id"])
    toolbox = build_toolbox(shop=load_shop("retail"), approval=ApprovalRule(refund_limit=1_000_000))
    try:
        assert (await toolbox.call("get_order_details", {"order_id": pending["order_id"]}, ctx)).ok
        proposal = await toolbox.call(
            "cancel_pending_order", {"order_id": pending["order_id"], "reason": "no longer needed"}, ctx
        )
    finally:
        service.stop()  # for real: the process is gone, the port refuses connections
    with pytest.raises(CommerceUnavailableError) as down:
        await connectors.orders.get_order(pending["order_id"])
    assert down.value.reason == "commerce_unavailable"
    read = await toolbox.call("get_order_details", {"order_id": pending["order_id"]}, ctx)
    assert (read.ok, read.reason) == (False, "commerce_unavailable") and "cannot be reached" in (read.error or "")
    assert proposal.proposed_action is not None
    write = await toolbox.execute_confirmed(proposal.proposed_action, ctx)
    assert (write.ok, write.reason) == (False, "commerce_unavailable")
    (entry,) = audit.entries(conversation_id=ctx.conversation_id)
    assert (entry.outcome, entry.reason, entry.idempotency_key) == (
        "failed",
        "commerce_unavailable",
        proposal.proposed_action.idempotency_key,
    )


async def test_a_500_is_retried_for_reads_only(audit: AuditLog, connectors_for: list[Connectors]) -> None:
    with failing_server(500) as server:
        connectors = _connect(connectors_for, _settings(server.base_url, retries=2))
        with pytest.raises(CommerceUnavailableError) as failed:
            await connectors.orders.get_order("#W2611340")
        assert failed.value.reason == "commerce_error" and server.requests["GET"] == 3
        with pytest.raises(CommerceUnavailableError):
            await connectors.orders.cancel_order("#W2611340", reason="no longer needed", customer_id="c", idempotency_key="k")
        assert server.requests["POST"] == 1
        result = await build_toolbox(shop=load_shop("retail")).call(
            "track_order", {"order_id": "#W2611340"}, _context(connectors, audit, "c")
        )
        assert (result.ok, result.reason) == (False, "commerce_error")


async def test_slow_beyond_the_timeout_is_a_timeout_error(
    retail: RunningCommerce, audit: AuditLog, connectors_for: list[Connectors]
) -> None:
    with delaying_proxy(retail.base_url, lambda _method: 1.5) as proxy:
        connectors = _connect(connectors_for, _settings(proxy.base_url, timeout=0.3, retries=1))
        with pytest.raises(CommerceTimeoutError) as slow:
            await connectors.orders.get_order("#W2611340")
        assert slow.value.reason == "commerce_timeout" and proxy.requests["GET"] == 2
        pending = order(lambda o: o["status"] == "pending")
        result = await build_toolbox(shop=load_shop("retail")).call(
            "get_order_details", {"order_id": pending["order_id"]}, _context(connectors, audit, pending["user_id"])
        )
        assert (result.ok, result.reason) == (False, "commerce_timeout")


async def test_a_write_that_timed_out_is_never_executed_twice(
    retail: RunningCommerce, audit: AuditLog, connectors_for: list[Connectors]
) -> None:
    pending = order(lambda o: o["status"] == SMALL_ORDER[0] and paid_with(o, SMALL_ORDER[1]))
    slow_writes = {"POST": 1.5}
    with delaying_proxy(retail.base_url, lambda method: slow_writes.get(method, 0.0)) as proxy:
        connectors = _connect(connectors_for, _settings(proxy.base_url, timeout=0.5, retries=0))
        ctx = _context(connectors, audit, pending["user_id"])
        toolbox = build_toolbox(shop=load_shop("retail"), approval=ApprovalRule(refund_limit=1_000_000))
        action = (
            await toolbox.call("cancel_pending_order", {"order_id": pending["order_id"], "reason": "no longer needed"}, ctx)
        ).proposed_action
        assert action is not None
        timed_out = await toolbox.execute_confirmed(action, ctx)
        assert (timed_out.ok, timed_out.reason) == (False, "commerce_timeout")
        assert "repeating it is safe" in (timed_out.error or "")
        executed_once = retail.fingerprint()  # the shop did the work; only its answer was late
        slow_writes.clear()
        retried = await toolbox.execute_confirmed(action, ctx)
        assert retried.ok and retried.data["status"] == "cancelled"
        assert proxy.requests["POST"] == 2
    assert retail.fingerprint() == executed_once
    refunds = [p for p in retried.data["payment_history"] if p["transaction_type"] == "refund"]
    assert len(refunds) == 1
    outcomes = [(e.outcome, e.reason) for e in audit.entries(conversation_id=ctx.conversation_id)]
    assert outcomes == [("failed", "commerce_timeout"), ("executed", None)]
