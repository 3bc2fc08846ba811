"""A customer's session can never read or change another customer's data, and learns nothing about it.

For 20 pairs of customers, A's session asks for B's order, tracking, profile and
tickets, proposes writes on B's orders and profile, looks B up, and even forges a
confirmed action on B's order. Every answer must be the very answer A gets for an
id that does not exist, nothing of B may appear in the answer, the logs or the
audit log, and the commerce database must not change.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from assistant.tools import ProposedAction, Toolbox, ToolContext, idempotency_key
from tests.commerce.retail_data import retail_db
from tests.commerce.service import RunningCommerce
from tests.tools.conftest import ContextFactory

pytestmark = pytest.mark.asyncio(loop_scope="session")
UNKNOWN_ORDER, UNKNOWN_USER, UNKNOWN_EMAIL = "#W0000000", "nobody_0000", "nobody.0000@example.com"
ADDRESS = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "73301"}


def _pairs() -> list[tuple[str, str]]:
    users = sorted(retail_db()["users"])
    with_orders = [u for u in users if retail_db()["users"][u]["orders"]]
    return [(with_orders[i], with_orders[i + 1]) for i in range(0, 40, 2)]


def _secrets(user_id: str) -> set[str]:
    """Strings that would betray B: identity, contact data, payment methods and order ids."""
    user = retail_db()["users"][user_id]
    values = {user_id, user["email"], user["name"]["first_name"] + " " + user["name"]["last_name"], user["address"]["address1"]}
    values |= set(user["payment_methods"]) | set(user["orders"])
    for order_id in user["orders"]:
        values |= {p["payment_method_id"] for p in retail_db()["orders"][order_id]["payment_history"]}
    return values


def _probes(victim: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(tool, arguments on B's data, the same arguments on data that does not exist)."""
    user = retail_db()["users"][victim]
    order_id = user["orders"][0]
    order = retail_db()["orders"][order_id]
    item, method = order["items"][0]["item_id"], order["payment_history"][0]["payment_method_id"]
    name = user["name"]
    return [
        ("get_order_details", {"order_id": order_id}, {"order_id": UNKNOWN_ORDER}),
        ("track_order", {"order_id": order_id}, {"order_id": UNKNOWN_ORDER}),
        ("get_user_details", {"user_id": victim}, {"user_id": UNKNOWN_USER}),
        ("find_user_id_by_email", {"email": user["email"]}, {"email": UNKNOWN_EMAIL}),
        (
            "find_user_id_by_name_zip",
            {"first_name": name["first_name"], "last_name": name["last_name"], "zip": user["address"]["zip"]},
            {"first_name": "Nobody", "last_name": "Atall", "zip": "00000"},
        ),
        (
            "cancel_pending_order",
            {"order_id": order_id, "reason": "no longer needed"},
            {"order_id": UNKNOWN_ORDER, "reason": "no longer needed"},
        ),
        (
            "return_delivered_order_items",
            {"order_id": order_id, "item_ids": [item], "payment_method_id": method},
            {"order_id": UNKNOWN_ORDER, "item_ids": [item], "payment_method_id": method},
        ),
        ("modify_pending_order_address", {"order_id": order_id, **ADDRESS}, {"order_id": UNKNOWN_ORDER, **ADDRESS}),
        ("request_expedite", {"order_id": order_id}, {"order_id": UNKNOWN_ORDER}),
        ("modify_user_address", {"user_id": victim, **ADDRESS}, {"user_id": UNKNOWN_USER, **ADDRESS}),
        (
            "create_ticket",
            {"subject": "x", "description": "y", "order_id": order_id},
            {"subject": "x", "description": "y", "order_id": UNKNOWN_ORDER},
        ),
    ]


def _masked(text: str, arguments: dict[str, Any]) -> str:
    """The answer with the caller's own arguments blanked, so answers about two ids can be compared."""
    for value in sorted((str(v) for v in arguments.values()), key=len, reverse=True):
        if len(value) > 2:
            text = text.replace(value, "<arg>")
    return text


async def test_a_session_never_reaches_another_customers_data(
    toolbox: Toolbox, make_context: ContextFactory, retail: RunningCommerce, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = retail.fingerprint()
    answers: list[str] = []
    for attacker, victim in _pairs():
        ctx = make_context(customer=attacker, conversation=f"authz-{attacker}")
        leaks = _secrets(victim) - _secrets(attacker)
        for tool, on_victim, on_nothing in _probes(victim):
            refused = await toolbox.call(tool, on_victim, ctx)
            baseline = await toolbox.call(tool, on_nothing, ctx)
            assert not refused.ok and refused.reason == baseline.reason, (tool, refused)
            assert _masked(refused.to_content(), on_victim) == _masked(baseline.to_content(), on_nothing), tool
            shown = refused.model_dump_json()
            assert not [s for s in leaks if s in shown and s not in json.dumps(on_victim)], (tool, shown)
            answers.append(shown)
        assert ctx.verified_customer_id == attacker  # looking B up did not switch the session to B
        await _forged_actions_are_refused(toolbox, ctx, victim)
        _audit_reveals_nothing(ctx, leaks)
    assert retail.fingerprint() == before
    logged = caplog.text
    passed = {str(v) for _t, on_victim, _n in _all_probes() for v in on_victim.values()}
    for attacker, victim in _pairs():
        leaked = [s for s in _secrets(victim) - _secrets(attacker) - passed if s in logged]
        assert not leaked, leaked
    assert len(answers) == 20 * 11


def _all_probes() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [probe for _attacker, victim in _pairs() for probe in _probes(victim)]


async def _forged_actions_are_refused(toolbox: Toolbox, ctx: ToolContext, victim: str) -> None:
    order_id = retail_db()["users"][victim]["orders"][0]
    arguments = {"order_id": order_id, "reason": "no longer needed"}
    # 1. An action proposed in B's own conversation, replayed in A's: bound to B and B's conversation.
    stolen = ProposedAction(
        tool="cancel_pending_order",
        arguments=arguments,
        description="",
        conversation_id=f"victim-{victim}",
        idempotency_key=idempotency_key(f"victim-{victim}", "cancel_pending_order", arguments),
        customer_id=victim,
        status="awaiting_confirmation",
    )
    result = await toolbox.execute_confirmed(stolen, ctx)
    assert (result.ok, result.reason) == (False, "action_mismatch")
    # 2. A perfectly forged action for A's own conversation: the shop still refuses, as for an unknown order.
    forged = stolen.model_copy(
        update={
            "conversation_id": ctx.conversation_id,
            "customer_id": ctx.verified_customer_id,
            "idempotency_key": idempotency_key(ctx.conversation_id, "cancel_pending_order", arguments),
        }
    )
    result = await toolbox.execute_confirmed(forged, ctx)
    nothing = {**arguments, "order_id": UNKNOWN_ORDER}
    baseline = await toolbox.execute_confirmed(
        forged.model_copy(
            update={"arguments": nothing, "idempotency_key": idempotency_key(ctx.conversation_id, forged.tool, nothing)}
        ),
        ctx,
    )
    assert not result.ok and (result.reason, re.sub(r"#W\d+", "#", result.error or "")) == (
        baseline.reason,
        re.sub(r"#W\d+", "#", baseline.error or ""),
    )


def _audit_reveals_nothing(ctx: ToolContext, leaks: set[str]) -> None:
    entries = ctx.audit.entries(conversation_id=ctx.conversation_id)
    assert entries and all(entry.outcome in ("refused", "failed") for entry in entries)
    for entry in entries:
        recorded = entry.model_dump_json(exclude={"arguments"})
        assert not [s for s in leaks if s in recorded], recorded
