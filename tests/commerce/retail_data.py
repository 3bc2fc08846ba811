"""The retail seed as the tests read it (data/retail/db.json), to pick orders and customers by their traits."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from tests.conftest import DATA

Record = dict[str, Any]


@lru_cache(maxsize=1)
def retail_db() -> dict[str, dict[str, Record]]:
    return json.loads((DATA / "retail" / "db.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def orders(where: Callable[[Record], bool] = lambda _o: True) -> list[Record]:
    return [order for order in retail_db()["orders"].values() if where(order)]


def order(where: Callable[[Record], bool]) -> Record:
    return orders(where)[0]


def user(user_id: str) -> Record:
    return retail_db()["users"][user_id]


def product_of(item_id: str) -> Record:
    return next(p for p in retail_db()["products"].values() if item_id in p["variants"])


def paid_with(order_record: Record, source: str) -> bool:
    method_id = order_record["payment_history"][0]["payment_method_id"]
    return bool(user(order_record["user_id"])["payment_methods"][method_id]["source"] == source)


def methods_of(user_id: str, source: str) -> list[Record]:
    return [m for m in user(user_id)["payment_methods"].values() if m["source"] == source]


def other_variant(item: Record, *, available: bool = True) -> Record | None:
    """Another variant of the item's product with the given availability."""
    variants = retail_db()["products"][item["product_id"]]["variants"].values()
    return next((v for v in variants if v["item_id"] != item["item_id"] and v["available"] == available), None)
