"""Service-to-service auth, and writes that run once per idempotency key even when retried or raced."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.commerce.retail_data import order, paid_with
from tests.commerce.service import RunningCommerce
from tests.commerce.test_orders_api import path


def test_a_missing_or_wrong_key_is_refused(retail: RunningCommerce) -> None:
    url = f"{retail.base_url}/v1{path('#W2611340')}"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": retail.api_key}):
        response = httpx.get(url, headers=headers)
        assert (response.status_code, response.json()["reason"]) == (401, "unauthorized")
    assert httpx.get(f"{retail.base_url}/health").json() == {"status": "ok", "shop": "retail"}


def test_a_repeated_write_replays_the_first_result(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending" and paid_with(o, "gift_card"))
    client = retail.client(**{"Idempotency-Key": "cancel-once"})
    first = client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"})
    after_first = retail.fingerprint()
    second = client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"})
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    assert retail.fingerprint() == after_first
    refunds = [p for p in second.json()["payment_history"] if p["transaction_type"] == "refund"]
    assert len(refunds) == 1


def test_a_key_reused_for_another_request_is_refused(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending")
    client = retail.client(**{"Idempotency-Key": "k-1"})
    assert client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"}).status_code == 200
    reused = client.post(path(pending["order_id"], "cancel"), json={"reason": "ordered by mistake"})
    assert (reused.status_code, reused.json()["reason"]) == (409, "idempotency_key_reused")


def test_racing_retries_with_one_key_apply_once(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending" and paid_with(o, "gift_card"))

    def cancel(_: int) -> httpx.Response:
        with retail.client(**{"Idempotency-Key": "raced"}) as client:
            return client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(cancel, range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    final = retail.client().get(path(pending["order_id"])).json()
    assert [p["transaction_type"] for p in final["payment_history"]] == ["payment", "refund"]


def test_racing_different_writes_on_one_order_let_exactly_one_through(retail: RunningCommerce) -> None:
    pending = order(lambda o: o["status"] == "pending" and paid_with(o, "gift_card"))

    def cancel(n: int) -> httpx.Response:
        with retail.client(**{"Idempotency-Key": f"racer-{n}"}) as client:
            return client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(cancel, range(8)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7
    final = retail.client().get(path(pending["order_id"])).json()
    assert [p["transaction_type"] for p in final["payment_history"]] == ["payment", "refund"]
