"""The JD appliance shop's operations end to end, through the HTTP API with the real 0.5B model and the real commerce
service serving its seed: a Chinese request is proposed in the form the shop's policy asks for, runs only after the
customer confirms, and lands in the commerce database (read here directly); a request its policy forbids is refused
with the rule in its own words, and a request missing what the write needs is asked about, with nothing written."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from assistant.settings import Settings
from assistant.shops import load_shop
from assistant.shops.dates import day_of
from tests.chat.conftest import app_client, jd_customer, new_conversation, say
from tests.commerce.jd_data import as_customer, by_ecard, ecard_balance, jd_order, jd_orders, jd_users
from tests.commerce.service import RunningCommerce

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
POLICY = load_shop("jd_appliances").policy
PENG = "cnjdwdnipzaorvgkymr"  # phone 12810332319; 312705335872 (已付款, e-card; a 个人发票 issued to 彭穆清)
SONG = "cnjd喜哥2号"  # phone 15540534614; 313271663680 (已付款)
TAX_ID = "91350100M000100Y43"


def _rows(service: RunningCommerce, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    """Rows of the commerce service's own database (SQLite), read-only."""
    with sqlite3.connect(f"file:{service.db_path}?mode=ro", uri=True) as connection:
        return list(connection.execute(sql, parameters))


def _phone(user: str) -> str:
    return str(jd_users()[user]["电话号码"])


async def test_a_customer_identified_by_phone_cancels_a_processing_ecard_order_after_confirming(
    jd_settings: Settings, jd_service: RunningCommerce
) -> None:
    order = jd_order("处理中", by_ecard)
    user, order_id, total = order["用户ID"], order["订单ID"], float(order["订单总金额"])
    commerce = jd_service.client(**as_customer(user))
    before = ecard_balance(commerce, user)
    async with app_client(jd_settings) as http:
        jd_customer(http, user)
        conversation = await new_conversation(http)
        proposed = await say(http, conversation, f"你好，我的手机号是{_phone(user)}，帮我把订单{order_id}取消了")
        assert proposed["route"] == "cancel_order" and proposed["pending_confirmation"] is not None, proposed
        assert proposed["pending_confirmation"]["name"] == "cancel_order", proposed["pending_confirmation"]
        assert order_id in proposed["reply"] and "京东E卡" in proposed["reply"] and "确认" in proposed["reply"]
        # Proposed, not done: the order is still being processed and the e-card untouched.
        assert _rows(jd_service, "SELECT status FROM orders WHERE id = ?", order_id) == [("处理中",)]
        done = await say(http, conversation, "确认")
    assert done["route"] == "confirm" and "cancel_order" in [action["name"] for action in done["actions"]], done
    assert _rows(jd_service, "SELECT status FROM orders WHERE id = ?", order_id) == [("已取消",)]
    assert round(ecard_balance(commerce, user) - before, 2) == round(total, 2)


async def test_an_invoice_is_issued_after_confirmation(jd_settings: Settings, jd_service: RunningCommerce) -> None:
    invoices = "SELECT invoice_type, title, tax_id, status FROM invoices WHERE order_id = ? ORDER BY id"
    seeded = _rows(jd_service, invoices, "312705335872")
    assert seeded == [("个人发票", "彭穆清", None, "issued")]
    async with app_client(jd_settings) as http:
        jd_customer(http, PENG)
        conversation = await new_conversation(http)
        asked = f"我的手机号是{_phone(PENG)}，订单312705335872开个企业发票，抬头是某某科技有限公司，税号{TAX_ID}"
        proposed = await say(http, conversation, asked)
        assert proposed["route"] == "invoice" and proposed["pending_confirmation"]["name"] == "issue_invoice", proposed
        assert _rows(jd_service, invoices, "312705335872") == seeded  # nothing issued before the yes
        done = await say(http, conversation, "确认")
    assert done["route"] == "confirm", done
    assert _rows(jd_service, invoices, "312705335872") == [
        ("个人发票", "彭穆清", None, "replaced"),
        ("企业发票", "某某科技有限公司", TAX_ID, "issued"),
    ]


async def test_an_installation_is_booked_for_the_day_said_in_the_shops_time_zone(
    jd_settings: Settings, jd_service: RunningCommerce
) -> None:
    visits = "SELECT service_type, day, status FROM appointments WHERE order_id = ?"
    assert _rows(jd_service, visits, "313271663680") == []
    async with app_client(jd_settings) as http:
        jd_customer(http, SONG)
        conversation = await new_conversation(http)
        proposed = await say(http, conversation, f"我的手机号是{_phone(SONG)}，订单313271663680预约周六安装")
        saturday = day_of("周六", load_shop("jd_appliances").profile.time_zone).isoformat()  # Asia/Shanghai
        assert proposed["route"] == "appointment" and saturday in proposed["reply"], proposed
        assert proposed["pending_confirmation"]["arguments"]["date"] == saturday
        done = await say(http, conversation, "好的，确认")
    assert done["route"] == "confirm", done
    assert _rows(jd_service, visits, "313271663680") == [("安装", saturday, "booked")]


async def test_a_return_of_an_order_not_signed_for_is_refused_with_the_rule_and_nothing_written(
    jd_settings: Settings, jd_service: RunningCommerce
) -> None:
    order = jd_order("已发货")
    user = order["用户ID"]
    before = jd_service.fingerprint()
    async with app_client(jd_settings) as http:
        jd_customer(http, user)
        conversation = await new_conversation(http)
        refused = await say(http, conversation, f"我的手机号是{_phone(user)}，订单{order['订单ID']}我要退货")
    assert refused["route"] == "return_items" and refused["pending_confirmation"] is None, refused
    assert POLICY.actions["return"].rule["zh"] in refused["reply"] and "已发货" in refused["reply"], refused["reply"]
    assert jd_service.fingerprint() == before


async def test_a_company_invoice_without_a_valid_tax_id_is_asked_or_refused_clearly_and_nothing_stored(
    jd_settings: Settings, jd_service: RunningCommerce
) -> None:
    before = jd_service.fingerprint()
    async with app_client(jd_settings) as http:
        jd_customer(http, PENG)
        conversation = await new_conversation(http)
        missing = await say(http, conversation, f"我的手机号是{_phone(PENG)}，订单312705335872开企业发票，抬头是某某科技有限公司")
        invalid = await say(http, conversation, "订单312705335872开企业发票，抬头是某某科技有限公司，税号123")
    assert missing["route"] == "invoice" and missing["pending_confirmation"] is None, missing
    assert "税号" in missing["reply"] and "企业发票必填" in missing["reply"], missing["reply"]
    # The write itself refuses the tax id's form, naming it: nothing is proposed for a yes.
    assert invalid["pending_confirmation"] is None and "123 不是有效的税号" in invalid["reply"], invalid["reply"]
    assert jd_service.fingerprint() == before


async def test_this_order_after_a_look_up_is_the_order_just_talked_about(
    jd_settings: Settings, jd_service: RunningCommerce
) -> None:
    """A customer with several orders asks about one, then says "这个订单帮我取消掉": the cancel is proposed for that
    order (named in the confirmation), not answered with "which order?"."""
    orders_of: dict[str, int] = {}
    for row in jd_orders():
        orders_of[row["用户ID"]] = orders_of.get(row["用户ID"], 0) + 1
    order = jd_order("已付款", lambda row: orders_of[row["用户ID"]] > 1)
    user, order_id = order["用户ID"], order["订单ID"]
    async with app_client(jd_settings) as http:
        jd_customer(http, user)
        conversation = await new_conversation(http)
        looked_up = await say(http, conversation, f"我的手机号是{_phone(user)}，订单{order_id}现在什么状态？")
        assert looked_up["route"] == "order_status" and order_id in looked_up["reply"], looked_up
        proposed = await say(http, conversation, "这个订单帮我取消掉吧，不想要了")
    assert proposed["route"] == "cancel_order" and proposed["pending_confirmation"] is not None, proposed
    assert proposed["pending_confirmation"]["arguments"]["order_id"] == order_id, proposed["pending_confirmation"]
    assert order_id in proposed["reply"]
    assert _rows(jd_service, "SELECT status FROM orders WHERE id = ?", order_id) == [("已付款",)]


async def test_a_message_that_only_gives_the_phone_number_identifies_and_asks_how_to_help(
    jd_settings: Settings, jd_service: RunningCommerce
) -> None:
    """Found by using it as a customer: "我的手机号是…" alone went to the knowledge base, found nothing and was handed
    to a person. Now the shop checks the number and asks what the customer needs; the next message needs no number."""
    async with app_client(jd_settings) as http:
        jd_customer(http, SONG)
        conversation = await new_conversation(http)
        identified = await say(http, conversation, f"我的手机号是{_phone(SONG)}")
        assert identified["route"] == "identify" and not identified["handoff"], identified
        assert "核实" in identified["reply"], identified["reply"]
        status = await say(http, conversation, "帮我查一下订单313271663680")
    assert status["route"] == "order_status" and "313271663680" in status["reply"], status


async def test_another_customers_phone_number_identifies_no_one(jd_settings: Settings, jd_service: RunningCommerce) -> None:
    async with app_client(jd_settings) as http:
        jd_customer(http, SONG)
        conversation = await new_conversation(http)
        refused = await say(http, conversation, f"我的手机号是{_phone(PENG)}")
    assert refused["route"] == "identify" and "核实" not in refused["reply"], refused
