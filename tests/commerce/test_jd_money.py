"""The Chinese shop's money: e-card (京东E卡) refunds and charges add up to the cent, other methods are refunded later,
and a repeated write (same Idempotency-Key) moves money once."""

from __future__ import annotations

from decimal import Decimal

from tests.commerce.jd_data import as_customer, by_ecard, ecard_balance, ecard_id, jd_order, jd_users, not_by_ecard
from tests.commerce.service import RunningCommerce
from tests.commerce.test_orders_api import path


def _cents(amount: float) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"))


def test_cancelling_an_ecard_order_refunds_the_ecard_at_once(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", by_ecard)
    user, total = paid["用户ID"], paid["订单总金额"]
    client = jd.client(**as_customer(user))
    before = ecard_balance(client, user)
    body = client.post(path(paid["订单ID"], "cancel"), json={"reason": "买错了"}).json()
    assert (body["status"], body["cancel_reason"]) == ("已取消", "买错了")
    assert body["payment_history"][-1] == {"transaction_type": "refund", "amount": total, "payment_method_id": ecard_id(user)}
    assert _cents(ecard_balance(client, user)) == _cents(before) + _cents(total)


def test_cancelling_an_order_paid_otherwise_refunds_that_method_and_leaves_the_ecard(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", not_by_ecard)
    user = paid["用户ID"]
    client = jd.client(**as_customer(user))
    before = ecard_balance(client, user)
    body = client.post(path(paid["订单ID"], "cancel"), json={"reason": "不需要了"}).json()
    refund = body["payment_history"][-1]
    assert refund["transaction_type"] == "refund" and refund["payment_method_id"] != ecard_id(user)
    assert refund["amount"] == paid["订单总金额"] and ecard_balance(client, user) == before


def test_returning_an_ecard_order_refunds_the_ecard_and_a_repeat_changes_nothing(jd: RunningCommerce) -> None:
    signed = jd_order("已签收", by_ecard)
    user = signed["用户ID"]
    client = jd.client(**as_customer(user), **{"Idempotency-Key": "return-once"})
    before = ecard_balance(client, user)
    first = client.post(path(signed["订单ID"], "return-order"), json={"reason": "不合适"})
    after_first = jd.fingerprint()
    second = client.post(path(signed["订单ID"], "return-order"), json={"reason": "不合适"})
    assert first.json()["status"] == "退货中" and second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json() and jd.fingerprint() == after_first
    assert _cents(ecard_balance(client, user)) == _cents(before) + _cents(signed["订单总金额"])
    assert first.json()["return_payment_method_id"] == ecard_id(user)


def test_returning_an_order_paid_otherwise_records_where_the_refund_goes(jd: RunningCommerce) -> None:
    signed = jd_order("已签收", not_by_ecard)
    body = jd.client(**as_customer(signed["用户ID"])).post(path(signed["订单ID"], "return-order"), json={}).json()
    assert body["status"] == "退货中"
    assert [p["transaction_type"] for p in body["payment_history"]] == ["payment"]  # refunded once the goods are back
    assert body["return_payment_method_id"] == body["payment_history"][0]["payment_method_id"]


def test_price_protection_refunds_the_difference_per_unit_once(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "312705335872")  # 1 × paid 1199.00, costs 780.06 today
    user = paid["用户ID"]
    client = jd.client(**as_customer(user))
    before = ecard_balance(client, user)
    body = client.post(path(paid["订单ID"], "price-protection"), json={}).json()
    assert body["status"] == "已付款"
    assert body["payment_history"][-1] == {"transaction_type": "refund", "amount": 418.94, "payment_method_id": ecard_id(user)}
    assert body["items"][0]["price_protected"] == 418.94
    assert _cents(ecard_balance(client, user)) == _cents(before) + Decimal("418.94")
    again = client.post(path(paid["订单ID"], "price-protection"), json={})
    assert (again.status_code, again.json()["reason"]) == (409, "no_price_difference")
    assert _cents(ecard_balance(client, user)) == _cents(before) + Decimal("418.94")


def test_price_protection_to_a_bank_card_is_recorded_and_refused_without_a_difference(jd: RunningCommerce) -> None:
    dearer = jd_order("处理中", lambda o: o["订单ID"] == "307252585701")  # bank card, paid 3500, costs 1559 today
    body = jd.client(**as_customer(dearer["用户ID"])).post(path(dearer["订单ID"], "price-protection"), json={}).json()
    assert body["payment_history"][-1]["amount"] == 1941.0
    cheaper = jd_order("已付款", lambda o: o["订单ID"] == "315084487289")  # paid 2000, costs 2189 today
    before = jd.fingerprint()
    refused = jd.client(**as_customer(cheaper["用户ID"])).post(path(cheaper["订单ID"], "price-protection"), json={})
    assert (refused.status_code, refused.json()["reason"]) == (409, "no_price_difference")
    assert "没有可退的差额" in refused.json()["message"] and jd.fingerprint() == before


def test_placing_an_order_with_the_ecard_deducts_exactly_the_total(jd: RunningCommerce) -> None:
    user = "cnjd喜哥2号"  # e-card balance 5,500.00
    client = jd.client(**as_customer(user), **{"Idempotency-Key": "place-once"})
    before = ecard_balance(client, user)
    request = {"items": [{"product_id": "100112573665", "quantity": 2}], "payment_method_id": ecard_id(user)}
    first = client.post(f"/customers/{user}/orders", json=request)
    assert first.status_code == 201, first.text
    order = first.json()
    assert order["status"] == "已付款" and order["currency"] == "CNY" and len(order["order_id"]) == 12
    assert [i["product_id"] for i in order["items"]] == ["100112573665"] * 2 and order["items"][0]["price"] == 1999.0
    assert order["payment_history"] == [{"transaction_type": "payment", "amount": 3998.0, "payment_method_id": ecard_id(user)}]
    assert (order["recipient_name"], order["recipient_phone"]) == ("宋敬明", jd_users()[user]["电话号码"])
    assert order["address"]["city"] == "揭阳市"
    assert _cents(ecard_balance(client, user)) == _cents(before) - Decimal("3998.00")
    again = client.post(f"/customers/{user}/orders", json=request)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["order_id"] == order["order_id"]
    assert _cents(ecard_balance(client, user)) == _cents(before) - Decimal("3998.00")
    listed = client.get(f"/customers/{user}/orders").json()
    assert [o["order_id"] for o in listed].count(order["order_id"]) == 1
    assert client.get(path(order["order_id"])).json() == order


def test_placing_an_order_with_another_method_charges_it_and_leaves_the_ecard(jd: RunningCommerce) -> None:
    user = "cnjd喜哥2号"
    client = jd.client(**as_customer(user))
    before = ecard_balance(client, user)
    request = {
        "items": [{"product_id": "100112573665", "quantity": 1}],
        "payment_method_id": f"wechat_pay_{user}",
        "address": {"address1": "人民路8号", "address2": "天河区", "city": "广州市", "state": "广东省", "country": "中国"},
        "recipient_name": "宋小明",
        "recipient_phone": "139-0000-1111",
    }
    order = client.post(f"/customers/{user}/orders", json=request).json()
    assert order["payment_history"][0]["payment_method_id"] == f"wechat_pay_{user}"
    assert (order["recipient_name"], order["recipient_phone"], order["address"]["city"]) == ("宋小明", "13900001111", "广州市")
    assert ecard_balance(client, user) == before
