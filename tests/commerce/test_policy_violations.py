"""Every policy rule the service enforces: a 4xx with a machine-readable reason, and the database unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.commerce.retail_data import methods_of, order, other_variant, paid_with, product_of, retail_db, user
from tests.commerce.service import RunningCommerce
from tests.commerce.test_orders_api import path

ADDRESS = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "73301"}


@dataclass
class Violation:
    method: str
    url: str
    body: dict[str, Any]
    status: int
    reason: str
    headers: dict[str, str] | None = None


def _pending(where: Callable[[dict], bool] = lambda _o: True) -> dict:  # type: ignore[type-arg]
    return order(lambda o: o["status"] == "pending" and where(o))


def _delivered(where: Callable[[dict], bool] = lambda _o: True) -> dict:  # type: ignore[type-arg]
    return order(lambda o: o["status"] == "delivered" and where(o))


def _someone_elses_method(owner: str) -> str:
    return next(m["id"] for u in retail_db()["users"].values() if u["user_id"] != owner for m in u["payment_methods"].values())


def _another_product_item(item: dict) -> str:  # type: ignore[type-arg]
    return next(
        v["item_id"]
        for p in retail_db()["products"].values()
        if p["product_id"] != item["product_id"]
        for v in p["variants"].values()
    )


def _violations() -> dict[str, Callable[[], Violation]]:
    def cancel_delivered() -> Violation:
        return Violation(
            "POST", path(_delivered()["order_id"], "cancel"), {"reason": "no longer needed"}, 409, "order_not_pending"
        )

    def cancel_bad_reason() -> Violation:
        return Violation(
            "POST", path(_pending()["order_id"], "cancel"), {"reason": "found it cheaper"}, 422, "invalid_cancel_reason"
        )

    def return_pending() -> Violation:
        o = _pending()
        body = {"item_ids": [o["items"][0]["item_id"]], "payment_method_id": o["payment_history"][0]["payment_method_id"]}
        return Violation("POST", path(o["order_id"], "return"), body, 409, "order_not_delivered")

    def exchange_pending() -> Violation:
        o = _pending(lambda x: other_variant(x["items"][0]) is not None)
        new = other_variant(o["items"][0])
        body = {
            "item_ids": [o["items"][0]["item_id"]],
            "new_item_ids": [new["item_id"]],  # type: ignore[index]
            "payment_method_id": o["payment_history"][0]["payment_method_id"],
        }
        return Violation("POST", path(o["order_id"], "exchange"), body, 409, "order_not_delivered")

    def exchange_to_another_product() -> Violation:
        o = _delivered()
        body = {
            "item_ids": [o["items"][0]["item_id"]],
            "new_item_ids": [_another_product_item(o["items"][0])],
            "payment_method_id": o["payment_history"][0]["payment_method_id"],
        }
        return Violation("POST", path(o["order_id"], "exchange"), body, 422, "different_product")

    def modify_to_another_product() -> Violation:
        o = _pending()
        body = {
            "item_ids": [o["items"][0]["item_id"]],
            "new_item_ids": [_another_product_item(o["items"][0])],
            "payment_method_id": o["payment_history"][0]["payment_method_id"],
        }
        return Violation("POST", path(o["order_id"], "items"), body, 422, "different_product")

    def exchange_to_unavailable_variant() -> Violation:
        o = _delivered(lambda x: other_variant(x["items"][0], available=False) is not None)
        new = other_variant(o["items"][0], available=False)
        body = {
            "item_ids": [o["items"][0]["item_id"]],
            "new_item_ids": [new["item_id"]],  # type: ignore[index]
            "payment_method_id": o["payment_history"][0]["payment_method_id"],
        }
        return Violation("POST", path(o["order_id"], "exchange"), body, 409, "item_not_available")

    def refund_to_a_method_not_owned() -> Violation:
        o = _delivered()
        body = {"item_ids": [o["items"][0]["item_id"]], "payment_method_id": _someone_elses_method(o["user_id"])}
        return Violation("POST", path(o["order_id"], "return"), body, 422, "payment_method_not_owned")

    def refund_to_another_own_card() -> Violation:
        o = _delivered(lambda x: paid_with(x, "paypal") and bool(methods_of(x["user_id"], "credit_card")))
        body = {"item_ids": [o["items"][0]["item_id"]], "payment_method_id": methods_of(o["user_id"], "credit_card")[0]["id"]}
        return Violation("POST", path(o["order_id"], "return"), body, 422, "refund_not_to_original_payment_method")

    def return_item_not_in_order() -> Violation:
        o = _delivered()
        body = {"item_ids": ["0000000000"], "payment_method_id": o["payment_history"][0]["payment_method_id"]}
        return Violation("POST", path(o["order_id"], "return"), body, 422, "item_not_in_order")

    def return_an_item_twice_ordered_once() -> Violation:
        o = _delivered(lambda x: len({i["item_id"] for i in x["items"]}) == len(x["items"]))
        item = o["items"][0]["item_id"]
        body = {"item_ids": [item, item], "payment_method_id": o["payment_history"][0]["payment_method_id"]}
        return Violation("POST", path(o["order_id"], "return"), body, 422, "item_not_in_order")

    def modify_items_count_mismatch() -> Violation:
        o = _pending()
        body = {
            "item_ids": [o["items"][0]["item_id"]],
            "new_item_ids": [],
            "payment_method_id": o["payment_history"][0]["payment_method_id"],
        }
        return Violation("POST", path(o["order_id"], "items"), body, 422, "item_count_mismatch")

    def pay_with_a_too_small_gift_card() -> Violation:
        def fits(x: dict) -> bool:  # type: ignore[type-arg]
            return not paid_with(x, "gift_card") and any(
                c["balance"] < x["payment_history"][0]["amount"] for c in methods_of(x["user_id"], "gift_card")
            )

        o = _pending(fits)
        card = next(c for c in methods_of(o["user_id"], "gift_card") if c["balance"] < o["payment_history"][0]["amount"])
        return Violation(
            "POST", path(o["order_id"], "payment"), {"payment_method_id": card["id"]}, 409, "insufficient_gift_card_balance"
        )

    def pay_with_the_same_method() -> Violation:
        o = _pending()
        body = {"payment_method_id": o["payment_history"][0]["payment_method_id"]}
        return Violation("POST", path(o["order_id"], "payment"), body, 422, "same_payment_method")

    def modify_address_of_a_processed_order() -> Violation:
        return Violation(
            "POST", path(order(lambda o: o["status"] == "processed")["order_id"], "address"), ADDRESS, 409, "order_not_pending"
        )

    def delivery_address_after_shipping() -> Violation:
        o = order(lambda x: x["status"] == "processed")
        return Violation("POST", path(o["order_id"], "delivery-address"), ADDRESS, 409, "order_already_shipped")

    def expedite_a_delivered_order() -> Violation:
        return Violation("POST", path(_delivered()["order_id"], "expedite"), {"reason": "gift"}, 409, "order_not_expeditable")

    def cancel_for_another_customer() -> Violation:
        o = _pending()
        other = next(u for u in retail_db()["users"] if u != o["user_id"])
        return Violation(
            "POST",
            path(o["order_id"], "cancel"),
            {"reason": "no longer needed"},
            404,
            "order_not_found",
            {"X-Customer-Id": other},
        )

    def cancel_an_unknown_order() -> Violation:
        return Violation("POST", path("#W0000000", "cancel"), {"reason": "no longer needed"}, 404, "order_not_found")

    def note_for_an_unknown_customer() -> Violation:
        return Violation("POST", "/customers/nobody_0000/notes", {"body": "hello"}, 404, "customer_not_found")

    def malformed_body() -> Violation:
        return Violation("POST", path(_pending()["order_id"], "items"), {"item_ids": "not a list"}, 422, "bad_request")

    return {name: fn for name, fn in locals().items() if callable(fn)}


VIOLATIONS = _violations()


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_a_policy_violation_is_refused_with_a_reason_and_changes_nothing(retail: RunningCommerce, name: str) -> None:
    violation = VIOLATIONS[name]()
    before = retail.fingerprint()
    response = retail.client(**(violation.headers or {})).request(
        violation.method, violation.url, json=violation.body, headers={"Idempotency-Key": f"violation-{name}"}
    )
    assert (response.status_code, response.json()["reason"]) == (violation.status, violation.reason), response.text
    assert response.json()["message"]
    assert retail.fingerprint() == before


def test_a_refused_write_can_succeed_later_with_the_same_key(retail: RunningCommerce) -> None:
    """Refusals are not stored under the idempotency key: nothing happened, so nothing is replayed."""
    pending = _pending()
    client = retail.client(**{"Idempotency-Key": "same-key"})
    assert client.post(path(pending["order_id"], "cancel"), json={"reason": "changed my mind"}).status_code == 422
    assert client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"}).json()["status"] == "cancelled"


def test_closed_ticket_cannot_change_until_reopened(retail: RunningCommerce) -> None:
    client = retail.client()
    customer = user("noah_brown_6181")["user_id"]
    ticket = client.post("/tickets", json={"user_id": customer, "subject": "s", "description": "d"}).json()
    assert client.patch(f"/tickets/{ticket['ticket_id']}", json={"status": "closed"}).json()["status"] == "closed"
    before = retail.fingerprint()
    refused = client.patch(f"/tickets/{ticket['ticket_id']}", json={"comment": "one more thing"})
    assert (refused.status_code, refused.json()["reason"]) == (422, "invalid_ticket_update")
    assert retail.fingerprint() == before
    assert client.patch(f"/tickets/{ticket['ticket_id']}", json={"status": "open"}).json()["status"] == "open"


def test_the_database_is_reset_between_tests(retail: RunningCommerce) -> None:
    assert retail.client().get("/customers/noah_brown_6181/tickets").json() == []
    assert product_of(retail_db()["orders"]["#W2611340"]["items"][0]["item_id"])["name"] == "Water Bottle"
