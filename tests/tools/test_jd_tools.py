"""The Chinese shop's tools over its real service: its toolbox, proposals in the customer's language with ¥ amounts and
where refunds go, confirmed writes executed once, refusals naming its rule, and another customer's order unseen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from assistant.shops import load_shop
from assistant.shops.dates import day_of, today_in
from assistant.tools import Toolbox, ToolKind
from assistant.tools.offers import IDENTITY_TOOLS, WRITE_ACTIONS
from tests.commerce.jd_data import ecard_id, jd_order, someone_else
from tests.commerce.service import RunningCommerce
from tests.tools.conftest import ContextFactory
from tests.tools.test_toolbox import WRITE_TOOLS

pytestmark = pytest.mark.asyncio(loop_scope="session")
SONG = "cnjd喜哥2号"  # 宋敬明, e-card 5,500.00
JD_WRITES = {
    "cancel_order", "modify_order_address", "modify_order_phone", "return_order", "exchange_order_product", "place_order",
    "claim_price_protection", "issue_invoice", "book_appointment", "change_appointment", "request_expedite",
    "create_ticket", "update_ticket", "add_note",
}  # fmt: skip
ADDRESS = {"province": "广东省", "city": "广州市", "district": "天河区", "detail": "人民路8号"}


async def _balance(ctx: Any, toolbox: Toolbox) -> float:
    return float((await toolbox.call("get_ecard_balance", {}, ctx)).data["total"])


async def _confirm(toolbox: Toolbox, ctx: Any, name: str, arguments: dict[str, Any]) -> tuple[str, Any]:
    proposed = await toolbox.call(name, arguments, ctx)
    assert proposed.ok and proposed.proposed_action is not None, proposed
    done = await toolbox.execute_confirmed(proposed.proposed_action, ctx)
    assert done.ok, done
    return proposed.proposed_action.description, done.data


async def test_each_shop_has_the_tools_its_policy_offers(toolbox: Toolbox, jd_toolbox: Toolbox) -> None:
    assert {n for n in toolbox.names if toolbox.kind(n) is ToolKind.WRITE} == WRITE_TOOLS
    assert {n for n in jd_toolbox.names if jd_toolbox.kind(n) is ToolKind.WRITE} == JD_WRITES
    assert {"get_invoice", "list_appointments", "get_cashback_record", "get_ecard_balance"} <= set(jd_toolbox.names)
    assert not {"get_invoice", "list_appointments", "get_cashback_record"} & set(toolbox.names)
    # The identity look-ups are the profile's: a customer of the Chinese shop has no email and no zip code.
    assert {n for n in jd_toolbox.names if n in IDENTITY_TOOLS} == {"find_user_id_by_phone", "verify_platform_user_id"}
    assert {n for n in toolbox.names if n in IDENTITY_TOOLS} == {"find_user_id_by_email", "find_user_id_by_name_zip"}
    text = str(jd_toolbox.schemas())
    assert "#W" not in text and "zip" not in text and "'312705335872'" in text
    assert jd_toolbox.approval.refund_limit == 10000.0 and toolbox.approval.refund_limit == 1000.0


REFUSED = {
    "cancel_order": ("已签收", {"reason": "不想要了"}),
    "modify_order_address": ("已发货", ADDRESS),
    "modify_order_phone": ("运输中", {"phone": "13800138000"}),
    "return_order": ("已付款", {}),
    "exchange_order_product": ("已签收", {"product_id": "100107985736", "new_product_id": "100065930938"}),
    "claim_price_protection": ("已退货", {}),
    "issue_invoice": ("已退货", {"invoice_type": "个人发票", "title": "张三"}),
    "book_appointment": ("已退货", {"service_type": "安装", "date": "明天"}),
    "request_expedite": ("已签收", {}),
}


@pytest.mark.parametrize("tool", sorted(REFUSED))
@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_write_in_a_status_the_policy_forbids_is_refused_with_its_rule(
    jd_toolbox: Toolbox, make_jd_context: ContextFactory, tool: str, language: str
) -> None:
    status, arguments = REFUSED[tool]
    order = jd_order(status, lambda o: tool != "exchange_order_product" or o["订单ID"] == "312693565755")
    ctx = make_jd_context(customer=order["用户ID"], language=language)
    result = await jd_toolbox.call(tool, {"order_id": order["订单ID"], **arguments}, ctx)
    assert (result.ok, result.reason, result.proposed_action) == (False, "order_status_not_allowed", None), result
    policy = load_shop("jd_appliances").policy
    breach = policy.breach(WRITE_ACTIONS[tool], status)
    assert breach is not None and breach.rule_in(language) in (result.error or "")  # type: ignore[arg-type]
    assert policy.status_name(status, language) in (result.error or "")  # type: ignore[arg-type]
    (entry,) = ctx.audit.entries(conversation_id=ctx.conversation_id)
    assert (entry.outcome, entry.reason, entry.tool) == ("refused", "order_status_not_allowed", tool)


async def test_cancelling_an_ecard_order_is_described_confirmed_and_refunds_the_ecard_once(
    jd_toolbox: Toolbox, make_jd_context: ContextFactory
) -> None:
    paid = jd_order("已付款", lambda o: o["订单ID"] == "312705335872")  # 1,199.00 by e-card
    ctx = make_jd_context(customer=paid["用户ID"])
    before = await _balance(ctx, jd_toolbox)
    proposed = await jd_toolbox.call("cancel_order", {"order_id": "312705335872", "reason": "买错了"}, ctx)
    action = proposed.proposed_action
    assert action is not None and action.status == "awaiting_confirmation" and action.refund_amount == 1199.0
    assert "¥1,199.00立即退回您的京东E卡" in action.description and "买错了" in action.description
    first = await jd_toolbox.execute_confirmed(action, ctx)
    again = await jd_toolbox.execute_confirmed(action, ctx)  # the same idempotency key: the shop replays
    assert first.data["status"] == again.data["status"] == "已取消"
    assert round(await _balance(ctx, jd_toolbox) - before, 2) == 1199.0
    assert [e.outcome for e in ctx.audit.entries(conversation_id=ctx.conversation_id)] == ["executed", "executed"]


async def test_a_return_says_where_the_refund_goes(jd_toolbox: Toolbox, make_jd_context: ContextFactory) -> None:
    by_ecard = jd_order("已签收", lambda o: o["支付方式"] == "京东E卡")
    ctx = make_jd_context(customer=by_ecard["用户ID"], language="en")
    text, order = await _confirm(jd_toolbox, ctx, "return_order", {"order_id": by_ecard["订单ID"]})
    assert f"¥{by_ecard['订单总金额']:,.2f} goes back to your 京东E卡 immediately" in text and order["status"] == "退货中"
    by_bank = jd_order("已签收", lambda o: o["支付方式"] == "银行卡")
    ctx = make_jd_context(customer=by_bank["用户ID"])
    proposed = await jd_toolbox.call("return_order", {"order_id": by_bank["订单ID"]}, ctx)
    assert proposed.proposed_action is not None and "商品寄回后" in proposed.proposed_action.description


async def test_an_exchange_is_to_a_listed_product_on_sale(jd_toolbox: Toolbox, make_jd_context: ContextFactory) -> None:
    ctx = make_jd_context(customer=SONG)
    arguments = {"order_id": "313021098954", "product_id": "100042754736", "new_product_id": "100042754737"}
    text, order = await _confirm(jd_toolbox, ctx, "exchange_order_product", arguments)
    assert "100042754737" in text and "¥1,299.00" in text and order["items"][0]["product_id"] == "100042754737"
    refused = await jd_toolbox.call(
        "exchange_order_product",
        {"order_id": "313271663680", "product_id": "100112573625", "new_product_id": "100112573630"},
        ctx,
    )
    assert refused.reason == "product_not_on_sale" and "缺货" in (refused.error or "") and "100112573624" in (refused.error or "")
    unlisted = await jd_toolbox.call(
        "exchange_order_product",
        {"order_id": "313271663680", "product_id": "100112573625", "new_product_id": "100042754737"},
        ctx,
    )
    assert unlisted.reason == "product_not_exchangeable"


async def test_a_new_phone_and_address_for_an_order(jd_toolbox: Toolbox, make_jd_context: ContextFactory) -> None:
    ctx = make_jd_context(customer=SONG)
    text, order = await _confirm(jd_toolbox, ctx, "modify_order_phone", {"order_id": "313271663680", "phone": "138-0013-8000"})
    assert "15540534614" in text and "13800138000" in text and order["recipient_phone"] == "13800138000"
    text, order = await _confirm(jd_toolbox, ctx, "modify_order_address", {"order_id": "313271663680", **ADDRESS})
    assert "广东省揭阳市饶平县中山北路231号" in text and "广东省广州市天河区人民路8号" in text
    assert order["address"]["city"] == "广州市"
    bad = await jd_toolbox.call("modify_order_phone", {"order_id": "313271663680", "phone": "12345"}, ctx)
    assert bad.reason == "invalid_phone"
    partial = await jd_toolbox.call("modify_order_address", {"order_id": "313271663680", **ADDRESS, "district": " "}, ctx)
    assert partial.reason == "bad_input"


async def test_placing_an_order_with_the_ecard(jd_toolbox: Toolbox, make_jd_context: ContextFactory) -> None:
    ctx = make_jd_context(customer=SONG)
    arguments = {"items": [{"product_id": "100112573665", "quantity": 2}], "payment_method_id": ecard_id(SONG)}
    text, order = await _confirm(jd_toolbox, ctx, "place_order", arguments)
    assert "¥3,998.00" in text and "余额将从 ¥5,500.00 变为 ¥1,502.00" in text and "宋敬明" in text
    assert order["status"] == "已付款" and await _balance(ctx, jd_toolbox) == 1502.0
    short = await jd_toolbox.call("place_order", arguments, ctx)
    assert short.reason == "insufficient_gift_card_balance" and "¥1,502.00" in (short.error or "")
    off_sale = await jd_toolbox.call(
        "place_order", {"items": [{"product_id": "100112573630", "quantity": 1}], "payment_method_id": ecard_id(SONG)}, ctx
    )
    assert off_sale.reason == "product_not_on_sale" and "缺货" in (off_sale.error or "")
    none = await jd_toolbox.call(
        "place_order", {"items": [{"product_id": "100112573665", "quantity": 0}], "payment_method_id": "x"}, ctx
    )
    assert none.reason == "bad_arguments"


async def test_price_protection_shows_the_difference_and_refunds_it_once(
    jd_toolbox: Toolbox, make_jd_context: ContextFactory
) -> None:
    owner = "cnjdwdnipzaorvgkymr"
    ctx = make_jd_context(customer=owner)
    before = await _balance(ctx, jd_toolbox)
    text, _order = await _confirm(jd_toolbox, ctx, "claim_price_protection", {"order_id": "312705335872"})
    assert "成交价 ¥1,199.00，当前价 ¥780.06" in text and "共 ¥418.94 将立即退回您的京东E卡" in text
    assert round(await _balance(ctx, jd_toolbox) - before, 2) == 418.94
    again = await jd_toolbox.call("claim_price_protection", {"order_id": "312705335872"}, ctx)
    assert again.reason == "no_price_difference"


async def test_an_invoice_is_issued_and_reissued(jd_toolbox: Toolbox, make_jd_context: ContextFactory) -> None:
    owner = "cnjdwdnipzaorvgkymr"
    ctx = make_jd_context(customer=owner)
    assert (await jd_toolbox.call("get_invoice", {"order_id": "312705335872"}, ctx)).data["title"] == "彭穆清"
    arguments = {
        "order_id": "312705335872",
        "invoice_type": "企业发票",
        "title": "某某科技有限公司",
        "tax_id": "91350100m000100y43",
    }
    text, invoice = await _confirm(jd_toolbox, ctx, "issue_invoice", arguments)
    assert "企业发票" in text and "91350100M000100Y43" in text and "原发票作废" in text and "彭穆清" in text
    assert invoice["replaces"] is not None and invoice["tax_id"] == "91350100M000100Y43"
    for bad, reason in [
        ({"invoice_type": "企业发票", "title": "某公司"}, "tax_id_required"),
        ({"invoice_type": "专票", "title": "某公司"}, "invalid_invoice_type"),
        ({"invoice_type": "企业发票", "title": "某公司", "tax_id": "123"}, "invalid_tax_id"),
    ]:
        assert (await jd_toolbox.call("issue_invoice", {"order_id": "312705335872", **bad}, ctx)).reason == reason


async def test_a_visit_booked_for_saturday_is_shown_and_kept_as_that_date(
    jd_toolbox: Toolbox, make_jd_context: ContextFactory
) -> None:
    ctx = make_jd_context(customer=SONG)
    saturday = day_of("周六", "Asia/Shanghai")
    proposed = await jd_toolbox.call(
        "book_appointment", {"order_id": "313271663680", "service_type": "安装", "date": "周六"}, ctx
    )
    action = proposed.proposed_action
    assert action is not None and action.arguments["date"] == saturday.isoformat()
    assert f"{saturday.isoformat()}（周六）上门安装" in action.description and "15540534614" in action.description
    booked = await jd_toolbox.execute_confirmed(action, ctx)
    assert booked.data["date"] == saturday.isoformat()
    listed = (await jd_toolbox.call("list_appointments", {"order_id": "313271663680"}, ctx)).data
    assert [a["appointment_id"] for a in listed] == [booked.data["appointment_id"]]
    twice = await jd_toolbox.call("book_appointment", {"order_id": "313271663680", "service_type": "安装", "date": "下周二"}, ctx)
    assert twice.reason == "appointment_exists"
    text, moved = await _confirm(
        jd_toolbox, ctx, "change_appointment", {"appointment_id": booked.data["appointment_id"], "date": "下周二"}
    )
    assert moved["date"] == day_of("下周二", "Asia/Shanghai").isoformat() and saturday.isoformat() in text


@pytest.mark.parametrize(
    ("service", "said", "reason"),
    [("安装", "yesterday", "date_in_past"), ("安装", "某天", "bad_date"), ("清洗", "明天", "invalid_service_type")],
)
async def test_a_visit_on_a_wrong_day_or_of_an_unknown_service_is_refused(
    jd_toolbox: Toolbox, make_jd_context: ContextFactory, jd: RunningCommerce, service: str, said: str, reason: str
) -> None:
    ctx = make_jd_context(customer=SONG)
    day = (today_in("Asia/Shanghai") - timedelta(days=1)).isoformat() if said == "yesterday" else said
    before = jd.fingerprint()
    result = await jd_toolbox.call("book_appointment", {"order_id": "313271663680", "service_type": service, "date": day}, ctx)
    assert (result.ok, result.reason) == (False, reason) and result.error
    assert jd.fingerprint() == before


async def test_the_reads_of_the_chinese_shop(jd_toolbox: Toolbox, make_jd_context: ContextFactory) -> None:
    ctx = make_jd_context(customer="cnjdii星星ii")
    balance = (await jd_toolbox.call("get_ecard_balance", {}, ctx)).data
    assert balance["currency"] == "CNY" and balance["cards"][0]["name"] == "京东E卡"
    record = (await jd_toolbox.call("get_cashback_record", {"order_id": "316123105676"}, ctx)).data
    assert (record["recorded"], record["status"]) == (True, "未晒单")
    expedite = await jd_toolbox.call("request_expedite", {"order_id": "316123105676", "reason": "急用"}, ctx)
    assert expedite.proposed_action is not None and "316123105676" in expedite.proposed_action.description


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("get_order_details", {}),
        ("get_invoice", {}),
        ("get_cashback_record", {}),
        ("list_appointments", {}),
        ("cancel_order", {"reason": "x"}),
        ("issue_invoice", {"invoice_type": "个人发票", "title": "x"}),
        ("claim_price_protection", {}),
        ("book_appointment", {"service_type": "安装", "date": "明天"}),
    ],
)
async def test_another_customers_order_is_not_found(
    jd_toolbox: Toolbox, make_jd_context: ContextFactory, tool: str, arguments: dict[str, Any]
) -> None:
    ctx = make_jd_context(customer=someone_else("cnjdwdnipzaorvgkymr"))
    theirs = await jd_toolbox.call(tool, {"order_id": "312705335872", **arguments}, ctx)
    missing = await jd_toolbox.call(tool, {"order_id": "000000000000", **arguments}, ctx)
    assert (theirs.ok, theirs.reason) == (missing.ok, missing.reason) == (False, "order_not_found")
    assert theirs.error == missing.error.replace("000000000000", "312705335872")  # type: ignore[union-attr]
