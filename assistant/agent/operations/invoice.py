"""invoice: look up an order's invoice, or issue (re-issue) one of the types the shop's policy lists.

"订单312705335872开个企业发票，抬头是某某科技有限公司，税号91350100M000100Y43":
the type is one of the policy's `invoice_types` (its own words, 个人发票 or
企业发票, or their short or English names), the title (抬头) and tax id (税号)
are read by pattern, copied exactly. What is missing is asked for, all at once,
before anything is proposed; a type that needs a tax id is not proposed without
one. The write checks the tax id's form and the order's status, and shows what
the new invoice replaces. "发票开了吗" with nothing to issue looks it up.
"""

from __future__ import annotations

import re

from assistant.agent.operations import identity, orders
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome, ToolFailed
from assistant.errors import NotFoundError
from assistant.shops.policy import ShopPolicy

_TITLE = re.compile(
    r"(?:抬头|发票名称)\s*(?:是|为|写成?|填成?|用|开成?)?\s*[:：]?\s*(?:我(?:的)?(?:名字|姓名)|本人(?:的)?(?:名字|姓名)?)?\s*"
    r"[“\"「『]?([^，。,；;！!？?”\"」』\s]{2,60})"
    r"|\btitle(?:d)?\s*(?:is|:|to|as)?\s*[\"“]?([^,;!?\"”]{2,60}?)\s*(?:[,;!?\"”]|$|\bwith\b|\btax\b)",
    re.IGNORECASE,
)
_TAX_ID = re.compile(r"(?:税号|纳税人识别号|tax\s*(?:id|number))\s*(?:是|为|is)?\s*[:：]?\s*([0-9A-Za-z]+)", re.IGNORECASE)
_LOOKUP = re.compile(
    r"查|看看|看一下|开了(吗|没)|开好了|有没有开|什么(类型|抬头)|是什么|是啥|是哪|\b(check|look\s*up|show|what)\b", re.IGNORECASE
)
_COMPANY = r"公司|单位|企业|\b(company|business|corporate)\b"
_PERSON = r"个人|私人|\b(personal|individual)\b"
# "抬头是什么": a question, not a title.
_ASKED = re.compile(r"^(什么|啥|哪|多少|谁)")


async def invoice(turn: OperationTurn, user_id: str) -> Outcome:
    order, stop = await orders.resolve_order(turn, user_id)
    if stop is not None or order is None:
        return stop or turn.reply("ask_order")
    text, policy = turn.request.segment, turn.offered.policy
    kind, title, tax_id = invoice_type(text, policy), title_of(text), tax_id_of(text)
    if kind is None and title is None and _LOOKUP.search(text):
        return await _look_up(turn, order.order_id)
    missing = []
    if kind is None:
        missing.append(turn.say("invoice.type", types=list(policy.invoice_types)))
    if title is None:
        missing.append(turn.say("invoice.title"))
    if tax_id is None and (kind is None or policy.invoice_types[kind].tax_id):
        taking = [name for name, each in policy.invoice_types.items() if each.tax_id]
        if taking:
            missing.append(turn.say("invoice.tax_id", types=[kind] if kind else taking))
    if missing:
        return turn.reply("invoice.ask", order_id=order.order_id, missing=missing)
    return await turn.propose({"order_id": order.order_id, "invoice_type": kind, "title": title, "tax_id": tax_id})


async def _look_up(turn: OperationTurn, order_id: str) -> Outcome:
    try:
        current = await turn.tools.read("get_invoice", order_id=order_id)
    except ToolFailed as exc:
        if exc.unavailable or not isinstance(exc.cause, NotFoundError):
            raise
        return turn.reply("invoice.none", order_id=order_id)
    return turn.reply(
        "invoice.current", order_id=order_id, invoice_type=current.get("invoice_type"), title=current.get("title"),
        tax_id=current.get("tax_id"),
    )  # fmt: skip


def invoice_type(text: str, policy: ShopPolicy) -> str | None:
    """The policy's invoice type the text names: its own word (企业发票), without 发票 (企业), or its English name."""
    lowered = text.lower()
    for name, kind in policy.invoice_types.items():
        stem = name.removesuffix("发票")
        english = (kind.name.get("en") or "").lower()
        if name in text or (stem and stem in text) or (english and english.split()[0] in lowered):
            return name
    # "公司的", "单位的": the type that takes a company's tax id; "个人的", "私人": the one that does not.
    for name, kind in policy.invoice_types.items():
        if re.search(_COMPANY if kind.tax_id else _PERSON, text, re.IGNORECASE):
            return name
    return None


def title_of(text: str) -> str | None:
    match = _TITLE.search(text)
    if match is None:
        return None
    title = (match.group(1) or match.group(2) or "").strip()
    return None if not title or _ASKED.match(title) else title


def tax_id_of(text: str) -> str | None:
    match = _TAX_ID.search(text)
    return match.group(1) if match else None


OPERATION = Operation(
    name="invoice",
    description="look up an order's invoice, or issue or re-issue one",
    handler=invoice,
    words_en=r"\binvoices?\b",
    words_zh=r"发票|开票",
    action="invoice",
    needs_order=True,
    tools=("issue_invoice",),
    phrases=(
        "invoice.verb",
        "invoice.verb_past",
        "invoice.ask",
        "invoice.type",
        "invoice.title",
        "invoice.tax_id",
        "invoice.current",
        "invoice.none",
        *identity.PHRASES,
        *orders.PHRASES,
        "confirm",
        "execute_failed",
    ),
    intent_words=("invoice",),
)
