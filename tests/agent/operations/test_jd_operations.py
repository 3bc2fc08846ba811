"""The Chinese shop's operations over its real service, each in the form its policy asks for, with no model call:
its Chinese requests routed by keyword rules, the arguments each form needs read from the message, what is missing
asked for, and a status its policy forbids refused with the rule in its own words."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.agent.router import rule_route
from assistant.shops import load_shop
from assistant.shops.dates import day_of
from assistant.tools import Toolbox
from tests.agent.operations.conftest import Ran, Run
from tests.commerce.jd_data import jd_users
from tests.commerce.service import RunningCommerce
from tests.shops import operations

ON_SESSION_LOOP = pytest.mark.asyncio(loop_scope="session")  # the service's connectors live on the session's loop
SONG = "cnjd喜哥2号"  # orders 313021098954 and 313271663680, both 已付款 (WeChat)
PENG = "cnjdwdnipzaorvgkymr"  # orders 312705335872 and 713254136242, both 已付款 (e-card)
XING = "cnjdii星星ii"  # order 316123105676, 处理中 (WeChat)
JING = "cnjdjingjing20143"  # order 311199856607, 处理中, ¥1,899.00 by e-card; no other order
POLICY = load_shop("jd_appliances").policy


def _proposal(ran: Ran) -> tuple[str, dict[str, Any], str]:
    proposal = ran.outcome.proposal
    assert proposal is not None, ran.outcome.reply
    return proposal.tool, proposal.arguments, proposal.description


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("帮我把订单313271663680取消了", "cancel_order"),
        ("订单313271663680的地址改成广东省广州市天河区人民路8号", "modify_address"),
        ("订单313271663680的收货电话改成13800138000", "modify_phone"),
        ("开个发票", "invoice"),
        ("订单713254136242可以开发票吗？", "invoice"),
        ("预约周六安装", "appointment"),
        ("订单316123105676帮我加急一下", "expedite"),
        ("订单312705335872降价了，申请价保", "price_protection"),
        ("我的E卡余额还有多少？", "ecard_balance"),
        ("订单316123105676的晒单返现登记了吗", "cashback"),
        ("订单313021098954换成80升的", "exchange_items"),
        ("订单312693565755我要退货", "return_items"),
        ("你好，我的手机号是12810332319。帮我查一下订单312705335872现在什么状态？", "order_status"),
        ("发票怎么开？", "question"),  # a question naming no order: the knowledge base
        ("帮我下单一台美的无冷感M9S Ultra燃气热水器（100121341607），用京东E卡付", "place_order"),
        ("怎么下单？", "question"),
        ("312491584462的地址写错了，改成广州市海珠区新港中路397号", "modify_address"),
        ("312635190435这个再帮我退一次货", "return_items"),
        ("80升那个热水器我要退了", "return_items"),
        ("我买的燃气热水器降价好多，能申请价保吗", "price_protection"),  # the customer's own purchase: act
        ("那个冰魔方净水器我不要了，能取消吗", "cancel_order"),
        ("那约个师傅周一来修吧", "appointment"),
        ("M9S Max燃气热水器那单306839438343帮我取消，E卡付的钱记得退回来", "cancel_order"),
        ("931050936855帮我加个急", "expedite"),
    ],
)
def test_chinese_requests_route_by_rule(text: str, route: str) -> None:
    assert rule_route(text, operations("jd_appliances")) == route


@ON_SESSION_LOOP
async def test_a_cancellation_is_proposed_in_the_shops_form_for_the_customer_identified_by_phone(jd_run: Run) -> None:
    phone = jd_users()[JING]["电话号码"]
    ran = await jd_run("cancel_order", f"我的手机号是{phone}，帮我把订单311199856607取消了", customer=JING)
    tool, arguments, description = _proposal(ran)
    assert ran.calls[0] == "find_user_id_by_phone"
    assert (tool, arguments) == ("cancel_order", {"order_id": "311199856607", "reason": "顾客申请取消"})
    assert "¥1,899.00立即退回您的京东E卡" in description and "小主" in (ran.outcome.reply or "")
    because = await jd_run("cancel_order", "订单311199856607取消吧，因为买错了", customer=JING, verified=JING)
    assert _proposal(because)[1]["reason"] == "买错了"


@ON_SESSION_LOOP
async def test_a_chinese_address_is_read_whole_or_asked_for(jd_run: Run) -> None:
    text = "把订单313271663680的收货地址改成北京市朝阳区建国路88号"
    tool, arguments, description = _proposal(await jd_run("modify_address", text, customer=SONG, verified=SONG))
    assert tool == "modify_order_address" and arguments == {
        "order_id": "313271663680", "province": "北京市", "city": "北京市", "district": "朝阳区", "detail": "建国路88号",
    }  # fmt: skip
    assert "北京市北京市朝阳区建国路88号" in description and "广东省揭阳市饶平县中山北路231号" in description
    partial = await jd_run("modify_address", "订单313271663680的地址改成朝阳区建国路88号", customer=SONG, verified=SONG)
    assert partial.outcome.proposal is None and "省份、城市、区县和详细地址" in (partial.outcome.reply or "")


@ON_SESSION_LOOP
async def test_a_return_is_of_the_whole_signed_for_order_and_refused_before_with_the_rule(jd_run: Run) -> None:
    owner = "cnjd辛谭婷"  # 312693565755 已签收, 427111317720 已发货
    tool, arguments, _ = _proposal(await jd_run("return_items", "订单312693565755我要退货", customer=owner, verified=owner))
    assert (tool, arguments) == ("return_order", {"order_id": "312693565755", "reason": ""})
    shipped = await jd_run("return_items", "订单427111317720我要退货，质量有问题", customer=owner, verified=owner)
    reply = shipped.outcome.reply or ""
    assert shipped.outcome.proposal is None and POLICY.actions["return"].rule["zh"] in reply and "已发货" in reply, reply
    assert "return_order" not in shipped.calls  # refused from the order's status: nothing was even proposed


@ON_SESSION_LOOP
async def test_an_exchange_is_for_the_listed_product_the_customer_describes(jd_run: Run) -> None:
    ran = await jd_run("exchange_items", "订单313021098954换成80升的", customer=SONG, verified=SONG)
    tool, arguments, _ = _proposal(ran)
    assert tool == "exchange_order_product"
    assert arguments == {"order_id": "313021098954", "product_id": "100042754736", "new_product_id": "100042754737"}
    vague = await jd_run("exchange_items", "订单313021098954我想换货", customer=SONG, verified=SONG)
    reply = vague.outcome.reply or ""
    assert vague.outcome.proposal is None and "100042754737" in reply and "100042754738" in reply, reply


@ON_SESSION_LOOP
async def test_an_invoice_is_proposed_with_type_title_and_tax_id_or_what_is_missing_is_asked(
    jd_run: Run, jd: RunningCommerce
) -> None:
    text = "订单312705335872开个企业发票，抬头是某某科技有限公司，税号91350100M000100Y43"
    tool, arguments, description = _proposal(await jd_run("invoice", text, customer=PENG, verified=PENG))
    assert tool == "issue_invoice" and arguments == {
        "order_id": "312705335872", "invoice_type": "企业发票", "title": "某某科技有限公司", "tax_id": "91350100M000100Y43",
    }  # fmt: skip
    assert "原发票作废" in description and "彭穆清" in description
    before = jd.fingerprint()
    no_tax_id = await jd_run("invoice", "订单312705335872开企业发票，抬头是某某科技有限公司", customer=PENG, verified=PENG)
    assert no_tax_id.outcome.proposal is None and "税号" in (no_tax_id.outcome.reply or "")
    bare = await jd_run("invoice", "订单312705335872开个发票", customer=PENG, verified=PENG)
    assert all(word in (bare.outcome.reply or "") for word in ("个人发票", "企业发票", "抬头"))
    looked_up = await jd_run("invoice", "订单312705335872的发票开了吗", customer=PENG, verified=PENG)
    assert "彭穆清" in (looked_up.outcome.reply or "") and "get_invoice" in looked_up.calls
    assert jd.fingerprint() == before


@ON_SESSION_LOOP
async def test_an_installation_is_proposed_for_the_day_said_and_a_booked_one_is_moved(
    jd_run: Run, jd_toolbox: Toolbox, make_jd_context: Any
) -> None:
    ran = await jd_run("appointment", "订单313271663680预约周六安装", customer=SONG, verified=SONG)
    tool, arguments, description = _proposal(ran)
    saturday = day_of("周六", "Asia/Shanghai").isoformat()
    assert (tool, arguments) == ("book_appointment", {"order_id": "313271663680", "service_type": "安装", "date": saturday})
    assert saturday in description
    asked = await jd_run("appointment", "订单313271663680想预约上门", customer=SONG, verified=SONG)
    question = asked.outcome.reply or ""
    assert asked.outcome.proposal is None and "安装或维修" in question and "哪一天" in question, question
    ctx = make_jd_context(customer=SONG)
    booked = await jd_toolbox.call("book_appointment", {"order_id": "313271663680", "service_type": "安装", "date": "周六"}, ctx)
    assert booked.proposed_action is not None and (await jd_toolbox.execute_confirmed(booked.proposed_action, ctx)).ok
    moved = await jd_run("appointment", "订单313271663680的安装预约改到下周二", customer=SONG, verified=SONG)
    tool, arguments, _ = _proposal(moved)
    assert tool == "change_appointment" and arguments["date"] == day_of("下周二", "Asia/Shanghai").isoformat()
    # The new day is the one said after the change, not the one that no longer suits.
    sunday = await jd_run("appointment", "订单313271663680周六家里没人，安装改到周日行不", customer=SONG, verified=SONG)
    assert _proposal(sunday)[1]["date"] == day_of("周日", "Asia/Shanghai").isoformat()
    repair = await jd_run("appointment", "订单313271663680约个师傅周一来修吧", customer=SONG, verified=SONG)
    assert _proposal(repair)[1]["service_type"] == "维修"


@ON_SESSION_LOOP
async def test_the_other_writes_of_the_shop(jd_run: Run) -> None:
    phone = await jd_run("modify_phone", "我的手机号是15540534614，订单313271663680的收货电话改成13800138000", customer=SONG)
    assert _proposal(phone)[:2] == ("modify_order_phone", {"order_id": "313271663680", "phone": "13800138000"})
    expedite = await jd_run("expedite", "订单316123105676帮我加急一下，等着急用", customer=XING, verified=XING)
    assert _proposal(expedite)[0] == "request_expedite"
    protected = await jd_run("price_protection", "订单312705335872降价了，申请价保", customer=PENG, verified=PENG)
    tool, arguments, description = _proposal(protected)
    assert (tool, arguments) == ("claim_price_protection", {"order_id": "312705335872"}) and "¥418.94" in description


@ON_SESSION_LOOP
async def test_the_reads_of_the_shop(jd_run: Run) -> None:
    balance = await jd_run("ecard_balance", "我的E卡余额还有多少？", customer=PENG, verified=PENG)
    assert "京东E卡" in (balance.outcome.reply or "") and "¥3,000.00" in (balance.outcome.reply or ""), balance.outcome.reply
    record = await jd_run("cashback", "订单316123105676的晒单返现登记了吗", customer=XING, verified=XING)
    assert "未晒单" in (record.outcome.reply or "") and not record.outcome.handoff
    register = await jd_run("cashback", "订单316123105676我已经晒单了，帮我登记返现", customer=XING, verified=XING)
    assert register.outcome.handoff and register.outcome.proposal is None
    assert POLICY.actions["review_cashback"].rule["zh"] in (register.outcome.reply or "")


@ON_SESSION_LOOP
async def test_an_order_is_placed_for_the_product_named_paid_as_the_customer_says(jd_run: Run) -> None:
    text = "帮我下单两台Lasko的16寸落地扇，用微信付"
    tool, arguments, description = _proposal(await jd_run("place_order", text, customer=SONG, verified=SONG))
    assert tool == "place_order" and arguments["items"] == [{"product_id": "100069341608", "quantity": 2}]
    assert arguments["payment_method_id"] != "jd_ecard_" + SONG and "微信" in description and "¥53.94" in description
    unpaid = await jd_run("place_order", "我想买一台100069341608", customer=SONG, verified=SONG)
    assert (
        unpaid.outcome.proposal is None and "京东E卡" in (unpaid.outcome.reply or "") and "微信" in (unpaid.outcome.reply or "")
    )


@ON_SESSION_LOOP
async def test_an_address_said_from_its_city_is_in_the_orders_province(jd_run: Run) -> None:
    owner = "cnjd13501206383_p"  # 316207836171, 处理中, to 广东省广州市天河区
    text = "你好，订单316207836171的收货地址改一下：广州市天河区天河北路233号中信广场3208室"
    tool, arguments, _ = _proposal(await jd_run("modify_address", text, customer=owner, verified=owner))
    assert (tool, arguments["province"], arguments["city"], arguments["detail"]) == (
        "modify_order_address", "广东省", "广州市", "天河北路233号中信广场3208室",
    )  # fmt: skip
    elsewhere = await jd_run("modify_address", "订单316207836171地址改成杭州市西湖区文三路1号", customer=owner, verified=owner)
    assert elsewhere.outcome.proposal is None and "省份" in (elsewhere.outcome.reply or "")


@ON_SESSION_LOOP
async def test_how_customers_say_the_invoice_they_want(jd_run: Run) -> None:
    mine = await jd_run("invoice", "订单313271663680开个发票，个人的，抬头写我名字宋敬明", customer=SONG, verified=SONG)
    assert _proposal(mine)[1] | {"order_id": "-"} == {
        "order_id": "-", "invoice_type": "个人发票", "title": "宋敬明", "tax_id": None,
    }  # fmt: skip
    text = "订单312705335872的发票要重开成公司的：抬头 广州茵绿设计有限公司，税号 91440101MA9Y3KQW2R"
    company = _proposal(await jd_run("invoice", text, customer=PENG, verified=PENG))[1]
    assert (company["invoice_type"], company["title"], company["tax_id"]) == (
        "企业发票",
        "广州茵绿设计有限公司",
        "91440101MA9Y3KQW2R",
    )
    asked = await jd_run("invoice", "312705335872 的发票抬头是什么？我记得好像不是我名字", customer=PENG, verified=PENG)
    assert (
        asked.outcome.proposal is None and "彭穆清" in (asked.outcome.reply or "") and "个人发票" in (asked.outcome.reply or "")
    )


@ON_SESSION_LOOP
async def test_price_protection_with_nothing_cheaper_says_both_prices(jd_run: Run) -> None:
    owner = "cnjdbelieve_yx_m"  # 315084487289: paid ¥2,000.00, ¥2,189.00 today
    ran = await jd_run("price_protection", "315084487289 申请价保", customer=owner, verified=owner)
    reply = ran.outcome.reply or ""
    assert ran.outcome.proposal is None and "¥2,189.00" in reply and "¥2,000.00" in reply and "。。" not in reply, reply
