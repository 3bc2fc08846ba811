"""The reference connectors against the real commerce service: every method, and errors mapped to domain errors."""

from __future__ import annotations

import pytest

from assistant.connectors.models import Address, NewNote, NewTicket, TicketUpdate
from assistant.connectors.reference import build_reference_connectors
from assistant.errors import CommerceUnavailableError, NotFoundError, PolicyViolationError
from tests.commerce.retail_data import order, other_variant, paid_with, user
from tests.commerce.service import RunningCommerce

pytestmark = pytest.mark.asyncio(loop_scope="session")
ADDRESS = Address(address1="1 Main St", city="Austin", state="TX", country="USA", zip="73301")


async def test_orders_connector(retail: RunningCommerce) -> None:
    connectors = build_reference_connectors(retail.settings())
    orders = connectors.orders
    try:
        pending = order(lambda o: o["status"] == "pending" and paid_with(o, "gift_card"))
        owner = pending["user_id"]
        fetched = await orders.get_order(pending["order_id"], customer_id=owner)
        assert fetched.user_id == owner and fetched.total == round(sum(i["price"] for i in pending["items"]), 2)
        assert [s.order_id for s in await orders.list_orders(owner)] == user(owner)["orders"]
        assert len(await orders.list_products()) == 50
        product = await orders.get_product(pending["items"][0]["product_id"])
        assert (await orders.get_item(product.variants[0].item_id)).product_id == product.product_id
        moved = await orders.modify_order_address(pending["order_id"], ADDRESS, customer_id=owner, idempotency_key="a1")
        assert moved.address == ADDRESS
        cancelled = await orders.cancel_order(
            pending["order_id"], reason="no longer needed", customer_id=owner, idempotency_key="c1"
        )
        assert cancelled.status == "cancelled"
        with pytest.raises(PolicyViolationError) as refused:
            await orders.cancel_order(pending["order_id"], reason="no longer needed", customer_id=owner, idempotency_key="c2")
        assert refused.value.reason == "order_not_pending"
        with pytest.raises(NotFoundError) as missing:
            await orders.get_order(pending["order_id"], customer_id="someone_else")
        assert missing.value.reason == "order_not_found"

        delivered = order(lambda o: o["status"] == "delivered" and other_variant(o["items"][0]) is not None)
        item, new = delivered["items"][0], other_variant(delivered["items"][0])
        method = delivered["payment_history"][0]["payment_method_id"]
        exchanged = await orders.exchange_items(
            delivered["order_id"],
            [item["item_id"]],
            [new["item_id"]],
            method,  # type: ignore[index]
            customer_id=delivered["user_id"],
            idempotency_key="e1",
        )
        assert exchanged.status == "exchange requested"
        returned_order = order(lambda o: o["status"] == "delivered" and o["order_id"] != delivered["order_id"])
        returned = await orders.return_items(
            returned_order["order_id"],
            [returned_order["items"][0]["item_id"]],
            returned_order["payment_history"][0]["payment_method_id"],
            customer_id=returned_order["user_id"],
            idempotency_key="r1",
        )
        assert returned.status == "return requested"
        swap = order(lambda o: o["status"] == "pending" and other_variant(o["items"][0]) is not None and o != pending)
        modified = await orders.modify_order_items(
            swap["order_id"],
            [swap["items"][0]["item_id"]],
            [other_variant(swap["items"][0])["item_id"]],  # type: ignore[index]
            swap["payment_history"][0]["payment_method_id"],
            customer_id=swap["user_id"],
            idempotency_key="m1",
        )
        assert modified.status == "pending (item modified)"
        with pytest.raises(PolicyViolationError) as same:
            repay = order(lambda o: o["status"] == "pending" and o["order_id"] not in (pending["order_id"], swap["order_id"]))
            await orders.modify_order_payment(
                repay["order_id"],
                repay["payment_history"][0]["payment_method_id"],
                customer_id=repay["user_id"],
                idempotency_key="p1",
            )
        assert same.value.reason == "same_payment_method"
    finally:
        await connectors.aclose()


async def test_logistics_and_crm_connectors(retail: RunningCommerce) -> None:
    connectors = build_reference_connectors(retail.settings())
    try:
        noah = user("noah_brown_6181")
        assert await connectors.crm.find_customer_by_email(noah["email"]) == "noah_brown_6181"
        assert await connectors.crm.find_customer_by_name_zip("Noah", "Brown", noah["address"]["zip"]) == "noah_brown_6181"
        with pytest.raises(NotFoundError):
            await connectors.crm.find_customer_by_email(noah["email"], within="someone_else")
        with pytest.raises(NotFoundError):
            await connectors.crm.find_customer_by_phone("123")
        customer = await connectors.crm.get_customer("noah_brown_6181")
        assert customer.orders == noah["orders"]
        assert (await connectors.crm.modify_customer_address("noah_brown_6181", ADDRESS, idempotency_key="u1")).address == ADDRESS
        note = await connectors.crm.add_note("noah_brown_6181", NewNote(kind="call", body="called"), idempotency_key="n1")
        assert [n.note_id for n in await connectors.crm.list_notes("noah_brown_6181")] == [note.note_id]
        ticket = await connectors.crm.create_ticket(
            NewTicket(user_id="noah_brown_6181", subject="s", description="d"), idempotency_key="t1"
        )
        updated = await connectors.crm.update_ticket(
            ticket.ticket_id, TicketUpdate(status="pending", comment="c"), customer_id="noah_brown_6181", idempotency_key="t2"
        )
        assert updated.status == "pending" and updated.comments[0].body == "c"
        assert (await connectors.crm.get_ticket(ticket.ticket_id, customer_id="noah_brown_6181")).ticket_id == ticket.ticket_id
        assert [t.ticket_id for t in await connectors.crm.list_tickets("noah_brown_6181")] == [ticket.ticket_id]
        with pytest.raises(NotFoundError):
            await connectors.crm.get_ticket(ticket.ticket_id, customer_id="someone_else")

        processed = order(lambda o: o["status"] == "processed")
        tracking = await connectors.logistics.get_tracking(processed["order_id"], customer_id=processed["user_id"])
        assert tracking.shipments[0].tracking_id == processed["fulfillments"][0]["tracking_id"][0]
        expedited = await connectors.logistics.request_expedite(
            processed["order_id"], reason="gift", customer_id=processed["user_id"], idempotency_key="x1"
        )
        assert expedited.expedited
        with pytest.raises(PolicyViolationError) as shipped:
            await connectors.logistics.change_delivery_address(
                processed["order_id"], ADDRESS, customer_id=processed["user_id"], idempotency_key="d1"
            )
        assert shipped.value.reason == "order_already_shipped"
        pending = order(lambda o: o["status"] == "pending")
        moved = await connectors.logistics.change_delivery_address(
            pending["order_id"], ADDRESS, customer_id=pending["user_id"], idempotency_key="d2"
        )
        assert moved.address == ADDRESS
    finally:
        await connectors.aclose()


async def test_a_wrong_key_is_a_configuration_error_not_retried(retail: RunningCommerce) -> None:
    connectors = build_reference_connectors(retail.settings(api_key="wrong"))
    try:
        with pytest.raises(CommerceUnavailableError) as refused:
            await connectors.orders.get_order("#W2611340")
        assert refused.value.reason == "commerce_unauthorized"
    finally:
        await connectors.aclose()
