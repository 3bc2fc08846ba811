"""The Chinese-shop oracle on the real seed: `ecom_store` loaded into a temporary SQLite by commerce/seed, copied as the
database a task left, changed by hand (as the shop's JD operations would), then checked — each assertion kind is seen
to hold when the change is there, to fail (saying what is wrong) when it is not, and any change no assertion accounts
for is reported out of scope. The names it reads come from one CommerceNames, which a test overrides.

The tests run on the schema this branch's commerce/ has (the phone in `orders.attributes`, no invoice or appointment
tables: LEGACY_NAMES, tables made here) and on main's once the commerce branch is in (JD_NAMES, its own tables)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commerce.database import copy_sqlite, open_database
from commerce.seed import load_seed
from evals.suites.jd_oracle import JdStateCheck, JdStateOracle
from evals.suites.jd_schema import JD_NAMES, LEGACY_NAMES, CommerceNames
from evals.suites.jd_task_model import JdTask, parse_tasks

NOW = "2026-01-01 00:00:00"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jd") / "ecom_store-template.db"
    database = open_database(f"sqlite:///{path}")
    load_seed(database, "ecom_store")
    database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


class Left:
    """The database a task left (the seed, until a test changes it), and what its schema holds."""

    def __init__(self, template: Path, path: Path) -> None:
        copy_sqlite(template, path)
        self.template, self.path = template, path
        self.connection = sqlite3.connect(path)
        self.names = JD_NAMES if "recipient_phone" in self.columns("orders") else LEGACY_NAMES

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.connection.execute(f'PRAGMA table_info("{table}")')]

    def sql(self, statement: str, *params: Any) -> None:
        self.connection.execute(statement, params)
        self.connection.commit()

    def insert(self, table: str, **values: Any) -> None:
        """A row with the values its table has columns for (the two schemas differ in a few)."""
        kept = {k: v for k, v in values.items() if k in self.columns(table)}
        listed = ", ".join(kept)
        self.sql(f"INSERT INTO {table} ({listed}) VALUES ({', '.join('?' * len(kept))})", *kept.values())

    def set_phone(self, order: str, phone: str) -> None:
        if self.names.order_phone == ("recipient_phone",):
            self.sql("UPDATE orders SET recipient_phone = ? WHERE id = ?", phone, order)
        else:
            self.sql("UPDATE orders SET attributes = json_set(attributes, '$.recipient_phone', ?) WHERE id = ?", phone, order)

    def seed_status(self, order: str) -> str:
        with sqlite3.connect(self.template) as seed:
            (status,) = seed.execute("SELECT status FROM orders WHERE id = ?", (order,)).fetchone()
        seed.close()
        return str(status)

    def check(self, *assertions: dict[str, Any], customer: str = "cnjdjingjing20143") -> JdStateCheck:
        return JdStateOracle(self.template, self.names).check(_expected(*assertions).expected, self.path, customer)


@pytest.fixture
def left(template: Path, tmp_path: Path) -> Iterator[Left]:
    database = Left(template, tmp_path / "ecom_store.db")
    yield database
    database.connection.close()


def _expected(*assertions: dict[str, Any]) -> JdTask:
    raw = {"id": "jd-dev-00", "split": "dev", "category": "multi_request", "form": "one_message", "language": "zh",
           "customer_id": "x", "messages": ["…"], "expected": list(assertions), "handoff": False}  # fmt: skip
    return parse_tasks([json.dumps(raw, ensure_ascii=False)])[0]


CANCEL = ({"order": "311199856607", "status": "已取消"}, {"ecard_balance": {"customer": "cnjdjingjing20143", "change": 1899}})


def _refund(left: Left, order: str, cents: int, method: str) -> None:
    left.insert("payments", order_id=order, position=1, transaction_type="refund", amount_cents=cents,
                payment_method_id=method, created_at=NOW)  # fmt: skip


def test_the_seed_itself_is_unchanged_and_fails_any_change(left: Left) -> None:
    check = left.check({"unchanged": True})
    assert check.ok and check.changed_rows == 0
    failed = left.check(*CANCEL)
    assert not failed.ok and failed.out_of_scope == []
    assert failed.failures == [
        f"order 311199856607: status '已取消' expected, {left.seed_status('311199856607')!r} found",
        "cnjdjingjing20143's e-card moved by 0.0, expected 1899.0",
    ]


def test_a_cancel_with_its_ecard_refund_holds_and_a_stray_change_is_out_of_scope(left: Left) -> None:
    left.sql("UPDATE orders SET status = '已取消' WHERE id = '311199856607'")
    left.sql("UPDATE payment_methods SET balance_cents = balance_cents + 189900 WHERE id = 'jd_ecard_cnjdjingjing20143'")
    _refund(left, "311199856607", 189900, "jd_ecard_cnjdjingjing20143")
    check = left.check(*CANCEL)
    assert check.ok, check.brief()
    assert not left.check({"unchanged": True}).ok
    assert left.check(CANCEL[0]).out_of_scope  # the e-card moved, and no assertion says it may
    left.sql("UPDATE orders SET status = '已取消' WHERE id = '315193748888'")  # another customer's order, cancelled too
    stray = left.check(*CANCEL)
    assert stray.failures == [] and [c.table for c in stray.out_of_scope] == ["orders"]
    assert stray.brief() == [f"out of scope: orders 315193748888: status {left.seed_status('315193748888')!r} → '已取消'"]


def test_address_phone_and_expedite_are_read_where_the_names_say(left: Left) -> None:
    order, customer = "312571444239", "cnjdzhongx520970"
    asserted = ({"order": order, "address_contains": "张江路665号"}, {"order": order, "phone": "13867201145"},
                {"order": order, "expedited": True})  # fmt: skip
    before = left.check(*asserted, customer=customer)
    assert len(before.failures) == 3 and "address has no '张江路665号'" in before.failures[0]
    address = {"address1": "张江路665号3号楼502室", "address2": "浦东新区", "city": "上海市", "state": "上海市",
               "country": "中国", "zip": ""}  # fmt: skip
    left.sql("UPDATE orders SET address = ? WHERE id = ?", json.dumps(address), order)  # with \u escapes, as the ORM does
    left.set_phone(order, "13867201145")
    left.sql("UPDATE orders SET expedited = 1 WHERE id = ?", order)
    assert left.check(*asserted, customer=customer).ok
    # The commerce service may keep the phone elsewhere: only the names change.
    left.sql("ALTER TABLE orders ADD COLUMN contact_phone VARCHAR(40)")
    left.sql("UPDATE orders SET contact_phone = '13900001111' WHERE id = ?", order)
    elsewhere = JdStateOracle(left.template, CommerceNames(order_phone=("contact_phone",)))
    phone = _expected({"order": order, "phone": "13900001111"}).expected
    assert elsewhere.check(phone, left.path, customer).failures == []


def test_a_price_protection_refund_must_be_the_amount_to_the_original_payment(left: Left) -> None:
    refund = {"refund": {"order": "312705335872", "amount": 418.94, "to": "京东E卡"}}
    ecard = {"ecard_balance": {"customer": "cnjdwdnipzaorvgkymr", "change": 418.94}}
    _refund(left, "312705335872", 41894, "jd_ecard_cnjdwdnipzaorvgkymr")
    left.sql("UPDATE payment_methods SET balance_cents = balance_cents + 41894 WHERE id = 'jd_ecard_cnjdwdnipzaorvgkymr'")
    assert left.check(refund, ecard, customer="cnjdwdnipzaorvgkymr").ok
    wrong = left.check({"refund": {"order": "312705335872", "amount": 418.94, "to": "微信"}}, ecard)
    assert wrong.failures == ["order 312705335872: a refund went elsewhere than 微信"]
    short = left.check({"refund": {"order": "312705335872", "amount": 419.0, "to": "京东E卡"}}, ecard)
    assert short.failures == ["order 312705335872: refunds of 419.0 expected, 418.94 found"]


def test_invoices_and_appointments_match_type_title_and_weekday(left: Left) -> None:
    title, tax_id, order, customer = "广州韵佩贸易有限公司", "91440106MA59C8KX3T", "314475833175", "cnjd林韵佩"
    invoice = {"invoice": {"order": order, "type": "企业发票", "title": title, "tax_id": tax_id}}
    visit = {"appointment": {"order": order, "type": "安装", "date_weekday": 7}}
    if "invoices" not in [r[0] for r in left.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]:
        missing = left.check(invoice, visit, customer=customer)  # a schema without them: the failure says so
        assert [f.split(" (")[0] for f in missing.failures] == [
            "no table 'invoices' in the commerce database", "no table 'appointments' in the commerce database"]  # fmt: skip
        left.sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, order_id TEXT, customer_id TEXT, invoice_type TEXT,"
                 " title TEXT, tax_id TEXT, status TEXT)")  # fmt: skip
        left.sql("CREATE TABLE appointments (id INTEGER PRIMARY KEY, order_id TEXT, customer_id TEXT, service_type TEXT,"
                 " day DATE, status TEXT, created_at DATETIME, updated_at DATETIME)")  # fmt: skip
    assert not left.check(invoice, visit, customer=customer).ok
    left.insert("invoices", order_id=order, customer_id=customer, invoice_type="企业发票", title=title,
                tax_id=tax_id.lower(), status="issued")  # fmt: skip
    left.insert("appointments", order_id=order, customer_id=customer, service_type="安装", day="2026-06-07",  # a Sunday
                status="booked", created_at=NOW, updated_at=NOW)  # fmt: skip
    assert left.check(invoice, visit, customer=customer).ok
    other = {"invoice": {**invoice["invoice"], "title": "石绿竹"}}
    assert left.check(other).failures == [f"order {order}: no valid 企业发票 titled '石绿竹' with tax id {tax_id}"]
    left.sql("UPDATE invoices SET status = 'replaced' WHERE title = ?", title)  # re-issued since: it no longer counts
    assert left.check(invoice).failures == [f"order {order}: no valid 企业发票 titled '{title}' with tax id {tax_id}"]
    left.insert("appointments", order_id=order, customer_id=customer, service_type="安装", day="2026-06-05",  # a Friday
                status="booked", created_at=NOW, updated_at=NOW)  # fmt: skip
    assert left.check(visit).failures == [f"order {order}: 安装 on weekday 7 expected, weekdays [7, 5] found"]
    left.sql("UPDATE appointments SET status = 'cancelled' WHERE day = '2026-06-05'")
    assert left.check(visit).failures == []


def test_an_exchange_is_a_changed_line_or_a_recorded_exchange(left: Left) -> None:
    exchange = {"exchange": {"order": "313672076398", "from": "100148801459", "to": "100148801462"}}
    assert left.check(exchange).failures[0].startswith("order 313672076398: no exchange of 100148801459")
    recorded = ('["100148801459"]', '["100148801462"]')
    left.sql("UPDATE orders SET exchange_items = ?, exchange_new_items = ? WHERE id = '313672076398'", *recorded)
    assert left.check(exchange).ok
    left.sql("UPDATE orders SET exchange_items = NULL, exchange_new_items = NULL WHERE id = '313672076398'")
    left.sql("UPDATE order_items SET item_id = '100148801462', product_id = '100148801462' WHERE order_id = '313672076398'")
    assert left.check(exchange).ok


def test_a_new_order_paid_by_ecard_and_a_refused_one(left: Left) -> None:
    buyer = "cnjd18700806944_p"
    new_order = {"new_order": {"customer": buyer, "product": "100065596961", "quantity": 1, "payment": "京东E卡"}}
    ecard = {"ecard_balance": {"customer": buyer, "change": -449}}
    refused = {"refused": {"action": "place_order", "product": "100065596961", "reason": "insufficient_balance"}}
    assert left.check({"unchanged": True}, refused, customer=buyer).ok
    left.insert("orders", id="900000000001", customer_id=buyer, position=0, status="已付款", currency="CNY", address="{}",
                expedited=0, attributes="{}", updated_at=NOW)  # fmt: skip
    left.insert("order_items", order_id="900000000001", position=0, item_id="100065596961", product_id="100065596961",
                name="小厨宝", price_cents=44900, options="{}", price_protected_cents=0)  # fmt: skip
    left.insert("payments", order_id="900000000001", position=0, transaction_type="payment", amount_cents=44900,
                payment_method_id=f"jd_ecard_{buyer}", created_at=NOW)  # fmt: skip
    left.sql(f"UPDATE payment_methods SET balance_cents = balance_cents - 44900 WHERE id = 'jd_ecard_{buyer}'")
    assert left.check(new_order, ecard, customer=buyer).ok
    assert left.check(refused, customer=buyer).failures == ["refused order placed anyway: ['900000000001']"]
    two = {"new_order": {**new_order["new_order"], "quantity": 2}}
    assert "no new order of 2 × 100065596961" in left.check(two, ecard, customer=buyer).failures[0]


def test_a_refused_request_fails_when_its_order_changed(left: Left) -> None:
    refused = {"refused": {"action": "cancel", "order": "427111317720", "reason": "status"}}
    assert left.check({"unchanged": True}, refused, customer="cnjd辛谭婷").ok
    shipment = "(SELECT id FROM shipments WHERE order_id = '427111317720')"
    left.sql(f"UPDATE shipment_events SET description = '已取消' WHERE shipment_id = {shipment}")
    check = left.check(refused, customer="cnjd辛谭婷")
    assert check.failures == ["order 427111317720 changed although its cancel must be refused"]
    assert {c.table for c in check.out_of_scope} == {"shipment_events"}


def test_missing_files_are_named(template: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no seeded commerce template"):
        JdStateOracle(tmp_path / "none.db")
    with pytest.raises(FileNotFoundError, match="no commerce database at"):
        JdStateOracle(template).check(_expected({"unchanged": True}).expected, tmp_path / "none.db", "x")
