"""The Chinese shop's other operations on the real service: exchange for a listed product, a new phone or address,
invoices, installation/repair appointments, review cash-back; bad input refused clearly with nothing changed, and
another customer's order, invoice or appointment answered exactly like a missing one."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from assistant.shops.dates import today_in
from tests.commerce.jd_data import Record, as_customer, ecard_id, jd_order, jd_products, someone_else
from tests.commerce.service import RunningCommerce
from tests.commerce.test_orders_api import path

TAX_ID = "91350100M000100Y43"  # a unified social credit code's shape: 18 letters and digits


def _day(days: int) -> str:
    return (today_in("Asia/Shanghai") + timedelta(days=days)).isoformat()


def _owner(order: Record) -> dict[str, str]:
    return as_customer(order["用户ID"])


def test_an_exchange_changes_the_orders_line_to_the_listed_product_at_the_price_paid(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "313021098954")  # 100042754736 lists 100042754737 (已上架)
    client = jd.client(**_owner(paid))
    product = client.get("/products/100042754736").json()
    listed = {option["product_id"]: option for option in product["exchangeable"]}
    assert listed["100042754737"] == {
        "product_id": "100042754737", "description": listed["100042754737"]["description"], "status": "已上架", "on_sale": True,
    }  # fmt: skip
    body = client.post(
        path(paid["订单ID"], "exchange-product"), json={"product_id": "100042754736", "new_product_id": "100042754737"}
    ).json()
    (line,) = body["items"]
    assert (line["product_id"], line["item_id"], line["price"]) == ("100042754737", "100042754737", 1299.0)
    assert line["name"] == client.get("/products/100042754737").json()["name"]
    assert body["status"] == "已付款" and [p["transaction_type"] for p in body["payment_history"]] == ["payment"]


def test_an_exchange_for_a_product_not_listed_or_not_on_sale_is_refused(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "313271663680")  # 100112573625 lists 100112573630 as 缺货
    client = jd.client(**_owner(paid), **{"Accept-Language": "en"})
    before = jd.fingerprint()
    cases = {
        ("100112573625", "100112573630"): (409, "product_not_on_sale"),
        ("100112573625", "100042754737"): (422, "product_not_exchangeable"),
        ("100042754736", "100042754737"): (422, "item_not_in_order"),
    }
    for (old, new), expected in cases.items():
        answer = client.post(path(paid["订单ID"], "exchange-product"), json={"product_id": old, "new_product_id": new})
        assert (answer.status_code, answer.json()["reason"]) == expected, answer.text
        assert answer.json()["message"]
    assert jd.fingerprint() == before


def test_the_catalogue_holds_the_listed_products_with_their_status_and_the_gifts(jd: RunningCommerce) -> None:
    client = jd.client()
    listed_only = client.get("/products/100112573630").json()  # listed under 100112573625 only, as 缺货
    assert listed_only["status"] == "缺货" and listed_only["variants"][0]["available"] is False
    assert listed_only["variants"][0]["price"] == jd_products()["100112573625"]["商品价格"]  # its lister's price
    product = client.get("/products/100112573665").json()
    assert product["status"] == "已上架" and product["gifts"][0]["name"] == "电风扇"
    assert len(client.get("/products").json()) == 154  # 52 catalogue products + 102 listed only


def test_a_new_phone_and_address_reach_the_order_and_its_carrier_record(jd: RunningCommerce) -> None:
    paid = jd_order("处理中", lambda o: o["订单ID"] == "316123105676")
    client = jd.client(**_owner(paid))
    body = client.post(path(paid["订单ID"], "phone"), json={"phone": "138 0013 8000"}).json()
    assert body["recipient_phone"] == "13800138000"
    address = {"address1": "人民路8号", "address2": "天河区", "city": "广州市", "state": "广东省", "country": "中国"}
    body = client.post(path(paid["订单ID"], "address"), json=address).json()
    assert body["address"] == {**address, "zip": ""}
    (shipment,) = client.get(path(paid["订单ID"], "tracking")).json()["shipments"]
    assert shipment["status"] == "label_created"


@pytest.mark.parametrize("phone", ["12345", "2380013800", "138001380001", "电话"])
def test_a_phone_the_shop_does_not_deliver_to_is_refused(jd: RunningCommerce, phone: str) -> None:
    paid = jd_order("已付款")
    before = jd.fingerprint()
    answer = jd.client(**_owner(paid)).post(path(paid["订单ID"], "phone"), json={"phone": phone})
    assert (answer.status_code, answer.json()["reason"]) == (422, "invalid_phone") and phone in answer.json()["message"]
    assert jd.fingerprint() == before


def test_an_invoice_is_read_issued_and_reissued_replacing_the_old_one(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "312705335872")  # invoices.json: 个人发票, 彭穆清
    client = jd.client(**_owner(paid))
    seeded = client.get(path(paid["订单ID"], "invoice")).json()
    assert (seeded["invoice_type"], seeded["title"], seeded["status"], seeded["amount"]) == (
        "个人发票",
        "彭穆清",
        "issued",
        1199.0,
    )
    body = {"invoice_type": "企业发票", "title": "某某科技有限公司", "tax_id": TAX_ID.lower()}
    issued = client.post(path(paid["订单ID"], "invoice"), json=body)
    assert issued.status_code == 201, issued.text
    invoice = issued.json()
    assert (invoice["invoice_type"], invoice["tax_id"], invoice["replaces"]) == ("企业发票", TAX_ID, seeded["invoice_id"])
    assert invoice["currency"] == "CNY" and invoice["issued_at"]
    assert client.get(path(paid["订单ID"], "invoice")).json() == invoice


def test_an_order_without_an_invoice_answers_404_until_one_is_issued(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "313021098954")
    client = jd.client(**_owner(paid))
    missing = client.get(path(paid["订单ID"], "invoice"))
    assert (missing.status_code, missing.json()["reason"]) == (404, "invoice_not_found")
    issued = client.post(path(paid["订单ID"], "invoice"), json={"invoice_type": "个人发票", "title": "宋敬明"}).json()
    assert issued["replaces"] is None and issued["tax_id"] is None


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"invoice_type": "增值税专用发票", "title": "某公司"}, 422, "invalid_invoice_type"),
        ({"invoice_type": "企业发票", "title": "某公司"}, 422, "tax_id_required"),
        ({"invoice_type": "企业发票", "title": "某公司", "tax_id": "12-34"}, 422, "invalid_tax_id"),
        ({"invoice_type": "个人发票", "title": "宋敬明", "tax_id": TAX_ID}, 422, "invalid_tax_id"),
        ({"invoice_type": "个人发票", "title": "   "}, 422, "bad_request"),
        ({"invoice_type": "个人发票"}, 422, "bad_request"),
    ],
)
def test_a_wrong_invoice_request_is_refused_with_a_message_and_changes_nothing(
    jd: RunningCommerce, body: dict[str, str], status: int, reason: str
) -> None:
    paid = jd_order("已付款")
    before = jd.fingerprint()
    answer = jd.client(**_owner(paid)).post(path(paid["订单ID"], "invoice"), json=body)
    assert (answer.status_code, answer.json()["reason"]) == (status, reason), answer.text
    assert answer.json()["message"] and jd.fingerprint() == before


def test_an_appointment_is_booked_listed_and_moved(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "313271663680")
    user = paid["用户ID"]
    client = jd.client(**_owner(paid))
    booked = client.post(path(paid["订单ID"], "appointments"), json={"service_type": "安装", "date": _day(3)})
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert (appointment["date"], appointment["name"], appointment["phone"]) == (_day(3), "宋敬明", "15540534614")
    listed = client.get(f"/customers/{quote(user)}/appointments", params={"order_id": paid["订单ID"]}).json()
    assert listed == [appointment]
    twice = client.post(path(paid["订单ID"], "appointments"), json={"service_type": "安装", "date": _day(5)})
    assert (twice.status_code, twice.json()["reason"]) == (409, "appointment_exists")
    repair = client.post(path(paid["订单ID"], "appointments"), json={"service_type": "维修", "date": _day(5)})
    assert repair.status_code == 201
    moved = client.patch(f"/appointments/{appointment['appointment_id']}", json={"date": _day(10)}).json()
    assert moved["date"] == _day(10) and moved["appointment_id"] == appointment["appointment_id"]


@pytest.mark.parametrize(
    ("service", "day", "reason"),
    [
        ("安装", "2020-01-01", "date_in_past"),
        ("安装", -1, "date_in_past"),  # yesterday in the shop's time zone
        ("清洗", 1, "invalid_service_type"),
        ("安装", 400, "date_too_far"),
        ("安装", "2025-02-30", "bad_request"),
        ("安装", "周六", "bad_request"),  # the service takes dates; the tools read 周六 as one
    ],
)
def test_a_wrong_appointment_is_refused_with_a_message_and_changes_nothing(
    jd: RunningCommerce, service: str, day: str | int, reason: str
) -> None:
    body = {"service_type": service, "date": _day(day) if isinstance(day, int) else day}
    paid = jd_order("已付款")
    before = jd.fingerprint()
    answer = jd.client(**_owner(paid)).post(path(paid["订单ID"], "appointments"), json=body)
    assert (answer.status_code, answer.json()["reason"]) == (422, reason), answer.text
    assert answer.json()["message"] and jd.fingerprint() == before


def test_the_cashback_record_says_whether_a_review_was_registered(jd: RunningCommerce) -> None:
    recorded = jd_order("处理中", lambda o: o["订单ID"] == "316123105676")  # register_cashback.json: false
    answer = jd.client(**_owner(recorded)).get(path(recorded["订单ID"], "cashback")).json()
    assert answer == {"order_id": "316123105676", "recorded": True, "reviewed": False, "status": "未晒单"}
    other = jd_order("已签收")
    answer = jd.client(**_owner(other)).get(path(other["订单ID"], "cashback")).json()
    assert (answer["recorded"], answer["status"]) == (False, "未晒单")


def test_gift_cards_list_the_customers_ecard(jd: RunningCommerce) -> None:
    (card,) = jd.client(**as_customer("cnjd喜哥2号")).get(f"/customers/{quote('cnjd喜哥2号')}/gift-cards").json()
    assert (card["id"], card["brand"], card["balance"]) == (ecard_id("cnjd喜哥2号"), "京东E卡", 5500.0)


def test_another_customers_order_invoice_and_appointment_answer_like_missing_ones(jd: RunningCommerce) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "312705335872")
    owner = jd.client(**_owner(paid))
    appointment = owner.post(path(paid["订单ID"], "appointments"), json={"service_type": "安装", "date": _day(2)}).json()
    stranger = jd.client(**as_customer(someone_else(paid["用户ID"])))
    before = jd.fingerprint()
    nowhere = "000000000000"
    probes = [
        ("GET", path(paid["订单ID"]), None, path(nowhere)),
        ("GET", path(paid["订单ID"], "invoice"), None, path(nowhere, "invoice")),
        ("POST", path(paid["订单ID"], "invoice"), {"invoice_type": "个人发票", "title": "x"}, path(nowhere, "invoice")),
        ("GET", path(paid["订单ID"], "cashback"), None, path(nowhere, "cashback")),
        ("POST", path(paid["订单ID"], "price-protection"), {}, path(nowhere, "price-protection")),
        ("POST", path(paid["订单ID"], "phone"), {"phone": "13800138000"}, path(nowhere, "phone")),
        ("POST", path(paid["订单ID"], "appointments"), {"service_type": "安装", "date": _day(3)}, path(nowhere, "appointments")),
        ("PATCH", f"/appointments/{appointment['appointment_id']}", {"date": _day(4)}, "/appointments/999999"),
    ]
    for method, url, body, missing_url in probes:
        theirs = stranger.request(method, url, json=body)
        missing = stranger.request(method, missing_url, json=body)
        assert theirs.status_code == missing.status_code == 404, (url, theirs.text)
        assert theirs.json() == missing.json(), url
    listed = stranger.get(f"/customers/{quote(paid['用户ID'])}/appointments")
    assert (listed.status_code, listed.json()["reason"]) == (404, "customer_not_found")
    assert jd.fingerprint() == before


@pytest.mark.parametrize(
    ("items", "method", "status", "reason"),
    [
        ([{"product_id": "100112573665", "quantity": 0}], "ecard", 422, "bad_request"),
        ([{"product_id": "100112573665", "quantity": 100}], "ecard", 422, "bad_request"),
        ([], "ecard", 422, "bad_request"),
        ([{"product_id": "100112573630", "quantity": 1}], "ecard", 409, "product_not_on_sale"),  # 缺货
        ([{"product_id": "999999999999", "quantity": 1}], "ecard", 404, "product_not_found"),
        ([{"product_id": "100112573665", "quantity": 3}], "ecard", 409, "insufficient_gift_card_balance"),  # 5997 > 5500
        ([{"product_id": "100112573665", "quantity": 1}], "jd_ecard_cnjdii星星ii", 422, "payment_method_not_owned"),
    ],
)
def test_a_wrong_order_is_refused_with_a_message_and_changes_nothing(
    jd: RunningCommerce, items: list[dict[str, object]], method: str, status: int, reason: str
) -> None:
    user = "cnjd喜哥2号"
    before = jd.fingerprint()
    body = {"items": items, "payment_method_id": ecard_id(user) if method == "ecard" else method}
    answer = jd.client(**as_customer(user)).post(f"/customers/{quote(user)}/orders", json=body)
    assert (answer.status_code, answer.json()["reason"]) == (status, reason), answer.text
    assert answer.json()["message"] and jd.fingerprint() == before
