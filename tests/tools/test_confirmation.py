"""Writes only propose; a confirmed action runs once, is audited, and says exactly what will happen."""

from __future__ import annotations

import pytest

from assistant.tools import Toolbox
from tests.commerce.retail_data import methods_of, order, other_variant, paid_with, retail_db, user
from tests.commerce.service import RunningCommerce
from tests.tools.conftest import ContextFactory

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _small_gift_card_order() -> dict:  # type: ignore[type-arg]
    return order(lambda o: o["status"] == "pending" and paid_with(o, "gift_card") and o["payment_history"][0]["amount"] < 1000)


async def test_a_write_tool_only_proposes(toolbox: Toolbox, make_context: ContextFactory, retail: RunningCommerce) -> None:
    pending = _small_gift_card_order()
    ctx = make_context(customer=pending["user_id"])
    before = retail.fingerprint()
    result = await toolbox.call("cancel_pending_order", {"order_id": pending["order_id"], "reason": "no longer needed"}, ctx)
    assert result.ok and result.proposed_action is not None and result.data is None
    assert retail.fingerprint() == before
    assert ctx.audit.entries(conversation_id=ctx.conversation_id) == []
    assert '"awaiting_confirmation"' in result.to_content()


async def test_the_description_says_amounts_items_and_refund_destination(toolbox: Toolbox, make_context: ContextFactory) -> None:
    pending = _small_gift_card_order()
    amount, card = pending["payment_history"][0]["amount"], pending["payment_history"][0]["payment_method_id"]
    arguments = {"order_id": pending["order_id"], "reason": "ordered by mistake"}
    english = (await toolbox.call("cancel_pending_order", arguments, make_context(customer=pending["user_id"]))).proposed_action
    assert english is not None
    assert f"${amount:,.2f}" in english.description and card in english.description and "immediately" in english.description
    assert all(item["name"] in english.description for item in pending["items"])
    assert english.refund_amount == amount and english.currency == "USD"
    chinese = (
        await toolbox.call("cancel_pending_order", arguments, make_context(customer=pending["user_id"], language="zh"))
    ).proposed_action
    assert chinese is not None
    assert "取消订单" in chinese.description and "立即" in chinese.description and f"${amount:,.2f}" in chinese.description


async def test_confirmed_action_runs_once_and_is_audited(
    toolbox: Toolbox, make_context: ContextFactory, retail: RunningCommerce
) -> None:
    pending = _small_gift_card_order()
    ctx = make_context(customer=pending["user_id"])
    action = (
        await toolbox.call("cancel_pending_order", {"order_id": pending["order_id"], "reason": "no longer needed"}, ctx)
    ).proposed_action
    assert action is not None
    first = await toolbox.execute_confirmed(action, ctx)
    assert first.ok and first.data["status"] == "cancelled"
    after = retail.fingerprint()
    again = await toolbox.execute_confirmed(action, ctx)  # e.g. the agent retries after a lost answer
    assert again.ok and again.data == first.data
    assert retail.fingerprint() == after
    entries = ctx.audit.entries(conversation_id=ctx.conversation_id)
    assert [e.outcome for e in entries] == ["executed", "executed"]
    entry = entries[0]
    assert (entry.customer_id, entry.tool, entry.arguments, entry.idempotency_key) == (
        pending["user_id"],
        "cancel_pending_order",
        action.arguments,
        action.idempotency_key,
    )
    assert entry.result["status"] == "cancelled" and entry.at is not None


async def test_a_write_refused_by_policy_is_audited_and_never_proposed(toolbox: Toolbox, make_context: ContextFactory) -> None:
    delivered = order(lambda o: o["status"] == "delivered")
    ctx = make_context(customer=delivered["user_id"])
    result = await toolbox.call("cancel_pending_order", {"order_id": delivered["order_id"], "reason": "no longer needed"}, ctx)
    assert (result.ok, result.reason, result.proposed_action) == (False, "order_not_pending", None)
    (entry,) = ctx.audit.entries(conversation_id=ctx.conversation_id)
    assert (entry.outcome, entry.reason, entry.tool) == ("refused", "order_not_pending", "cancel_pending_order")


async def test_pre_checks_refuse_what_the_service_would(toolbox: Toolbox, make_context: ContextFactory) -> None:
    delivered = order(lambda o: o["status"] == "delivered" and other_variant(o["items"][0], available=False) is not None)
    ctx = make_context(customer=delivered["user_id"])
    item = delivered["items"][0]
    method = delivered["payment_history"][0]["payment_method_id"]
    stranger = next(
        m for u in retail_db()["users"].values() if u["user_id"] != delivered["user_id"] for m in u["payment_methods"]
    )
    other_product = next(
        v for p in retail_db()["products"].values() if p["product_id"] != item["product_id"] for v in p["variants"]
    )
    unavailable = other_variant(item, available=False)["item_id"]  # type: ignore[index]
    cases = {
        "different_product": ("exchange_delivered_order_items", {"new_item_ids": [other_product], "payment_method_id": method}),
        "item_not_available": ("exchange_delivered_order_items", {"new_item_ids": [unavailable], "payment_method_id": method}),
        "payment_method_not_owned": ("return_delivered_order_items", {"payment_method_id": stranger}),
        "item_not_in_order": ("return_delivered_order_items", {"payment_method_id": method, "item_ids": ["0000000000"]}),
        "order_not_pending": ("modify_pending_order_payment", {"payment_method_id": method}),
    }
    for reason, (tool, extra) in cases.items():
        arguments = {"order_id": delivered["order_id"], "item_ids": [item["item_id"]], **extra}
        if tool == "modify_pending_order_payment":
            arguments = {"order_id": delivered["order_id"], **extra}
        result = await toolbox.call(tool, arguments, ctx)
        assert (result.ok, result.reason) == (False, reason), (tool, result)


async def test_a_big_refund_waits_for_a_human_agents_approval(
    toolbox: Toolbox, make_context: ContextFactory, retail: RunningCommerce
) -> None:
    pending = order(lambda o: o["status"] == "pending" and o["payment_history"][0]["amount"] > 1000)
    ctx = make_context(customer=pending["user_id"])
    action = (
        await toolbox.call("cancel_pending_order", {"order_id": pending["order_id"], "reason": "no longer needed"}, ctx)
    ).proposed_action
    assert action is not None and action.status == "awaiting_approval" and action.approval_reason == "refund_over_limit"
    assert "human agent must approve" in action.description
    before = retail.fingerprint()
    waiting = await toolbox.execute_confirmed(action, ctx)
    assert (waiting.ok, waiting.reason) == (False, "awaiting_approval")
    relabelled = action.model_copy(update={"status": "awaiting_confirmation"})  # the amount still decides
    assert (await toolbox.execute_confirmed(relabelled, ctx)).reason == "awaiting_approval"
    assert retail.fingerprint() == before
    approved = await toolbox.execute_confirmed(action, ctx, approved_by="agent-ann")
    assert approved.ok and approved.data["status"] == "cancelled"
    outcomes = [(e.outcome, e.reason, e.approved_by) for e in ctx.audit.entries(conversation_id=ctx.conversation_id)]
    assert outcomes == [("refused", "awaiting_approval", None)] * 2 + [("executed", None, "agent-ann")]


async def test_a_tampered_action_is_refused(toolbox: Toolbox, make_context: ContextFactory) -> None:
    pending = order(lambda o: o["status"] == "pending" and len(user(o["user_id"])["orders"]) > 1)
    ctx = make_context(customer=pending["user_id"])
    action = (
        await toolbox.call("cancel_pending_order", {"order_id": pending["order_id"], "reason": "no longer needed"}, ctx)
    ).proposed_action
    assert action is not None
    other_order = next(o for o in user(pending["user_id"])["orders"] if o != pending["order_id"])
    tampered = action.model_copy(update={"arguments": {**action.arguments, "order_id": other_order}})
    assert (await toolbox.execute_confirmed(tampered, ctx)).reason == "action_mismatch"
    elsewhere = make_context(customer=pending["user_id"], conversation="another-conversation")
    assert (await toolbox.execute_confirmed(action, elsewhere)).reason == "action_mismatch"


async def test_modify_items_description_in_both_languages(toolbox: Toolbox, make_context: ContextFactory) -> None:
    pending = order(
        lambda o: o["status"] == "pending" and other_variant(o["items"][0]) is not None and paid_with(o, "credit_card")
    )
    item = pending["items"][0]
    new = other_variant(item)
    assert new is not None
    card = pending["payment_history"][0]["payment_method_id"]
    arguments = {
        "order_id": pending["order_id"],
        "item_ids": [item["item_id"]],
        "new_item_ids": [new["item_id"]],
        "payment_method_id": card,
    }
    action = (
        await toolbox.call("modify_pending_order_items", arguments, make_context(customer=pending["user_id"]))
    ).proposed_action
    assert action is not None
    difference = round(new["price"] - item["price"], 2)
    assert f"${abs(difference):,.2f}" in action.description
    assert ("charged" if difference > 0 else "refunded") in action.description
    last_four = next(m for m in methods_of(pending["user_id"], "credit_card") if m["id"] == card)["last_four"]
    assert f"ending in {last_four}" in action.description and "cannot be modified or cancelled" in action.description
    zh = await toolbox.call("modify_pending_order_items", arguments, make_context(customer=pending["user_id"], language="zh"))
    assert zh.proposed_action is not None and f"尾号 {last_four}" in zh.proposed_action.description


async def test_transfer_to_human_agents_hands_over_with_summary_and_reason(
    toolbox: Toolbox, make_context: ContextFactory
) -> None:
    ctx = make_context()
    result = await toolbox.call(
        "transfer_to_human_agents", {"summary": "wants a refund to another card", "reason": "policy_exception"}, ctx
    )
    assert result.ok and result.handoff is not None
    assert (result.handoff.summary, result.handoff.reason) == ("wants a refund to another card", "policy_exception")
    (entry,) = ctx.audit.entries(conversation_id=ctx.conversation_id)
    assert (entry.outcome, entry.reason) == ("handed_off", "policy_exception")


async def test_tickets_and_notes_through_the_tools(toolbox: Toolbox, make_context: ContextFactory) -> None:
    customer = "noah_brown_6181"
    ctx = make_context(customer=customer)
    own_order = user(customer)["orders"][0]
    proposal = await toolbox.call(
        "create_ticket", {"subject": "Late", "description": "Parcel is late", "order_id": own_order}, ctx
    )
    assert proposal.proposed_action is not None and "Late" in proposal.proposed_action.description
    ticket = (await toolbox.execute_confirmed(proposal.proposed_action, ctx)).data
    update = await toolbox.call("update_ticket", {"ticket_id": ticket["ticket_id"], "status": "closed", "comment": "solved"}, ctx)
    assert update.proposed_action is not None
    assert (await toolbox.execute_confirmed(update.proposed_action, ctx)).data["status"] == "closed"
    listed = await toolbox.call("list_tickets", {}, ctx)
    assert [t["ticket_id"] for t in listed.data] == [ticket["ticket_id"]] and listed.data[0]["comments"][0]["body"] == "solved"
    note = await toolbox.call("add_note", {"body": "customer prefers email"}, ctx)
    assert note.proposed_action is not None
    assert (await toolbox.execute_confirmed(note.proposed_action, ctx)).data["kind"] == "chat"
    profile = await toolbox.call("get_customer_profile", {}, ctx)
    assert (
        profile.data["customer"]["user_id"] == customer
        and [o["order_id"] for o in profile.data["orders"]] == user(customer)["orders"]
    )
