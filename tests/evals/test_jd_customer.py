"""The Chinese shop's scripted customer, on real tasks of the eval set: it opens with the task's words, answers what it
is asked from what it knows (its phone, or its user id when it gives no phone; the new phone, not the account's; the
invoice title and tax id), confirms only a proposal of the right kind that mentions what it must and no other order,
says 不对 otherwise, accepts a person only when the task wants one, and moves on when nothing is asked."""

from __future__ import annotations

from typing import Any

from evals.suites.jd_customer import JdCustomer, proposal_kinds, question_kinds
from evals.suites.jd_task_model import JdTask, load_jd_tasks


def _task(task_id: str) -> JdTask:
    (task,) = [t for t in load_jd_tasks() if t.id == task_id]
    return task


def _answer(customer: JdCustomer, reply: str, proposed: dict[str, Any] | None = None, **flags: bool) -> Any:
    return customer.answer(
        reply, proposed=proposed, handoff=flags.get("handoff", False), handoff_offered=flags.get("handoff_offered", False)
    )


def test_it_gives_its_phone_and_the_order_then_confirms_the_right_cancel_only() -> None:
    customer = JdCustomer(_task("jd-test-03"))  # 康清扬 cancels 310995404460, not 311324806024
    assert customer.opening() == ("在吗，我有个单子不想要了想取消", 0)
    text, request = _answer(customer, "小主您好，请提供一下您的手机号以便核实身份哦～")
    assert (text, request) == ("手机号15135362990。在吗，我有个单子不想要了想取消", 0)
    text, _ = _answer(customer, "小主，您名下有两个订单，请问要取消哪个订单呢？")
    assert text.startswith("订单号310995404460。")
    wrong = {"name": "cancel_order", "arguments": {"order_id": "311324806024"}, "description": "取消订单311324806024"}
    assert _answer(customer, "确认取消吗？", wrong) == ("不对，不是这个。", 0)
    customer = JdCustomer(_task("jd-test-03"))
    customer.opening()
    right = {
        "name": "cancel_order",
        "arguments": {"order_id": "310995404460"},
        "description": "取消订单310995404460，退回京东E卡2009元",
    }
    assert _answer(customer, "请确认：", right) == ("确认", 0)
    assert _answer(customer, "已为小主取消。") is None  # nothing asked, no request left: done


def test_asked_again_who_it_is_it_adds_its_user_id() -> None:
    customer = JdCustomer(_task("jd-test-03"))
    customer.opening()
    assert _answer(customer, "请提供手机号核实身份。")[0].startswith("手机号15135362990。")
    assert _answer(customer, "请提供账户的邮箱地址，或者您的姓名和邮编以核实身份。")[0].startswith(
        "我的用户ID是cnjd波波豆，手机号15135362990。"
    )


def test_without_a_phone_it_gives_its_user_id() -> None:
    customer = JdCustomer(_task("jd-test-06"))
    customer.opening()
    text, _ = _answer(customer, "请问您的手机号是多少？")
    assert text.startswith("手机号不方便给，我的用户ID是cnjd2235243611_m")


def test_the_new_phone_is_not_the_account_phone() -> None:
    customer = JdCustomer(_task("jd-test-05"))
    customer.opening()
    assert _answer(customer, "好的小主，请问新的手机号是多少呢？")[0].startswith("新手机号13867201145。")
    assert _answer(customer, "请提供您账号绑定的手机号验证身份。")[0].startswith("手机号12167384313。")
    missing = {"name": "modify_order_phone", "arguments": {"order_id": "315302660376", "phone": "12167384313"}}
    assert _answer(customer, "请确认", missing)[0] == "不对，不是这个。"  # the proposal lacks the new number


def test_it_answers_several_questions_at_once_and_confirms_an_invoice_with_title_and_tax_id() -> None:
    customer = JdCustomer(_task("jd-test-10"))
    customer.opening()
    text, _ = _answer(customer, "请问发票抬头和税号是什么？")
    assert text.startswith("抬头：广州韵佩贸易有限公司，税号：91440106MA59C8KX3T。")
    proposal = {"name": "issue_invoice", "arguments": {"order_id": "314475833175", "title": "广州韵佩贸易有限公司",
                                                       "tax_id": "91440106MA59C8KX3T", "invoice_type": "企业发票"}}  # fmt: skip
    assert _answer(customer, "请确认开票信息", proposal) == ("确认", 0)


def test_an_exchange_names_a_product_id_and_is_still_its_order() -> None:
    customer = JdCustomer(_task("jd-test-08"))
    customer.opening()
    proposal = {"name": "exchange_order_items", "arguments": {"order_id": "313672076398", "new_product_id": "100148801462"}}
    assert _answer(customer, "确认换货吗？", proposal) == ("确认", 0)


def test_requests_go_one_after_the_other_and_unknowns_are_said() -> None:
    customer = JdCustomer(_task("jd-test-13"))  # a question first, then a repair visit
    assert customer.opening()[1] == 0
    assert _answer(customer, "请问您说的是哪个订单呢？")[0].startswith("订单号874713723844。")
    assert _answer(customer, "您家里的水压是多少？") == ("这个我不清楚。", 0)
    visit = {"name": "book_appointment", "arguments": {"order_id": "874713723844", "date": "周三"}}
    assert _answer(customer, "要帮您预约维修吗？", visit) == ("不对，不是这个。", 0)  # no write asked for in a question
    text, request = _answer(customer, "F003是加热故障，建议检查电源连接。")  # answered: on to the visit
    assert (text, request) == ("那帮我约个师傅上门修一下吧，下周三有空", 1)
    assert _answer(customer, "请确认预约", visit) == ("确认", 1)


def test_a_person_only_when_the_task_wants_one() -> None:
    wants = JdCustomer(_task("jd-test-13").model_copy(update={"handoff": True}))
    wants.opening()
    assert _answer(wants, "需要为您转人工吗？", handoff_offered=True) == ("好的，转人工吧。", 0)
    assert _answer(wants, "已转人工", handoff=True) is None
    does_not = JdCustomer(_task("jd-test-13"))
    does_not.opening()
    assert _answer(does_not, "需要为您转人工吗？", handoff_offered=True)[1] == 1  # declined by moving on


def test_english_customers_answer_in_english() -> None:
    customer = JdCustomer(_task("jd-dev-16"))
    customer.opening()
    assert _answer(customer, "Sure! What is the new phone number?")[0].startswith("the new number is 15986743021. ")
    proposal = {"name": "modify_order_phone", "arguments": {"order_id": "238703475773", "phone": "15986743021"}}
    assert _answer(customer, "Please confirm:", proposal) == ("Yes, please go ahead.", 0)


def test_question_and_proposal_kinds() -> None:
    assert question_kinds("已为您取消。") == []
    assert question_kinds("请问您想约哪天上门？") == ["date"]
    assert question_kinds("有什么可以帮您？") == ["other"]
    assert proposal_kinds({"name": "cancel_order"}) == {"cancel"}
    assert proposal_kinds({"name": "x", "description": "为订单申请价保，退还差价418.94元"}) == {"price_protection"}
