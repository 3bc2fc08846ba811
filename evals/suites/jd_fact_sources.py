"""Where a required (or forbidden) fact of the Chinese-shop eval set is quoted from, and whether its first spelling
really is there. A fact's `from` names its source:

- `order:<id>:status|total|payment|address`, `user:<id>:<field of users_info.json>`, `product:<id>:<field of
  products.json>` (lists and texts: 安装说明, 维修说明, 常见故障, 赠品信息, 可换货商品 …);
- `logistics:<order>`, `invoice:<order>`, `service:<order>`, `discount` (the record, anywhere in it);
- `cashback:<order>` (the words for the record's state: 未晒单 / 已晒单);
- `policy:<action>` (the rule in words and its statuses, shops/jd_appliances/policy.toml);
- `calc:price_protection:<order>` (the 价保 refund the data gives);
- `message` (the customer's own words), `phrase:not_found` (a fixed list of ways to say "not found").

Numbers match when the spelling is a rendering of the number (1899, 1899.00, 418.94); text when it is a substring
after the scorer's own normalisation (NFKC, case-folded).
"""

from __future__ import annotations

import json
from typing import Any

from assistant.shops.policy import ShopPolicy
from evals.metrics.text import normalise
from evals.suites.ecom_data import EcomData
from evals.suites.jd_task_model import Fact, JdTask

NOT_FOUND = (
    "未找到", "没有找到", "没找到", "查不到", "查询不到", "没查到", "找不到", "不存在", "未查询到", "没有查询到", "无法查询",
    "not found", "couldn't find", "could not find", "can't find", "cannot find",
)  # fmt: skip
CASHBACK_WORDS = {False: ("未晒单", "没有晒单", "没晒单", "not reviewed"), True: ("已晒单", "reviewed")}


class FactSources:
    def __init__(self, data: EcomData, policy: ShopPolicy) -> None:
        self.data = data
        self.policy = policy

    def problem(self, task: JdTask, fact: Fact) -> str | None:
        kind, _, rest = fact.source.partition(":")
        first = fact.any[0]
        if kind == "phrase":
            return None if rest == "not_found" and first in NOT_FOUND else "not a phrase of the not-found list"
        if kind == "message":
            return stated(first, task.customer_words()) or None
        if kind == "cashback":
            if rest not in self.data.cashback:
                return f"no cash-back record for {rest}"
            return None if first in CASHBACK_WORDS[self.data.cashback[rest]] else "does not say the record's state"
        source = self._source(kind, rest)
        if source is None:
            return f"unknown source {fact.source!r}"
        if isinstance(source, int | float) and not isinstance(source, bool):
            return None if normalise(first) in _renderings(float(source)) else f"the data says {source}"
        return None if normalise(first) in normalise(str(source)) else "not in that data"

    def _source(self, kind: str, rest: str) -> Any:
        key, _, field = rest.partition(":")
        record: Any = None
        if kind == "order" and key in self.data.orders:
            order = self.data.orders[key]
            record = {"status": order["订单状态"], "total": order["订单总金额"], "payment": order["支付方式"],
                      "address": _text(order["收货地址"])}.get(field)  # fmt: skip
        elif kind == "product" and key in self.data.products:
            record = self.data.products[key].get(field)
            record = _text(record) if isinstance(record, list | dict) else record
        elif kind == "user" and key in self.data.users:
            record = self.data.users[key].get(field)
            record = _text(record) if isinstance(record, dict) else record
        elif kind in ("logistics", "invoice", "service"):
            table = {"logistics": self.data.logistics, "invoice": self.data.invoices, "service": self.data.service}[kind]
            record = _text(table[key]) if key in table else None
        elif kind == "discount":
            record = _text(self.data.discount)
        elif kind == "policy" and key in self.policy.actions:
            rule = self.policy.actions[key]  # type: ignore[index]
            record = " ".join([*rule.rule.values(), *(rule.statuses or [])])
        elif kind == "calc" and key == "price_protection" and field in self.data.orders:
            record = self.data.price_protection(field)
        return record


def stated(detail: str, words: str) -> str:
    """ "" when the customer's words contain the detail, else the problem."""
    return "" if normalise(detail) in normalise(words) else f"{detail!r} is never given by the customer"


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _renderings(value: float) -> set[str]:
    forms = {f"{value:.2f}", f"{value:g}"}
    if value == int(value):
        forms.add(str(int(value)))
    return forms
