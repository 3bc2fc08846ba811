"""The Chinese-shop eval set checked against the shop's data and policy: nothing in a task may be guessed.

`python -m evals.suites.jd_task_check` prints the counts per split, category, form and language, then every problem,
and exits 1 when there is one. A problem is: a task naming a customer, order or product the data does not have; a
phone or user id in the customer's words that is not theirs; an expected change the policy (shops/jd_appliances/
policy.toml) forbids, or a refusal it would allow; an amount that is not the data's (a 价保 difference, an e-card
change that is not the sum of what the other assertions refund and charge); a detail (address, phone, invoice title,
tax id, weekday) the customer never gives; a required fact whose first spelling is not in the data it claims to quote.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from typing import Any

from assistant.shops import Shop, load_shop
from evals.suites.ecom_data import ECARD, ON_SALE, EcomData, load_ecom_data
from evals.suites.jd_fact_sources import FactSources, stated
from evals.suites.jd_task_model import (
    AddressContains,
    Appointment,
    EcardBalance,
    Exchange,
    Expedited,
    Invoice,
    JdTask,
    NewOrder,
    PhoneIs,
    Refund,
    Refused,
    StatusIs,
    Unchanged,
    load_jd_tasks,
)
from evals.suites.jd_weekdays import weekdays_in

ORDER_ID = re.compile(r"(?<!\d)(\d{12})(?!\d)")
PHONE = re.compile(r"(?<![0-9A-Za-z])(1\d{10})(?![0-9A-Za-z_])")  # not inside a user id (cnjd18700806944_p)
USER_ID = re.compile(r"cnjd[^\s，,。.!！?？;；:：)）]+")
TAX_ID = re.compile(r"^[0-9A-Z]{15,20}$")
# The assertion kinds a category must have (one of), so a task is filed where it belongs.
CATEGORY_NEEDS: dict[str, tuple[type, ...]] = {
    "cancel": (StatusIs,), "address": (AddressContains,), "phone": (PhoneIs,), "return": (StatusIs,),
    "exchange": (Exchange,), "invoice_issue": (Invoice,), "invoice_reissue": (Invoice,), "installation": (Appointment,),
    "appointment_change": (Appointment,), "repair": (Appointment,), "expedite": (Expedited,),
    "price_protection": (Refund,), "place_order": (NewOrder,), "other_customer": (Refused,),
}  # fmt: skip
UNCHANGED_CATEGORIES = {"status", "logistics", "invoice_lookup", "ecard_balance", "product", "promotion", "cashback"}
RESULT_ACTIONS = {"已取消": "cancel", "退货中": "return"}


class TaskChecker:
    def __init__(self, data: EcomData, shop: Shop) -> None:
        self.data = data
        self.policy = shop.policy
        self.facts = FactSources(data, shop.policy)

    def problems(self, task: JdTask) -> list[str]:
        found: list[str] = []
        say = found.append
        words = task.customer_words()
        user = self.data.users.get(task.customer_id)
        if user is None:
            return [f"customer {task.customer_id!r} is not in users_info.json"]
        expected_id = f"jd-{task.split}-"
        if not task.id.startswith(expected_id):
            say(f"id {task.id!r} does not start with {expected_id!r}")
        for number in ORDER_ID.findall(words):
            if number not in self.data.orders and self.data.product_status(number) is None:
                say(f"the customer names {number}, which is neither an order of orders.json nor a product")
        new_phones = {a.phone for a in task.expected if isinstance(a, PhoneIs)}
        for phone in PHONE.findall(words):
            if phone != user["电话号码"] and phone not in new_phones:
                say(f"phone {phone} in the customer's words is neither theirs ({user['电话号码']}) nor the new one")
        for user_id in USER_ID.findall(words):
            if user_id != task.customer_id:
                say(f"user id {user_id!r} in the customer's words is not the customer's ({task.customer_id})")
        for assertion in task.expected:
            found += self._assertion(task, assertion, words)
        found += self._ecard_sum(task)
        found += self._category(task)
        found += self._script(task)
        for kind, facts in (("required", task.required_facts), ("forbidden", task.forbidden_facts)):
            for fact in facts:
                problem = self.facts.problem(task, fact)
                if problem:
                    say(f"{kind} fact {fact.any[0]!r} ({fact.source}): {problem}")
        return found

    # --- assertions ---

    def _own_order(self, task: JdTask, order_id: str) -> dict[str, Any] | None:
        order = self.data.orders.get(order_id)
        return order if order is not None and order["用户ID"] == task.customer_id else None

    def _allowed(self, action: str, order: dict[str, Any]) -> str | None:
        breach = self.policy.breach(action, order["订单状态"])  # type: ignore[arg-type]
        return None if breach is None else f"the policy does not allow {action} in status {order['订单状态']}"

    def _assertion(self, task: JdTask, assertion: Any, words: str) -> list[str]:
        if isinstance(assertion, Unchanged):
            return []
        if isinstance(assertion, Refused):
            return self._refusal(task, assertion)
        if isinstance(assertion, EcardBalance):
            return [] if assertion.ecard_balance.customer == task.customer_id else ["e-card change of another customer"]
        if isinstance(assertion, NewOrder):
            return self._new_order(task, assertion)
        spec = next(iter(assertion.model_dump(by_alias=True).values()))
        order_id = spec["order"] if isinstance(spec, dict) else assertion.order
        order = self._own_order(task, order_id)
        if order is None:
            return [f"order {order_id} is not one of {task.customer_id}'s orders"]
        problems: list[str] = []
        if isinstance(assertion, StatusIs):
            action = RESULT_ACTIONS.get(assertion.status)
            if action is None or self.policy.actions[action].result_status != assertion.status:  # type: ignore[index]
                return [f"no action of the policy leaves an order {assertion.status}"]
            problems.append(self._allowed(action, order) or "")
        elif isinstance(assertion, AddressContains):
            problems.append(self._allowed("modify_address", order) or "")
            problems.append(stated(assertion.address_contains, words))
        elif isinstance(assertion, PhoneIs):
            problems.append(self._allowed("modify_phone", order) or "")
            problems.append(stated(assertion.phone, words))
            if not PHONE.fullmatch(assertion.phone) or assertion.phone == order["收货地址"]["电话号码"]:
                problems.append(f"{assertion.phone} is not a new mobile number for the order")
        elif isinstance(assertion, Expedited):
            problems.append(self._allowed("expedite", order) or "")
            if order["是否加急"]:
                problems.append(f"order {order_id} is expedited already")
        elif isinstance(assertion, Refund):
            refund = assertion.refund
            problems.append(self._allowed("price_protection", order) or "")
            owed = self.data.price_protection(order_id)
            if abs(refund.amount - owed) > 0.005:
                problems.append(f"the 价保 refund of {order_id} is {owed}, not {refund.amount}")
            if refund.to != order["支付方式"]:
                problems.append(f"the refund goes to {order['支付方式']} (the original payment), not {refund.to}")
        elif isinstance(assertion, Invoice):
            invoice = assertion.invoice
            problems.append(self._allowed("invoice", order) or "")
            if invoice.title != user_name(self.data, task.customer_id):
                problems.append(stated(invoice.title, words))
            if invoice.type == "企业发票":
                if invoice.tax_id is None or not TAX_ID.match(invoice.tax_id):
                    problems.append("a 企业发票 needs a tax id of 15-20 capitals and digits")
                else:
                    problems.append(stated(invoice.tax_id, words))
        elif isinstance(assertion, Appointment):
            problems.append(self._allowed("appointment", order) or "")
            if assertion.appointment.date_weekday not in weekdays_in(words):
                problems.append(f"the customer never names weekday {assertion.appointment.date_weekday}")
        elif isinstance(assertion, Exchange):
            problems += self._exchange(order, assertion.exchange.old, assertion.exchange.new, allowed=True)
        return [p for p in problems if p]

    def _exchange(self, order: dict[str, Any], old: str, new: str, *, allowed: bool) -> list[str]:
        problems = [self._allowed("exchange", order) or ""] if allowed else []
        if old not in {line["商品ID"] for line in order["订单商品列表"]}:
            return [f"product {old} is not in order {order['订单ID']}"]
        targets = self.data.exchange_list(old)
        if allowed and targets.get(new) != ON_SALE:
            problems.append(f"{new} is not an on-sale product of {old}'s exchange list ({targets})")
        return problems

    def _new_order(self, task: JdTask, assertion: NewOrder) -> list[str]:
        spec = assertion.new_order
        problems = [] if spec.customer == task.customer_id else ["a new order for another customer"]
        if spec.product not in self.data.products or self.data.product_status(spec.product) != ON_SALE:
            problems.append(f"{spec.product} is not a product on sale in products.json")
            return problems
        if spec.payment not in self.data.payment_means(task.customer_id):
            problems.append(f"{task.customer_id} has no payment means {spec.payment}")
        cost = float(self.data.products[spec.product]["商品价格"]) * spec.quantity
        if spec.payment == ECARD and cost > self.data.ecard_balance(task.customer_id):
            problems.append(f"the e-card balance {self.data.ecard_balance(task.customer_id)} does not cover {cost}")
        return problems

    def _refusal(self, task: JdTask, assertion: Refused) -> list[str]:
        spec = assertion.refused
        if spec.reason == "not_customers_order":
            owner = self.data.owner(spec.order or "")
            return [] if owner is not None and owner != task.customer_id else [f"order {spec.order} is not another's order"]
        if spec.action == "place_order":
            product = spec.product or ""
            status = self.data.product_status(product)
            if spec.reason == "not_on_sale":
                return [] if status is not None and status != ON_SALE else [f"{product} is on sale or unknown ({status})"]
            if spec.reason == "insufficient_balance" and product in self.data.products:
                cost = float(self.data.products[product]["商品价格"]) * (spec.quantity or 1)
                enough = cost <= self.data.ecard_balance(task.customer_id)
                return [f"the e-card balance covers {cost}"] if enough or spec.payment != ECARD else []
            return [f"reason {spec.reason} does not fit an order for {product}"]
        order = self._own_order(task, spec.order or "")
        if order is None:
            return [f"order {spec.order} is not one of {task.customer_id}'s orders"]
        if spec.reason == "status":
            return [] if self._allowed(spec.action, order) else [f"the policy allows {spec.action} in {order['订单状态']}"]
        if spec.reason in ("target_not_on_sale", "target_not_listed"):
            problems = self._exchange(order, spec.old or "", spec.new or "", allowed=False)
            listed = self.data.exchange_list(spec.old or "") if not problems else {}
            if spec.reason == "target_not_on_sale" and listed.get(spec.new or "") in (None, ON_SALE):
                problems.append(f"{spec.new} is not listed, or listed on sale, for {spec.old}")
            if spec.reason == "target_not_listed" and (spec.new in listed or spec.new not in self.data.products):
                problems.append(f"{spec.new} is listed for {spec.old}, or is no product")
            return problems
        if spec.reason == "no_price_drop":
            owed = self.data.price_protection(order["订单ID"])
            return [] if owed == 0 else [f"order {order['订单ID']} is owed {owed} of 价保"]
        if spec.reason == "already_expedited":
            return [] if order["是否加急"] else [f"order {order['订单ID']} is not expedited"]
        return [f"reason {spec.reason} does not fit action {spec.action}"]

    def _ecard_sum(self, task: JdTask) -> list[str]:
        """The e-card change must be what the other assertions refund to it and charge to it."""
        owed = 0.0
        for a in task.expected:
            if isinstance(a, StatusIs) and a.order in self.data.orders and self.data.orders[a.order]["支付方式"] == ECARD:
                owed += float(self.data.orders[a.order]["订单总金额"])
            elif isinstance(a, Refund) and a.refund.to == ECARD:
                owed += a.refund.amount
            elif isinstance(a, NewOrder) and a.new_order.payment == ECARD and a.new_order.product in self.data.products:
                owed -= float(self.data.products[a.new_order.product]["商品价格"]) * a.new_order.quantity
        stated = [a.ecard_balance.change for a in task.expected if isinstance(a, EcardBalance)]
        if len(stated) > 1:
            return ["more than one e-card change"]
        change = stated[0] if stated else 0.0
        if abs(change - owed) > 0.005:
            return [f"the e-card change must be {round(owed, 2)} (refunds and charges asserted), not {change}"]
        return []

    def _category(self, task: JdTask) -> list[str]:
        kinds = tuple(type(a) for a in task.expected)
        needs = CATEGORY_NEEDS.get(task.category)
        problems = []
        if needs and not any(kind in needs for kind in kinds):
            problems.append(f"a {task.category} task needs a {' or '.join(n.__name__ for n in needs)} assertion")
        if task.category.endswith("_refused") and Refused not in kinds:
            problems.append("a refused task needs a `refused` assertion")
        if (task.category in UNCHANGED_CATEGORIES or task.category.endswith("_refused")) and Unchanged not in kinds:
            problems.append(f"a {task.category} task leaves the database unchanged")
        if task.category.endswith("handoff") and not task.handoff:
            problems.append("a handoff task expects a handoff")
        return problems

    def _script(self, task: JdTask) -> list[str]:
        if task.script is None:
            return []
        user = self.data.users[task.customer_id]
        known = task.script.known_info
        problems = []
        if "phone" not in known and "user_id" not in known:
            problems.append("the scripted customer knows neither its phone nor its user id")
        if known.get("phone") not in (None, user["电话号码"]):
            problems.append(f"known phone {known['phone']} is not the account's {user['电话号码']}")
        if known.get("user_id") not in (None, task.customer_id):
            problems.append(f"known user id {known['user_id']} is not the customer's")
        said = json.dumps(task.model_dump(mode="json", by_alias=True)["expected"], ensure_ascii=False) + task.customer_words()
        for request in task.script.requests:
            problems += [
                f"must_mention {m!r} is in neither known_info nor expected" for m in request.must_mention if m not in said
            ]
        return problems


def user_name(data: EcomData, user_id: str) -> str:
    return str(data.users[user_id]["用户姓名"])


def check_tasks(tasks: list[JdTask] | None = None) -> tuple[list[JdTask], dict[str, list[str]]]:
    """The tasks (default: the whole eval set) and their problems, per task id (only tasks with problems)."""
    tasks = load_jd_tasks() if tasks is None else tasks
    checker = TaskChecker(load_ecom_data(), load_shop("jd_appliances"))
    problems = {task.id: checker.problems(task) for task in tasks}
    return tasks, {task_id: found for task_id, found in problems.items() if found}


def summary(tasks: list[JdTask]) -> str:
    """Counts per split, then per category, form and language within each split."""
    lines = [f"{len(tasks)} tasks: " + ", ".join(f"{s} {n}" for s, n in sorted(Counter(t.split for t in tasks).items()))]
    for split in ("dev", "test"):
        part = [t for t in tasks if t.split == split]
        lines.append(f"[{split}] forms: {dict(sorted(Counter(t.form for t in part).items()))}")
        lines.append(f"[{split}] languages: {dict(sorted(Counter(t.language for t in part).items()))}")
        lines.append(f"[{split}] handoff expected: {sum(t.handoff for t in part)}")
        lines.append(f"[{split}] categories: {dict(sorted(Counter(t.category for t in part).items()))}")
    return "\n".join(lines)


def main() -> int:
    tasks, problems = check_tasks()
    print(summary(tasks))
    for task_id, found in problems.items():
        for problem in found:
            print(f"PROBLEM {task_id}: {problem}")
    print(f"{sum(map(len, problems.values()))} problems in {len(problems)} tasks")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
