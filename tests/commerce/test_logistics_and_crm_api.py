"""Logistics and CRM endpoints of the real service."""

from __future__ import annotations

from tests.commerce.retail_data import order, retail_db, user
from tests.commerce.service import RunningCommerce
from tests.commerce.test_orders_api import path

ADDRESS = {"address1": "9 Elm St", "address2": "Apt 2", "city": "Boston", "state": "MA", "country": "USA", "zip": "02108"}


def test_tracking_shows_the_shipments_of_an_order(retail: RunningCommerce) -> None:
    processed = order(lambda o: o["status"] == "processed")
    body = retail.client().get(path(processed["order_id"], "tracking")).json()
    assert body["order_status"] == "processed" and not body["expedited"]
    assert [s["tracking_id"] for s in body["shipments"]] == processed["fulfillments"][0]["tracking_id"]
    assert body["shipments"][0]["status"] == "in_transit"
    assert body["shipments"][0]["item_ids"] == processed["fulfillments"][0]["item_ids"]


def test_expedite_marks_an_undelivered_order(retail: RunningCommerce) -> None:
    processed = order(lambda o: o["status"] == "processed")
    client = retail.client()
    assert client.post(path(processed["order_id"], "expedite"), json={"reason": "birthday"}).json()["expedited"] is True
    assert client.get(path(processed["order_id"])).json()["expedited"] is True


def test_delivery_address_changes_before_shipping(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending")
    client = retail.client()
    body = client.post(path(pending["order_id"], "delivery-address"), json=ADDRESS).json()
    assert body["address"] == ADDRESS and body["shipments"] == []
    assert client.get(path(pending["order_id"])).json()["address"] == ADDRESS


def test_find_customer_by_email_name_zip_and_phone(retail: RunningCommerce) -> None:
    customer = user("noah_brown_6181")
    client = retail.client()
    assert client.get("/customers/lookup", params={"email": customer["email"].upper()}).json() == {"user_id": "noah_brown_6181"}
    by_name = {"first_name": "noah", "last_name": "BROWN", "zip": customer["address"]["zip"]}
    assert client.get("/customers/lookup", params=by_name).json() == {"user_id": "noah_brown_6181"}
    missing = client.get("/customers/lookup", params={"email": "nobody@example.com"})
    assert (missing.status_code, missing.json()["reason"]) == (404, "customer_not_found")
    assert client.get("/customers/lookup", params={"phone": "000"}).status_code == 404
    assert client.get("/customers/lookup").json()["reason"] == "bad_request"


def test_profile_has_contact_data_payment_methods_orders_and_tags(retail: RunningCommerce) -> None:
    spend: dict[str, float] = {}
    for o in retail_db()["orders"].values():
        for p in o["payment_history"]:
            spend[o["user_id"]] = spend.get(o["user_id"], 0) + (
                p["amount"] if p["transaction_type"] == "payment" else -p["amount"]
            )
    vip = max(spend, key=lambda u: spend[u])
    body = retail.client().get(f"/customers/{vip}").json()
    assert body["tags"] == ["vip"]
    assert body["orders"] == user(vip)["orders"]
    assert {m["id"] for m in body["payment_methods"]} == set(user(vip)["payment_methods"])
    assert retail.client().get("/customers/noah_brown_6181").json()["tags"] == []


def test_tags_and_customer_address_change(retail: RunningCommerce) -> None:
    client = retail.client()
    assert client.put("/customers/noah_brown_6181/tags", json={"tags": ["VIP", " frequent_complainer ", ""]}).json()["tags"] == [
        "frequent_complainer",
        "vip",
    ]
    body = client.put("/customers/noah_brown_6181/address", json=ADDRESS).json()
    assert body["address"] == ADDRESS
    assert client.get("/customers/lookup", params={"first_name": "Noah", "last_name": "Brown", "zip": "02108"}).json()[
        "user_id"
    ] == ("noah_brown_6181")


def test_notes_are_the_contact_history_newest_first(retail: RunningCommerce) -> None:
    client = retail.client()
    first = client.post("/customers/noah_brown_6181/notes", json={"kind": "call", "author": "ann", "body": "asked about refunds"})
    assert first.status_code == 201
    client.post("/customers/noah_brown_6181/notes", json={"kind": "chat", "body": "sent return label"})
    history = client.get("/customers/noah_brown_6181/notes").json()
    assert [n["body"] for n in history] == ["sent return label", "asked about refunds"]
    assert history[1]["kind"] == "call" and history[1]["author"] == "ann"


def test_tickets_create_update_list_get(retail: RunningCommerce) -> None:
    client = retail.client()
    own_order = user("noah_brown_6181")["orders"][0]
    created = client.post(
        "/tickets",
        json={
            "user_id": "noah_brown_6181",
            "subject": "Broken",
            "description": "Arrived broken",
            "order_id": own_order,
            "priority": "high",
            "category": "damage",
        },
    )
    assert created.status_code == 201
    ticket = created.json()
    assert (ticket["status"], ticket["priority"], ticket["order_id"]) == ("open", "high", own_order)
    updated = client.patch(f"/tickets/{ticket['ticket_id']}", json={"status": "resolved", "comment": "refund issued"}).json()
    assert updated["status"] == "resolved" and [c["body"] for c in updated["comments"]] == ["refund issued"]
    assert [t["ticket_id"] for t in client.get("/customers/noah_brown_6181/tickets").json()] == [ticket["ticket_id"]]
    assert client.get(f"/tickets/{ticket['ticket_id']}").json()["status"] == "resolved"
    assert client.patch(f"/tickets/{ticket['ticket_id']}", json={}).json()["reason"] == "bad_request"
    someone_elses = order(lambda o: o["user_id"] != "noah_brown_6181")["order_id"]
    foreign = client.post(
        "/tickets", json={"user_id": "noah_brown_6181", "subject": "s", "description": "d", "order_id": someone_elses}
    )
    assert (foreign.status_code, foreign.json()["reason"]) == (404, "order_not_found")


def test_acting_for_a_customer_hides_everyone_else(retail: RunningCommerce) -> None:
    other = order(lambda o: o["user_id"] != "noah_brown_6181")
    scoped = retail.client(**{"X-Customer-Id": "noah_brown_6181"})
    answers = [
        scoped.get(path(other["order_id"])),
        scoped.get(path(other["order_id"], "tracking")),
        scoped.get(f"/customers/{other['user_id']}"),
        scoped.get(f"/customers/{other['user_id']}/orders"),
        scoped.get(f"/customers/{other['user_id']}/notes"),
        scoped.get(f"/customers/{other['user_id']}/tickets"),
    ]
    assert [a.status_code for a in answers] == [404] * 6
    unknown = scoped.get(path("#W0000000"))
    assert answers[0].json() == unknown.json()
    assert scoped.get("/customers/noah_brown_6181").status_code == 200
