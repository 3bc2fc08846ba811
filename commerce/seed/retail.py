"""Seed: the tau2-bench retail store (data/retail/db.json: 500 users, 1,000 orders, 50 products).

Everything maps one to one. Two things are derived, not read:
- shipments: one per fulfilment (its tracking id and items); the data has no
  tracking events, so the shipment status follows the order status;
- the ``vip`` tag: customers whose net spend (payments minus refunds) is at least
  VIP_SPEND_USD, about the top tenth of the store. No record says who is a
  frequent complainer, so nobody gets that tag from the seed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from commerce.seed.rows import SeedRows

VIP_SPEND_USD = 7500
SHIPMENT_STATUS = {"processed": "in_transit", "delivered": "delivered", "cancelled": "cancelled"}


def retail_rows(data_dir: Path) -> SeedRows:
    db = json.loads((data_dir / "retail" / "db.json").read_text(encoding="utf-8"))
    rows = SeedRows()
    for product in db["products"].values():
        rows.products.append({"id": product["product_id"], "name": product["name"], "currency": "USD", "attributes": {}})
        for position, variant in enumerate(product["variants"].values()):
            rows.variants.append(
                {
                    "id": variant["item_id"],
                    "product_id": product["product_id"],
                    "position": position,
                    "options": variant["options"],
                    "available": variant["available"],
                    "price_cents": _cents(variant["price"]),
                }
            )
    spend = _net_spend(db["orders"].values())
    order_position: dict[str, int] = {}
    for user in db["users"].values():
        order_position.update({order_id: position for position, order_id in enumerate(user["orders"])})
        rows.customers.append(
            {
                "id": user["user_id"],
                "first_name": user["name"]["first_name"],
                "last_name": user["name"]["last_name"],
                "email": user["email"],
                "phone": None,
                "zip": user["address"]["zip"],
                "address": user["address"],
                "tags": ["vip"] if spend[user["user_id"]] >= VIP_SPEND_USD * 100 else [],
                "locale": "en",
                "attributes": {},
            }
        )
        for position, method in enumerate(user["payment_methods"].values()):
            rows.payment_methods.append(
                {
                    "id": method["id"],
                    "customer_id": user["user_id"],
                    "position": position,
                    "source": method["source"],
                    "brand": method.get("brand"),
                    "last_four": method.get("last_four"),
                    "balance_cents": _cents(method["balance"]) if "balance" in method else None,
                }
            )
    for order in db["orders"].values():
        order_id = order["order_id"]
        rows.orders.append(
            {
                "id": order_id,
                "customer_id": order["user_id"],
                "position": order_position.get(order_id, 10_000),
                "status": order["status"],
                "source_status": None,
                "currency": "USD",
                "address": order["address"],
                "expedited": False,
                "attributes": {},
            }
        )
        for position, item in enumerate(order["items"]):
            rows.order_items.append(
                {
                    "order_id": order_id,
                    "position": position,
                    "item_id": item["item_id"],
                    "product_id": item["product_id"],
                    "name": item["name"],
                    "price_cents": _cents(item["price"]),
                    "options": item["options"],
                }
            )
        for position, payment in enumerate(order["payment_history"]):
            rows.payments.append(
                {
                    "order_id": order_id,
                    "position": position,
                    "transaction_type": payment["transaction_type"],
                    "amount_cents": _cents(payment["amount"]),
                    "payment_method_id": payment["payment_method_id"],
                }
            )
        for position, fulfillment in enumerate(order["fulfillments"]):
            for tracking_id in fulfillment["tracking_id"]:
                rows.add_shipment(
                    {
                        "order_id": order_id,
                        "position": position,
                        "tracking_id": tracking_id,
                        "carrier": None,
                        "status": SHIPMENT_STATUS.get(order["status"], "label_created"),
                        "item_ids": fulfillment["item_ids"],
                        "estimated_delivery": None,
                        "delivered_at": None,
                        "recipient": {},
                    },
                    events=[],
                )
    return rows


def _net_spend(orders: Any) -> Counter[str]:
    spend: Counter[str] = Counter()
    for order in orders:
        for payment in order["payment_history"]:
            sign = 1 if payment["transaction_type"] == "payment" else -1
            spend[order["user_id"]] += sign * _cents(payment["amount"])
    return spend


def _cents(amount: float) -> int:
    return round(amount * 100)
