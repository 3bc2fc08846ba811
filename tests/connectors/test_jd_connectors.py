"""The reference connectors against the Chinese shop's service: customer ids in Chinese, the shop's own statuses, and
every method its operations added, with refusals mapped to domain errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.connectors.models import Address
from assistant.connectors.reference import build_reference_connectors
from assistant.connectors.requests import InvoiceRequest, NewOrder, NewOrderLine
from assistant.errors import NotFoundError, PolicyViolationError
from assistant.shops.dates import today_in
from tests.commerce.jd_data import ecard_id, jd_order
from tests.commerce.service import RunningCommerce

pytestmark = pytest.mark.asyncio(loop_scope="session")
SONG = "cnjd喜哥2号"  # 宋敬明, phone 15540534614, e-card 5,500.00


async def test_a_chinese_customer_is_found_and_served_by_id(jd: RunningCommerce) -> None:
    connectors = build_reference_connectors(jd.settings())
    try:
        assert await connectors.crm.find_customer_by_phone("155 4053 4614", within=SONG) == SONG
        with pytest.raises(NotFoundError):
            await connectors.crm.find_customer_by_phone("155 4053 4614", within="cnjdii星星ii")
        customer = await connectors.crm.get_customer(SONG)
        assert (customer.name.last_name, customer.phone, customer.locale) == ("宋", "15540534614", "zh")
        assert [card.balance for card in await connectors.crm.list_gift_cards(SONG)] == [5500.0]
        order = await connectors.orders.get_order("313271663680", customer_id=SONG)
        assert (order.status, order.recipient_phone, order.currency) == ("已付款", "15540534614", "CNY")
        with pytest.raises(NotFoundError):
            await connectors.orders.get_order("313271663680", customer_id="cnjdii星星ii")
    finally:
        await connectors.aclose()


async def test_the_chinese_shops_order_writes(jd: RunningCommerce) -> None:
    connectors = build_reference_connectors(jd.settings())
    orders = connectors.orders
    try:
        phone = await orders.modify_order_phone("313271663680", "13800138000", customer_id=SONG, idempotency_key="p1")
        assert phone.recipient_phone == "13800138000"
        address = Address(address1="人民路8号", address2="天河区", city="广州市", state="广东省", country="中国")
        assert (
            await orders.modify_order_address("313271663680", address, customer_id=SONG, idempotency_key="a1")
        ).address == address
        swapped = await orders.exchange_order_product(
            "313021098954", "100042754736", "100042754737", customer_id=SONG, idempotency_key="x1"
        )
        assert swapped.items[0].product_id == "100042754737"
        placed = await orders.place_order(
            NewOrder(items=[NewOrderLine(product_id="100112573665", quantity=1)], payment_method_id=ecard_id(SONG)),
            customer_id=SONG,
            idempotency_key="o1",
        )
        assert placed.status == "已付款" and placed.payment_history[0].amount == 1999.0
        with pytest.raises(PolicyViolationError) as short:
            await orders.place_order(
                NewOrder(items=[NewOrderLine(product_id="100112573665", quantity=2)], payment_method_id=ecard_id(SONG)),
                customer_id=SONG,
                idempotency_key="o2",
            )
        assert short.value.reason == "insufficient_gift_card_balance"  # 3,501.00 left, 3,998.00 asked
        signed = jd_order("已签收", lambda o: o["支付方式"] == "京东E卡")
        returned = await orders.return_order(signed["订单ID"], reason="", customer_id=signed["用户ID"], idempotency_key="r1")
        assert returned.status == "退货中"
        with pytest.raises(PolicyViolationError) as refused:
            await orders.return_order("313271663680", reason="", customer_id=SONG, idempotency_key="r2")
        assert refused.value.reason == "order_status_not_allowed" and "已签收" in refused.value.message
        protected = await orders.claim_price_protection("312705335872", customer_id="cnjdwdnipzaorvgkymr", idempotency_key="pp1")
        assert protected.payment_history[-1].amount == 418.94
    finally:
        await connectors.aclose()


async def test_the_after_sales_connector(jd: RunningCommerce) -> None:
    connectors = build_reference_connectors(jd.settings())
    aftersales = connectors.aftersales
    try:
        owner = "cnjdwdnipzaorvgkymr"
        invoice = await aftersales.get_invoice("312705335872", customer_id=owner)
        assert (invoice.invoice_type, invoice.title) == ("个人发票", "彭穆清")
        reissued = await aftersales.issue_invoice(
            "312705335872", InvoiceRequest(invoice_type="个人发票", title="彭先生"), customer_id=owner, idempotency_key="i1"
        )
        assert reissued.replaces == invoice.invoice_id and reissued.title == "彭先生"
        with pytest.raises(PolicyViolationError) as missing_tax_id:
            await aftersales.issue_invoice(
                "312705335872", InvoiceRequest(invoice_type="企业发票", title="某公司"), customer_id=owner, idempotency_key="i2"
            )
        assert missing_tax_id.value.reason == "tax_id_required"
        with pytest.raises(NotFoundError):
            await aftersales.get_invoice("312705335872", customer_id=SONG)
        day = today_in("Asia/Shanghai") + timedelta(days=4)
        booked = await aftersales.book_appointment("312705335872", "安装", day, customer_id=owner, idempotency_key="b1")
        assert booked.date == day.isoformat()
        moved = await aftersales.change_appointment(
            booked.appointment_id, day + timedelta(days=1), customer_id=owner, idempotency_key="b2"
        )
        assert moved.date == (day + timedelta(days=1)).isoformat()
        assert [a.appointment_id for a in await aftersales.list_appointments(owner)] == [booked.appointment_id]
        assert await aftersales.list_appointments(owner, order_id="713254136242") == []
        with pytest.raises(NotFoundError):
            await aftersales.change_appointment(booked.appointment_id, day, customer_id=SONG, idempotency_key="b3")
        record = await aftersales.get_cashback_record("316123105676", customer_id="cnjdii星星ii")
        assert (record.recorded, record.reviewed, record.status) == (True, False, "未晒单")
    finally:
        await connectors.aclose()
