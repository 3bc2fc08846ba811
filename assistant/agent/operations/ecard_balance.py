"""ecard_balance: the balance of the customer's e-cards (京东E卡) and gift cards, read from the shop; no order needed."""

from __future__ import annotations

from assistant.agent.operations import identity
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome
from assistant.tools.describe import CURRENCY_SYMBOLS


async def ecard_balance(turn: OperationTurn, _user_id: str) -> Outcome:
    balance = await turn.tools.read("get_ecard_balance")
    currency = str(balance.get("currency") or "")
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    cards = [
        f"{card['name']}（{card['payment_method_id']}）{symbol}{float(card['balance'] or 0):,.2f}" for card in balance["cards"]
    ]
    if not cards:
        return turn.reply("ecard_balance.none")
    return turn.reply("ecard_balance.reply", cards=cards, total=f"{symbol}{float(balance['total']):,.2f}")


OPERATION = Operation(
    name="ecard_balance",
    description="the balance of the customer's e-cards or gift cards",
    handler=ecard_balance,
    words_en=r"\b(gift ?card|e-?card)s?\b[^.?!]{0,20}\bbalance\b|\bbalance\b[^.?!]{0,20}\b(gift ?card|e-?card)s?\b",
    words_zh=r"(E卡|e卡|京东卡|礼品卡|购物卡)[^，。,.]{0,6}余额|(E卡|e卡|京东卡|礼品卡|购物卡)[^，。,.]{0,3}还?(剩|有)(多少|几)"
    r"|余额[^，。,.]{0,4}(多少|还有|查)|查[^，。,.]{0,4}(E卡|e卡|京东卡|礼品卡)",
    # verb: how a reply about several requests names this one ("关于查询E卡余额的请求：…").
    phrases=("ecard_balance.verb", "ecard_balance.reply", "ecard_balance.none", *identity.PHRASES),
)
