"""Every order and catalogue endpoint of the real service, with the database state it leaves."""

from __future__ import annotations

from urllib.parse import quote

from tests.commerce.retail_data import methods_of, order, orders, other_variant, paid_with, retail_db, user
from tests.commerce.service import RunningCommerce


def path(order_id: str, action: str = "") -> str:
    return f"/orders/{quote(order_id, safe='')}" + (f"/{action}" if action else "")


def test_order_lookup_returns_the_seeded_order(retail: RunningCommerce) -> None:
    seeded = retail_db()["orders"]["#W2611340"]
    body = retail.client().get(path("#W2611340")).json()
    assert body["user_id"] == seeded["user_id"] and body["status"] == seeded["status"]
    assert [i["item_id"] for i in body["items"]] == [i["item_id"] for i in seeded["items"]]
    assert body["payment_history"] == seeded["payment_history"]
    assert body["fulfillments"] == seeded["fulfillments"]


def test_customer_order_list_has_every_order_of_the_customer(retail: RunningCommerce) -> None:
    customer = user("noah_brown_6181")
    listed = retail.client().get("/customers/noah_brown_6181/orders").json()
    assert [o["order_id"] for o in listed] == customer["orders"]
    assert listed[0]["total"] == round(sum(i["price"] for i in retail_db()["orders"][customer["orders"][0]]["items"]), 2)


def test_cancel_refunds_a_gift_card_at_once(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending" and paid_with(o, "gift_card"))
    method_id, amount = pending["payment_history"][0]["payment_method_id"], pending["payment_history"][0]["amount"]
    balance = user(pending["user_id"])["payment_methods"][method_id]["balance"]
    client = retail.client()
    body = client.post(path(pending["order_id"], "cancel"), json={"reason": "ordered by mistake"}).json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "ordered by mistake"
    assert body["payment_history"][-1] == {"transaction_type": "refund", "amount": amount, "payment_method_id": method_id}
    methods = {m["id"]: m for m in client.get(f"/customers/{pending['user_id']}").json()["payment_methods"]}
    assert methods[method_id]["balance"] == round(balance + amount, 2)


def test_modify_address_of_a_pending_order(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending")
    new = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "73301"}
    client = retail.client()
    assert client.post(path(pending["order_id"], "address"), json=new).json()["address"] == new
    assert client.get(path(pending["order_id"])).json()["address"] == new


def test_modify_payment_to_a_gift_card_charges_it_and_refunds_the_old_method(retail: RunningCommerce) -> None:
    def fits(o: dict) -> bool:  # type: ignore[type-arg]
        cards = methods_of(o["user_id"], "gift_card")
        return (
            o["status"] == "pending"
            and not paid_with(o, "gift_card")
            and any(c["balance"] >= o["payment_history"][0]["amount"] for c in cards)
        )

    pending = order(fits)
    amount, old = pending["payment_history"][0]["amount"], pending["payment_history"][0]["payment_method_id"]
    card = next(c for c in methods_of(pending["user_id"], "gift_card") if c["balance"] >= amount)
    client = retail.client()
    body = client.post(path(pending["order_id"], "payment"), json={"payment_method_id": card["id"]}).json()
    assert body["status"] == "pending"
    assert body["payment_history"][1:] == [
        {"transaction_type": "payment", "amount": amount, "payment_method_id": card["id"]},
        {"transaction_type": "refund", "amount": amount, "payment_method_id": old},
    ]
    methods = {m["id"]: m for m in client.get(f"/customers/{pending['user_id']}").json()["payment_methods"]}
    assert methods[card["id"]]["balance"] == round(card["balance"] - amount, 2)


def test_modify_items_swaps_variants_and_records_the_difference(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending" and other_variant(o["items"][0]) is not None)
    item = pending["items"][0]
    new = other_variant(item)
    assert new is not None
    method = pending["payment_history"][0]["payment_method_id"]
    body = (
        retail.client()
        .post(
            path(pending["order_id"], "items"),
            json={"item_ids": [item["item_id"]], "new_item_ids": [new["item_id"]], "payment_method_id": method},
        )
        .json()
    )
    assert body["status"] == "pending (item modified)"
    assert body["items"][0]["item_id"] == new["item_id"] and body["items"][0]["options"] == new["options"]
    difference = round(new["price"] - item["price"], 2)
    kind = "payment" if difference > 0 else "refund"
    assert body["payment_history"][-1] == {"transaction_type": kind, "amount": abs(difference), "payment_method_id": method}


def test_return_records_the_request_and_the_refund_destination(retail: RunningCommerce) -> None:
    delivered = order(lambda o: o["status"] == "delivered" and len(o["items"]) >= 2)
    items = [delivered["items"][1]["item_id"], delivered["items"][0]["item_id"]]
    method = delivered["payment_history"][0]["payment_method_id"]
    body = (
        retail.client().post(path(delivered["order_id"], "return"), json={"item_ids": items, "payment_method_id": method}).json()
    )
    assert body["status"] == "return requested"
    assert body["return_items"] == sorted(items) and body["return_payment_method_id"] == method


def test_exchange_records_old_and_new_items_and_the_difference(retail: RunningCommerce) -> None:
    delivered = order(lambda o: o["status"] == "delivered" and other_variant(o["items"][0]) is not None)
    item = delivered["items"][0]
    new = other_variant(item)
    assert new is not None
    method = delivered["payment_history"][0]["payment_method_id"]
    body = (
        retail.client()
        .post(
            path(delivered["order_id"], "exchange"),
            json={"item_ids": [item["item_id"]], "new_item_ids": [new["item_id"]], "payment_method_id": method},
        )
        .json()
    )
    assert body["status"] == "exchange requested"
    assert body["exchange_items"] == [item["item_id"]] and body["exchange_new_items"] == [new["item_id"]]
    assert body["exchange_price_difference"] == round(new["price"] - item["price"], 2)


def test_catalogue_endpoints(retail: RunningCommerce) -> None:
    client = retail.client()
    products = client.get("/products").json()
    assert len(products) == 50
    product = retail_db()["products"][products[0]["product_id"]]
    body = client.get(f"/products/{product['product_id']}").json()
    assert {v["item_id"] for v in body["variants"]} == set(product["variants"])
    item_id, variant = next(iter(product["variants"].items()))
    assert client.get(f"/items/{item_id}").json() == {**variant, "product_id": product["product_id"]}
    assert client.get("/products/0000000000").json()["reason"] == "product_not_found"
    assert client.get("/items/0000000000").status_code == 404


def test_every_seeded_status_is_served(retail: RunningCommerce) -> None:
    client = retail.client()
    for status in ("pending", "processed", "delivered", "cancelled"):
        seeded = orders(lambda o, s=status: o["status"] == s)[0]  # type: ignore[misc]
        assert client.get(path(seeded["order_id"])).json()["status"] == status
