"""The Chinese shop's policy, enforced by its service: every write allowed in a status its policy names, and refused in
another with a 409, its machine-readable reason, the rule named in the caller's language, and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from assistant.shops import load_shop
from assistant.shops.dates import today_in
from assistant.shops.policy import Action
from commerce.services.rules import messages
from tests.commerce.jd_data import Record, as_customer, jd_order, jd_products
from tests.commerce.service import RunningCommerce
from tests.commerce.test_orders_api import path

CN_ADDRESS = {"address1": "人民路8号", "address2": "天河区", "city": "广州市", "state": "广东省", "country": "中国", "zip": ""}


def _listed_on_sale(order: Record) -> bool:
    listing = jd_products()[order["订单商品列表"][0]["商品ID"]]["可换货商品"]
    return any(option["商品状态"] == "已上架" for option in listing)


def _exchange(order: Record) -> dict[str, str]:
    product_id = order["订单商品列表"][0]["商品ID"]
    target = next(option for option in jd_products()[product_id]["可换货商品"] if option["商品状态"] == "已上架")
    return {"product_id": product_id, "new_product_id": target["商品ID"]}


def _in_a_week() -> str:
    return (today_in("Asia/Shanghai") + timedelta(days=7)).isoformat()


@dataclass
class Write:
    action: Action
    url: str  # {order} is the order id, escaped
    body: Callable[[Record], dict[str, Any]]
    allowed: Record
    refused: Record
    status_code: int = 200

    def request(self, jd: RunningCommerce, order: Record, language: str | None = None) -> Any:
        headers = {**as_customer(order["用户ID"]), "Idempotency-Key": f"{self.action}-{order['订单ID']}-{language}"}
        if language:
            headers["Accept-Language"] = language
        url = self.url.format(order=path(order["订单ID"]))
        return jd.client().post(url, json=self.body(order), headers=headers)


def _writes() -> dict[str, Write]:
    return {
        "cancel": Write("cancel", "{order}/cancel", lambda o: {"reason": "不想要了"}, jd_order("已付款"), jd_order("已签收")),
        "modify_address": Write(
            "modify_address", "{order}/address", lambda o: CN_ADDRESS, jd_order("处理中"), jd_order("已发货")
        ),
        "modify_phone": Write(
            "modify_phone", "{order}/phone", lambda o: {"phone": "13800138000"}, jd_order("已付款"), jd_order("运输中")
        ),
        "return": Write("return", "{order}/return-order", lambda o: {"reason": "不合适"}, jd_order("已签收"), jd_order("已付款")),
        "exchange": Write(
            "exchange",
            "{order}/exchange-product",
            _exchange,
            jd_order("已付款", _listed_on_sale),
            jd_order("已签收", _listed_on_sale),
        ),  # fmt: skip
        "price_protection": Write(
            "price_protection",
            "{order}/price-protection",
            lambda o: {},
            jd_order("已付款", lambda o: o["订单ID"] == "312705335872"),  # paid 1199, costs 780.06 today
            jd_order("已退货"),  # paid 2000, costs 1559 today: only its status refuses it
        ),  # fmt: skip
        "expedite": Write("expedite", "{order}/expedite", lambda o: {"reason": "急用"}, jd_order("已付款"), jd_order("已签收")),
        "invoice": Write(
            "invoice",
            "{order}/invoice",
            lambda o: {"invoice_type": "个人发票", "title": "宋敬明"},
            jd_order("已付款"),
            jd_order("已退货"),
            status_code=201,
        ),  # fmt: skip
        "appointment": Write(
            "appointment",
            "{order}/appointments",
            lambda o: {"service_type": "安装", "date": _in_a_week()},
            jd_order("已付款"),
            jd_order("已退货"),
            status_code=201,
        ),  # fmt: skip
    }


WRITES = _writes()


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_write_is_allowed_in_a_status_the_policy_names(jd: RunningCommerce, name: str) -> None:
    write = WRITES[name]
    policy = load_shop("jd_appliances").policy
    assert policy.breach(write.action, write.allowed["订单状态"]) is None
    answer = write.request(jd, write.allowed)
    assert answer.status_code == write.status_code, answer.text
    order = jd.client().get(path(write.allowed["订单ID"])).json()
    assert order["status"] == policy.result_status(write.action, write.allowed["订单状态"])


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_write_in_another_status_is_refused_with_the_rule_named_in_the_callers_language(
    jd: RunningCommerce, name: str, language: str
) -> None:
    write = WRITES[name]
    policy = load_shop("jd_appliances").policy
    breach = policy.breach(write.action, write.refused["订单状态"])
    assert breach is not None
    before = jd.fingerprint()
    answer = write.request(jd, write.refused, "zh-CN,zh;q=0.9" if language == "zh" else "en-US,en;q=0.8")
    assert (answer.status_code, answer.json()["reason"]) == (409, "order_status_not_allowed"), answer.text
    message = answer.json()["message"]
    assert breach.rule_in(language) in message  # type: ignore[arg-type]
    assert policy.status_name(write.refused["订单状态"], language) in message  # type: ignore[arg-type]
    assert jd.fingerprint() == before


def test_without_accept_language_the_rule_is_in_the_shops_main_language(jd: RunningCommerce) -> None:
    signed = jd_order("已签收")
    answer = jd.client().post(
        path(signed["订单ID"], "cancel"), json={"reason": "不想要了"}, headers=as_customer(signed["用户ID"])
    )
    assert answer.status_code == 409
    assert answer.json()["message"] == "仅在“待付款”“已付款”“处理中”状态下可取消订单。订单 {} 当前状态为“已签收”。".format(
        signed["订单ID"]
    )


def test_the_retail_forms_of_return_and_exchange_are_not_this_shops(jd: RunningCommerce) -> None:
    signed, paid = jd_order("已签收"), jd_order("已付款")
    item = signed["订单商品列表"][0]["商品ID"]
    before = jd.fingerprint()
    items_return = jd.client().post(path(signed["订单ID"], "return"), json={"item_ids": [item], "payment_method_id": "x"})
    assert (items_return.status_code, items_return.json()["reason"]) == (422, "action_not_offered")
    assert "整单退货" in items_return.json()["message"]
    variants = jd.client().post(
        path(paid["订单ID"], "exchange"), json={"item_ids": [item], "new_item_ids": [item], "payment_method_id": "x"}
    )
    assert (variants.status_code, variants.json()["reason"]) == (422, "action_not_offered")
    payment = jd.client().post(path(paid["订单ID"], "payment"), json={"payment_method_id": "x"})
    assert (payment.status_code, payment.json()["reason"]) == (422, "action_not_offered")  # not in its policy
    assert jd.fingerprint() == before


def test_the_retail_shop_offers_none_of_the_chinese_shops_operations(retail: RunningCommerce) -> None:
    before = retail.fingerprint()
    client = retail.client()
    placed = client.post(
        "/customers/noah_brown_6181/orders", json={"items": [{"product_id": "x", "quantity": 1}], "payment_method_id": "y"}
    )
    assert (placed.status_code, placed.json()["reason"]) == (422, "action_not_offered")
    pending = path("#W2611340")
    for url, body in [
        (f"{pending}/phone", {"phone": "13800138000"}),
        (f"{pending}/return-order", {}),
        (f"{pending}/exchange-product", {"product_id": "a", "new_product_id": "b"}),
        (f"{pending}/price-protection", {}),
        (f"{pending}/invoice", {"invoice_type": "个人发票", "title": "x"}),
        (f"{pending}/appointments", {"service_type": "安装", "date": _in_a_week()}),
    ]:
        answer = client.post(url, json=body)
        assert (answer.status_code, answer.json()["reason"]) == (422, "action_not_offered"), url
    assert retail.fingerprint() == before


def test_the_service_says_every_refusal_in_both_languages() -> None:
    assert set(messages("en")) == set(messages("zh")) and messages("en")
