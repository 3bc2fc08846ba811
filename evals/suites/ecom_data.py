"""The Chinese appliance shop's data as ECom-Bench ships it (data/ecom_store/, Apache-2.0), read for the eval set: who
owns which order, what each order and product says, and the figures a task's ground truth is computed from.

The files nest platform → shop → records (one of each); invoices.json is keyed by order id directly. Products listed
only as exchange targets (可换货商品 of another product) are not in products.json: they are kept apart (`listed`) with
the best status their listings give them (as commerce/seed/ecom_store.py seeds them); whether an exchange may go to
one is its listing's own status (`exchange_list`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from evals.suites.datasets import DATA

ON_SALE = "已上架"
ECARD = "京东E卡"
# A product listed by several products with different statuses has the best of them, as the commerce seed gives it:
# a product some listing sells is on sale.
STATUS_RANK = {ON_SALE: 0, "缺货": 1, "已下架": 2}


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _only_shop(tree: dict[str, Any]) -> dict[str, Any]:
    (platform,) = tree.values()
    (shop,) = platform.values()
    return shop  # type: ignore[no-any-return]


def _by_order(path: Path) -> dict[str, Any]:
    """A file of records per user, per order, as one table keyed by order id."""
    return {order_id: record for by_user in _only_shop(_read(path)).values() for order_id, record in by_user.items()}


@dataclass(frozen=True)
class Listed:
    """A product named only in another product's exchange list (可换货商品)."""

    product_id: str
    status: str
    description: str
    listed_by: str


@dataclass(frozen=True)
class EcomData:
    users: dict[str, dict[str, Any]]
    orders: dict[str, dict[str, Any]]  # order id → record (its 用户ID names the owner)
    products: dict[str, dict[str, Any]]
    listed: dict[str, Listed]
    logistics: dict[str, dict[str, Any]]  # order id → record (some name orders orders.json does not have)
    invoices: dict[str, dict[str, Any]]
    service: dict[str, dict[str, Any]]  # order id → appointment
    cashback: dict[str, bool]  # order id → a 晒单 record exists
    discount: dict[str, Any]

    # --- look-ups ---

    def owner(self, order_id: str) -> str | None:
        """The user id an order (or an appointment) belongs to."""
        if order_id in self.orders:
            return str(self.orders[order_id]["用户ID"])
        if order_id in self.service:
            return str(self.service[order_id]["用户ID"])
        return None

    def lines(self, order_id: str) -> list[dict[str, Any]]:
        return list(self.orders[order_id]["订单商品列表"])

    def product_status(self, product_id: str) -> str | None:
        if product_id in self.products:
            return str(self.products[product_id]["商品状态"])
        listed = self.listed.get(product_id)
        return listed.status if listed else None

    def exchange_list(self, product_id: str) -> dict[str, str]:
        """The products `product_id` may be exchanged for, with the status its listing gives each."""
        return {item["商品ID"]: item["商品状态"] for item in self.products[product_id]["可换货商品"]}

    def price_protection(self, order_id: str) -> float:
        """What 价保 refunds on an order: per line, what was paid above today's price, times the quantity (0 when no price
        fell)."""
        total = 0.0
        for line in self.lines(order_id):
            today = float(self.products[line["商品ID"]]["商品价格"])
            total += max(0.0, float(line["单价"]) - today) * int(line["数量"])
        return round(total, 2)

    def ecard_balance(self, user_id: str) -> float:
        return float(self.users[user_id]["电子卡余额"])

    def payment_means(self, user_id: str) -> set[str]:
        """How a customer can pay: the e-card, and every means seen in their orders."""
        return {ECARD} | {str(o["支付方式"]) for o in self.orders.values() if o["用户ID"] == user_id}

    def users_by_phone(self, phone: str) -> list[str]:
        return [uid for uid, user in self.users.items() if user["电话号码"] == phone]


def load_ecom_data(folder: Path | None = None) -> EcomData:
    """The shop's data files from `folder` (default: the project's data/ecom_store/); cached for the default folder."""
    return _load(folder or DATA / "ecom_store")


@cache
def _load(folder: Path) -> EcomData:
    products = _only_shop(_read(folder / "products.json"))
    orders, logistics, service, cashback = (
        _by_order(folder / name) for name in ("orders.json", "logistics.json", "service.json", "register_cashback.json")
    )
    listed: dict[str, Listed] = {}
    for product in products.values():
        for item in product["可换货商品"]:
            known = listed.get(item["商品ID"])
            better = known is None or STATUS_RANK[item["商品状态"]] < STATUS_RANK[known.status]
            if item["商品ID"] not in products and better:
                listed[item["商品ID"]] = Listed(item["商品ID"], item["商品状态"], item["商品描述"], product["商品ID"])
    return EcomData(
        users=_read(folder / "users_info.json"),
        orders=orders,
        products=products,
        listed=listed,
        logistics=logistics,
        invoices=_read(folder / "invoices.json"),
        service=service,
        cashback={order_id: bool(value) for order_id, value in cashback.items()},
        discount=_only_shop(_read(folder / "discount.json")),
    )
