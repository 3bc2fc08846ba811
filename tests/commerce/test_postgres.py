"""The commerce service on PostgreSQL (127.0.0.1:5432, database `test`), in a schema of its own that is dropped after.

Same behaviour as on SQLite, plus what only a server database shows: row locks
(`SELECT … FOR UPDATE`) that let exactly one of many racing writes through, and
a unique idempotency key that makes racing retries replay the first answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from commerce.database import open_database
from commerce.process import CommerceProcess
from commerce.seed import load_seed
from tests.commerce.retail_data import order, orders, paid_with
from tests.commerce.service import API_KEY
from tests.commerce.test_orders_api import path
from tests.conftest import free_port

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="module")
def postgres_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CommerceProcess]:
    schema = f"commerce_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{SERVER}?options=-csearch_path%3D{schema}"
    database = open_database(url)
    folder: Path = tmp_path_factory.mktemp("pg")
    try:
        counts = load_seed(database, "retail")
        assert counts["orders"] == 1000
        database.dispose()
        with CommerceProcess(database_url=url, port=free_port(), api_key=API_KEY, log_path=folder / "log", cwd=folder) as service:
            yield service
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _client(service: CommerceProcess, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=f"{service.base_url}/v1", headers={"Authorization": f"Bearer {API_KEY}", **headers}, timeout=30)


def _gift_card_pending() -> list[dict]:  # type: ignore[type-arg]
    return orders(lambda o: o["status"] == "pending" and paid_with(o, "gift_card"))


def test_lookups_and_a_cancellation_on_postgres(postgres_service: CommerceProcess) -> None:
    pending = _gift_card_pending()[0]
    with _client(postgres_service, **{"Idempotency-Key": "pg-cancel"}) as client:
        assert client.get(path(pending["order_id"])).json()["payment_history"] == pending["payment_history"]
        first = client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"})
        again = client.post(path(pending["order_id"], "cancel"), json={"reason": "no longer needed"})
        assert first.json()["status"] == "cancelled" and again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        ticket = client.post(
            "/tickets",
            json={"user_id": pending["user_id"], "subject": "s", "description": "d"},
            headers={"Idempotency-Key": "pg-t"},
        )
        assert ticket.status_code == 201


def test_a_violation_changes_nothing_on_postgres(postgres_service: CommerceProcess) -> None:
    delivered = order(lambda o: o["status"] == "delivered")
    with _client(postgres_service) as client:
        before = (client.get(path(delivered["order_id"])).json(), client.get(f"/customers/{delivered['user_id']}").json())
        refused = client.post(path(delivered["order_id"], "cancel"), json={"reason": "no longer needed"})
        assert (refused.status_code, refused.json()["reason"]) == (409, "order_not_pending")
        assert (client.get(path(delivered["order_id"])).json(), client.get(f"/customers/{delivered['user_id']}").json()) == before


def test_racing_writes_on_postgres(postgres_service: CommerceProcess) -> None:
    # Not the order the first test cancelled: the database is shared by this module's tests.
    racing = _gift_card_pending()[1:3]

    def cancel(args: tuple[str, str]) -> int:
        order_id, key = args
        with _client(postgres_service, **{"Idempotency-Key": key}) as client:
            return client.post(path(order_id, "cancel"), json={"reason": "ordered by mistake"}).status_code

    distinct_keys = [(racing[0]["order_id"], f"racer-{n}") for n in range(6)]
    one_key = [(racing[1]["order_id"], "same-key")] * 6
    with ThreadPoolExecutor(6) as pool:
        assert sorted(pool.map(cancel, distinct_keys)) == [200] + [409] * 5
        assert list(pool.map(cancel, one_key)) == [200] * 6
    with _client(postgres_service) as client:
        for raced in racing:
            history = client.get(path(raced["order_id"])).json()["payment_history"]
            assert [p["transaction_type"] for p in history] == ["payment", "refund"]
