"""The Chinese appliance shop's data as the tests read it (data/ecom_store), to pick orders by status and payment."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import httpx

from tests.conftest import DATA

Record = dict[str, Any]
ECARD = "京东E卡"


def _only_shop(tree: dict[str, Any]) -> dict[str, Any]:
    (platform,) = tree.values()
    (shop,) = platform.values()
    return shop  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def jd_orders() -> list[Record]:
    tree = _only_shop(json.loads((DATA / "ecom_store" / "orders.json").read_text(encoding="utf-8")))
    return [order for user_orders in tree.values() for order in user_orders.values()]


@lru_cache(maxsize=1)
def jd_products() -> dict[str, Record]:
    return _only_shop(json.loads((DATA / "ecom_store" / "products.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def jd_users() -> dict[str, Record]:
    return json.loads((DATA / "ecom_store" / "users_info.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def jd_order(status: str, where: Callable[[Record], bool] = lambda _o: True) -> Record:
    return next(o for o in jd_orders() if o["订单状态"] == status and where(o))


def by_ecard(order: Record) -> bool:
    return bool(order["支付方式"] == ECARD)


def not_by_ecard(order: Record) -> bool:
    return not by_ecard(order)


def someone_else(user_id: str) -> str:
    return next(user for user in jd_users() if user != user_id)


def ecard_id(user_id: str) -> str:
    return f"jd_ecard_{user_id}"


def as_customer(user_id: str) -> dict[str, str]:
    """The header a caller acting for `user_id` sends: percent-encoded (Chinese ids), as the connectors do."""
    return {"X-Customer-Id": quote(user_id, safe="")}


def ecard_balance(client: httpx.Client, user_id: str) -> float:
    cards = client.get(f"/customers/{quote(user_id, safe='')}/gift-cards", headers=as_customer(user_id)).json()
    (card,) = cards
    return float(card["balance"])
