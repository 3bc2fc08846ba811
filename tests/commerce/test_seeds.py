"""The seeds: the retail store loads whole, the Chinese shop maps into the same schema, seeding is for empty databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from commerce.database import open_database
from commerce.seed import DatabaseNotEmptyError, load_seed
from tests.commerce.retail_data import retail_db
from tests.commerce.service import RunningCommerce, acquire, release
from tests.conftest import DATA


@pytest.fixture(scope="module")
def ecom() -> Iterator[RunningCommerce]:
    service = acquire("jd_appliances")
    yield service
    release("jd_appliances")


def test_retail_seed_counts_match_the_data_set(retail: RunningCommerce) -> None:
    client = retail.client()
    db = retail_db()
    assert len(client.get("/products").json()) == len(db["products"]) == 50
    sample = list(db["users"].values())[::50]
    for user in sample:
        body = client.get(f"/customers/{user['user_id']}").json()
        assert body["orders"] == user["orders"] and body["email"] == user["email"]
        gift = {m["id"]: m["balance"] for m in user["payment_methods"].values() if m["source"] == "gift_card"}
        assert {m["id"]: m["balance"] for m in body["payment_methods"] if m["source"] == "gift_card"} == gift


def test_ecom_store_orders_keep_their_ids_statuses_quantities_and_payment(ecom: RunningCommerce) -> None:
    raw = json.loads((DATA / "ecom_store" / "orders.json").read_text(encoding="utf-8"))
    (shop,) = raw["jd"].values()
    source = shop["cnjd喜哥2号"]["313271663680"]
    client = ecom.client()
    body = client.get(f"/orders/{source['订单ID']}").json()
    assert body["user_id"] == "cnjd喜哥2号" and body["currency"] == "CNY"
    assert (body["status"], body["source_status"]) == ("已付款", None)  # the shop's own status, not a translation
    assert (body["recipient_name"], body["recipient_phone"]) == ("宋敬明", "15540534614")
    # 1 × 100112573625 and 2 × 100040350131 become three lines
    assert [i["item_id"] for i in body["items"]] == ["100112573625", "100040350131", "100040350131"]
    assert body["payment_history"] == [
        {"transaction_type": "payment", "amount": 3294.0, "payment_method_id": "wechat_pay_cnjd喜哥2号"}
    ]
    assert body["address"]["city"] == "揭阳市" and body["address"]["address2"] == "饶平县"


def test_ecom_store_customers_tracking_and_products(ecom: RunningCommerce) -> None:
    client = ecom.client()
    customer = client.get(f"/customers/{quote('cnjd喜哥2号')}").json()
    assert (customer["name"], customer["phone"], customer["locale"]) == (
        {"first_name": "敬明", "last_name": "宋"},
        "15540534614",
        "zh",
    )
    assert {m["id"]: m["balance"] for m in customer["payment_methods"]}["jd_ecard_cnjd喜哥2号"] == 5500.0
    assert client.get("/customers/lookup", params={"phone": "155-4053-4614"}).json() == {"user_id": "cnjd喜哥2号"}
    raw = json.loads((DATA / "ecom_store" / "logistics.json").read_text(encoding="utf-8"))
    (shop,) = raw["jd"].values()
    orders = {oid: client.get(f"/orders/{oid}") for user in shop.values() for oid in user}
    delivered = next(oid for oid, answer in orders.items() if answer.status_code == 200 and answer.json()["status"] == "已签收")
    assert sum(answer.status_code == 404 for answer in orders.values()) == 3  # logistics records without an order
    tracking = client.get(f"/orders/{delivered}/tracking").json()
    assert tracking["shipments"][0]["carrier"] == "京东快递" and tracking["shipments"][0]["status"] == "delivered"
    assert tracking["shipments"][0]["events"][0]["status"] == "已创建"
    product = client.get("/products/100112573665").json()
    assert product["currency"] == "CNY" and product["variants"][0]["price"] == 1999.0


def test_a_seed_goes_into_an_empty_database_only(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    counts = load_seed(database, "ecom_store")
    assert counts["customers"] == 28 and counts["orders"] == 41
    with pytest.raises(DatabaseNotEmptyError):
        load_seed(database, "retail")
    database.dispose()


def test_the_seed_command_loads_once_and_then_skips(tmp_path: Path) -> None:
    """`assistant commerce seed`: each shop's backend gets its profile's seed (or only --shop's)."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    command = [sys.executable, "-m", "commerce.cli", "seed", "--shop", "jd_appliances", "--database-url", url]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "seeded jd_appliances" in first.stdout and "28 customers" in first.stdout
    assert "left out: 49 invoices without an order" in first.stdout  # 22 of invoices.json's 71 have their order
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "already holds the data of shop jd_appliances; skipped" in again.stdout
    bad = subprocess.run([*command[:5], "shopify", *command[6:]], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "no shop 'shopify'" in bad.stdout + bad.stderr
    env = {
        **os.environ,
        "ASSISTANT_SHOPS__RETAIL__COMMERCE__DATABASE_URL": f"sqlite:///{tmp_path / 'retail.db'}",
        "ASSISTANT_SHOPS__JD_APPLIANCES__COMMERCE__DATABASE_URL": f"sqlite:///{tmp_path / 'jd.db'}",
    }
    both = subprocess.run(command[:4], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert both.returncode == 0, both.stderr
    assert "seeded retail (retail)" in both.stdout and "seeded jd_appliances (ecom_store)" in both.stdout


def test_a_database_is_never_served_for_another_shop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jd.db'}"
    seeded = subprocess.run(
        [sys.executable, "-m", "commerce.cli", "seed", "--shop", "jd_appliances", "--database-url", url],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    serve = [sys.executable, "-m", "commerce.cli", "serve", "--shop", "retail", "--database-url", url, "--port", "9"]
    refused = subprocess.run(serve, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    said = " ".join(refused.stdout.split())
    assert "holds the data of shop jd_appliances, not of retail" in said and "serve it with --shop jd_appliances" in said
    wrong_seed = subprocess.run(
        [*serve[:5], "jd_appliances", *serve[6:], "--seed", "retail"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert wrong_seed.returncode != 0 and "seeded with 'ecom_store'" in wrong_seed.stdout + wrong_seed.stderr
