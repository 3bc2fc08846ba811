"""What the retail policy says the database looks like after each ground-truth write (the replay's oracle).

Written from data/retail/policy.md and the tau2-bench retail arithmetic, directly
on the JSON of db.json, independently of the commerce service: the replay test
compares the service's final orders and customers with what this computes.

It is deliberately a second implementation of the policy, the one that checks
the service. The evaluations' state oracle (evals/suites/state_oracle.py) is not
a copy of it: like tau2-bench, it replays the ground truth through the service's
own code and compares whole databases, and the replay test checks it too.
"""

from __future__ import annotations

import copy
from typing import Any

Record = dict[str, Any]


class RetailOracle:
    def __init__(self, db: dict[str, dict[str, Record]]) -> None:
        # Copy on write: the seed is shared by every task and stays untouched; only what a task changes is copied.
        self._users = _CopyOnRead(db["users"])
        self.db = {"products": db["products"], "orders": _CopyOnRead(db["orders"]), "users": self._users}
        self.touched_orders: set[str] = set()
        self.touched_users: set[str] = set()

    # --- which ground-truth reads are expected to find something ---

    def find_user(self, name: str, arguments: Record) -> str | None:
        users = self._users
        for user in (users.peek(user_id) for user_id in users.keys_of_seed()):
            if name == "find_user_id_by_email" and user["email"].lower() == arguments["email"].lower():
                return str(user["user_id"])
            if name == "find_user_id_by_name_zip" and (
                user["name"]["first_name"].lower() == arguments["first_name"].lower()
                and user["name"]["last_name"].lower() == arguments["last_name"].lower()
                and user["address"]["zip"] == arguments["zip"]
            ):
                return str(user["user_id"])
        return None

    def order_exists(self, order_id: str) -> bool:
        return order_id in self.db["orders"]

    # --- writes, as the policy describes them ---

    def refusal(self, name: str, args: Record) -> str | None:
        """The rule a ground-truth write breaks, if any. The data set has writes that pay with a gift card
        too small for the amount ("it must have enough balance"); tau-bench's own tools refuse them too."""
        order = self.db["orders"].get(args.get("order_id", ""))
        if order is None or "payment_method_id" not in args or name == "return_delivered_order_items":
            return None
        method = self.db["users"][order["user_id"]]["payment_methods"][args["payment_method_id"]]
        if method["source"] != "gift_card":
            return None
        if name == "modify_pending_order_payment":
            needed = order["payment_history"][0]["amount"]
        else:
            needed = self._difference(order, args["item_ids"], args["new_item_ids"])
        return "insufficient_gift_card_balance" if method["balance"] < needed else None

    def apply(self, name: str, args: Record) -> None:
        getattr(self, name)(**args)

    def cancel_pending_order(self, order_id: str, reason: str) -> None:
        order = self._order(order_id, "pending")
        for payment in [p for p in order["payment_history"] if p["transaction_type"] == "payment"]:
            order["payment_history"].append({**payment, "transaction_type": "refund"})
            self._credit_gift_card(order["user_id"], payment["payment_method_id"], payment["amount"])
        order["status"], order["cancel_reason"] = "cancelled", reason

    def modify_pending_order_address(self, order_id: str, **address: str) -> None:
        self._order(order_id, "pending")["address"] = address

    def modify_user_address(self, user_id: str, **address: str) -> None:
        self.db["users"][user_id]["address"] = address
        self.touched_users.add(user_id)

    def modify_pending_order_payment(self, order_id: str, payment_method_id: str) -> None:
        order = self._order(order_id, "pending")
        (paid,) = order["payment_history"]
        amount = paid["amount"]
        order["payment_history"] += [
            {"transaction_type": "payment", "amount": amount, "payment_method_id": payment_method_id},
            {"transaction_type": "refund", "amount": amount, "payment_method_id": paid["payment_method_id"]},
        ]
        self._credit_gift_card(order["user_id"], payment_method_id, -amount)
        self._credit_gift_card(order["user_id"], paid["payment_method_id"], amount)

    def modify_pending_order_items(
        self, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> None:
        order = self._order(order_id, "pending")
        difference = self._difference(order, item_ids, new_item_ids)
        kind = "payment" if difference > 0 else "refund"
        order["payment_history"].append(
            {"transaction_type": kind, "amount": abs(difference), "payment_method_id": payment_method_id}
        )
        self._credit_gift_card(order["user_id"], payment_method_id, -difference)
        for item_id, new_item_id in zip(item_ids, new_item_ids, strict=True):
            line = next(line for line in order["items"] if line["item_id"] == item_id)
            variant = self.db["products"][line["product_id"]]["variants"][new_item_id]
            line.update(item_id=new_item_id, price=variant["price"], options=variant["options"])
        order["status"] = "pending (item modified)"

    def return_delivered_order_items(self, order_id: str, item_ids: list[str], payment_method_id: str) -> None:
        order = self._order(order_id, "delivered")
        order.update(status="return requested", return_items=sorted(item_ids), return_payment_method_id=payment_method_id)

    def exchange_delivered_order_items(
        self, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> None:
        order = self._order(order_id, "delivered")
        order.update(
            status="exchange requested",
            exchange_items=sorted(item_ids),
            exchange_new_items=sorted(new_item_ids),
            exchange_payment_method_id=payment_method_id,
            exchange_price_difference=self._difference(order, item_ids, new_item_ids),
        )

    # --- helpers ---

    def _order(self, order_id: str, status: str) -> Record:
        order = self.db["orders"][order_id]
        if order["status"] != status:
            raise AssertionError(f"the ground truth acts on {order_id} while it is {order['status']}, not {status}")
        self.touched_orders.add(order_id)
        self.touched_users.add(order["user_id"])
        return order

    def _difference(self, order: Record, item_ids: list[str], new_item_ids: list[str]) -> float:
        total = 0.0
        for item_id, new_item_id in zip(item_ids, new_item_ids, strict=True):
            line = next(line for line in order["items"] if line["item_id"] == item_id)
            total += self.db["products"][line["product_id"]]["variants"][new_item_id]["price"] - line["price"]
        return round(total, 2)

    def _credit_gift_card(self, user_id: str, method_id: str, amount: float) -> None:
        method = self.db["users"][user_id]["payment_methods"][method_id]
        if method["source"] == "gift_card":
            method["balance"] = round(method["balance"] + amount, 2)


class _CopyOnRead(dict):  # type: ignore[type-arg]
    """A view of the seed's records that hands out private deep copies, made on first access."""

    def __init__(self, seed: dict[str, Record]) -> None:
        super().__init__()
        self._seed = seed

    def __missing__(self, key: str) -> Record:
        record = copy.deepcopy(self._seed[key])
        self[key] = record
        return record

    def __contains__(self, key: object) -> bool:
        return key in self._seed

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        return self[key] if key in self._seed else default

    def keys_of_seed(self) -> list[str]:
        return list(self._seed)

    def peek(self, key: str) -> Record:
        """The record as the task left it, without copying an untouched one (read only)."""
        return dict.get(self, key) or self._seed[key]
