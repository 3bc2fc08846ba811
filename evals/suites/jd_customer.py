"""The Chinese shop's scripted customer (multi-turn tasks of evals/datasets/jd_tasks.jsonl): deterministic, no model
plays the user, in the customer's language (Chinese, or English for the English tasks).

It opens each request with the task's own words, one request after the other, and then:

- answers the assistant's questions from what it knows (`known_info`, with the request's own `known` over it): its
  account phone when asked for a phone or its identity (its user id when it knows no phone: "手机号不方便给，我的
  用户ID是…"; asked again who it is, its user id as well), the order, the new address or phone, the invoice type,
  title and tax id, the day, the product, the payment, the quantity, the reason — several at once when the question
  asks for several; the answer repeats the request's opening, since the assistant may read each message on its own;
  "这个我不清楚。" for anything else, twice per request at most;
- says 确认 to a proposed write of a kind the request accepts that mentions everything the request requires (its order,
  the new phone, the invoice title…) and names no other order; 不对 to any other proposal (a cancel of the wrong order,
  an address proposed for an exchange, any write during a question);
- accepts a person only when the task expects a handoff; goes on to its next request when the reply asks nothing, after
  a 不对, or after MAX_FOLLOW_UPS answers; stops after the last request, or when a person has taken over.

What it cannot do: change its mind, notice a wrong amount in a proposal it otherwise accepts, or reason over options
("the cheaper one") — the task names what it wants.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evals.suites.jd_task_model import JdTask, Request

MAX_FOLLOW_UPS = 4
MAX_DONT_KNOW = 2
ORDER_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
PHRASES = {
    "zh": {"yes": "确认", "no": "不对，不是这个。", "dont_know": "这个我不清楚。", "human": "好的，转人工吧。",
           "no_phone": "手机号不方便给，我的用户ID是{user_id}"},
    "en": {"yes": "Yes, please go ahead.", "no": "No, that's not what I asked for.", "dont_know": "I don't know.",
           "human": "Yes, please get me a person.", "no_phone": "I'd rather not give my phone; my user id is {user_id}"},
}  # fmt: skip
# How an answer presents each detail, per language.
ANSWERS = {
    "zh": {"phone": "手机号{}", "user_id": "我的用户ID是{}", "order": "订单号{}", "new_address": "新地址：{}",
           "new_phone": "新手机号{}", "invoice_type": "开{}", "invoice_title": "抬头：{}", "tax_id": "税号：{}",
           "date": "{}", "product": "{}", "payment": "用{}付", "quantity": "{}台", "reason": "{}", "proof": "{}"},
    "en": {"phone": "my phone is {}", "user_id": "my user id is {}", "order": "order {}", "new_address": "new address: {}",
           "new_phone": "the new number is {}", "invoice_type": "a {}", "invoice_title": "title: {}",
           "tax_id": "tax id: {}", "date": "{}", "product": "{}", "payment": "paying with {}", "quantity": "{}",
           "reason": "{}", "proof": "{}"},
}  # fmt: skip
# What a question asks for, by its words (Chinese and English); the more specific first.
QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("new_phone", r"新(的)?(手机|电话|号码|联系)|改成(哪个|什么|多少)|new (phone|number|mobile)"),
        ("new_address", r"新(的)?(收货)?地址|(改|修改)(到|成)?(哪|什么)|完整(的)?地址|new address|full address|which address"),
        ("invoice_title", r"抬头|invoice title|\btitle\b"),
        ("tax_id", r"税号|纳税人识别号|信用代码|tax"),
        ("invoice_type", r"个人还是|发票类型|什么类型|personal or|type of invoice|company or"),
        ("date", r"哪天|哪一天|什么时候|几号|日期|时间|周几|星期几|which day|what day|\bwhen\b|\bdate\b|\btime\b"),
        ("payment", r"支付方式|付款方式|怎么(付|支付)|用什么(付|支付)|哪种支付|payment|pay with|pay by|how .* pay"),
        ("quantity", r"几台|数量|多少台|几个|how many|quantity"),
        ("product", r"哪款|哪个商品|哪一款|哪个型号|哪个产品|换成哪|商品ID|which (product|model|item)"),
        ("proof", r"截图|凭证|链接|screenshot|proof"),
        ("reason", r"原因|为什么|reason|\bwhy\b"),
        ("order", r"订单号|哪个订单|哪一个订单|哪一单|哪笔订单|订单编号|which order|order (id|number)"),
        ("user_id", r"用户ID|用户名|账号ID|账户ID|账号名|平台(用户)?ID|user ?id|account (id|name)"),
        ("phone", r"手机|电话|phone|mobile"),
        ("identity", r"身份|验证|核实|核对|verify|identify|identity"),
    )
)
_ASKING = re.compile(
    r"[?？]|吗|呢|请(提供|告诉|问|确认|回复)|麻烦(您|你)?(提供|告诉)|please (provide|tell|give|confirm|share|let me)", re.I
)
# The kinds of write a proposal is, by words in its tool name (first) or its description.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "cancel": ("cancel", "取消"),
    "modify_address": ("address", "地址"),
    "modify_phone": ("phone", "手机", "电话"),
    "return": ("return", "退货"),
    "exchange": ("exchange", "换货", "换成"),
    "place_order": ("place_order", "create_order", "purchase", "下单", "购买"),
    "price_protection": ("price_protection", "price_protect", "价保", "差价"),
    "expedite": ("expedite", "加急"),
    "invoice": ("invoice", "发票"),
    "appointment": ("appointment", "install", "repair", "预约", "安装", "维修"),
}


def question_kinds(reply: str) -> list[str]:
    """What the reply asks the customer for (possibly several), [] when it asks nothing, ["other"] when unknown."""
    if not _ASKING.search(reply):
        return []
    kinds = [kind for kind, pattern in QUESTIONS if pattern.search(reply)]
    if "new_phone" in kinds and "phone" in kinds:  # 新手机号 is not a question about the account's phone
        kinds.remove("phone")
    if "identity" in kinds and ("phone" in kinds or "user_id" in kinds):  # "手机号核实身份": the phone says who
        kinds.remove("identity")
    return kinds or ["other"]


def proposal_kinds(proposed: dict[str, Any]) -> set[str]:
    """The kinds of write a proposal is: by its tool name when that says, else by its description."""
    name = str(proposed.get("name") or "").lower()
    by_name = {kind for kind, words in KIND_WORDS.items() if any(word in name for word in words)}
    if by_name:
        return by_name
    description = str(proposed.get("description") or "")
    return {kind for kind, words in KIND_WORDS.items() if any(word in description for word in words)}


class JdCustomer:
    """Plays a multi-turn task: `opening()` is the first message, `answer(...)` the next one (None: done). Each message
    comes with the index of the request it belongs to."""

    def __init__(self, task: JdTask) -> None:
        if task.script is None:
            raise ValueError(f"task {task.id} has no script: it is a one-message task")
        self._requests = task.script.requests
        self._known = task.script.known_info
        self._language = task.language
        self._wants_human = task.handoff
        self._current = -1
        self._follow_ups = 0
        self._dont_know = 0
        self._identified = 0  # times it was asked who it is: asked again, it adds its user id to its phone

    def opening(self) -> tuple[str, int]:
        step = self._advance()
        assert step is not None  # a script has at least one request
        return step

    def answer(
        self, reply: str, *, proposed: dict[str, Any] | None, handoff: bool, handoff_offered: bool
    ) -> tuple[str, int] | None:
        if handoff:
            return None
        phrases = PHRASES[self._language]
        if proposed is not None:
            if self.accepts(proposed):
                return phrases["yes"], self._current
            self._follow_ups = MAX_FOLLOW_UPS  # declined: the next request after the assistant's answer
            return phrases["no"], self._current
        if handoff_offered:
            return (phrases["human"], self._current) if self._wants_human else self._advance()
        kinds = question_kinds(reply)
        if not kinds or self._follow_ups >= MAX_FOLLOW_UPS:
            return self._advance()
        self._follow_ups += 1
        detail = self._details(kinds)
        if detail is None:
            self._dont_know += 1
            return self._advance() if self._dont_know > MAX_DONT_KNOW else (phrases["dont_know"], self._current)
        return detail, self._current

    def accepts(self, proposed: dict[str, Any]) -> bool:
        """A write of a kind the request accepts, mentioning all it must, naming no other order than the request's."""
        request = self._request
        if not proposal_kinds(proposed) & set(request.accept):
            return False
        said = json.dumps(proposed.get("arguments") or {}, ensure_ascii=False) + str(proposed.get("description") or "")
        if not all(word in said for word in request.must_mention):
            return False
        order = self._knows(request, "order")
        arguments = proposed.get("arguments") or {}
        named = [str(v) for k, v in arguments.items() if "order" in k.lower() and ORDER_ID.fullmatch(str(v))]
        return order is None or all(found == order for found in named)

    @property
    def _request(self) -> Request:
        return self._requests[self._current]

    def _knows(self, request: Request, kind: str) -> str | None:
        return request.known.get(kind) or self._known.get(kind)

    def _details(self, kinds: list[str]) -> str | None:
        request, formats = self._request, ANSWERS[self._language]
        parts = []
        user_id = self._knows(request, "user_id")
        for kind in kinds:
            if kind in ("phone", "identity") and self._knows(request, "phone") is None:
                parts += [PHRASES[self._language]["no_phone"].format(user_id=user_id)] if user_id else []
                continue
            if kind in ("phone", "identity"):
                self._identified += 1
                if self._identified > 1 and user_id:  # the phone did not do: the platform user id too
                    parts.append(formats["user_id"].format(user_id))
            value = self._knows(request, "phone" if kind == "identity" else kind)
            part = None if value is None else formats["phone" if kind == "identity" else kind].format(value)
            if part is not None and part not in parts:
                parts.append(part)
        if not parts:
            return None
        joiner, end = ("，", "。") if self._language == "zh" else (", ", ". ")
        return joiner.join(parts) + end + request.say

    def _advance(self) -> tuple[str, int] | None:
        if self._current + 1 >= len(self._requests):
            return None
        self._current += 1
        self._follow_ups = self._dont_know = 0
        return self._request.say, self._current
