"""The Chinese-shop oracle on the real seed: `ecom_store` loaded into a temporary SQLite by commerce/seed, copied as the
database a task left, changed by hand (as the shop's JD operations would), then checked — each assertion kind is seen
to hold when the change is there, to fail (saying what is wrong) when it is not, and any change no assertion accounts
for is reported out of scope. The names it reads come from one CommerceNames, which a test overrides."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commerce.database import copy_sqlite, open_database
from commerce.seed import load_seed
from evals.suites.jd_oracle import JdStateOracle
from evals.suites.jd_schema import CommerceNames
from evals.suites.jd_task_model import JdTask, parse_tasks


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


@pytest.fixture
def left(template: Path, tmp_path: Path) -> Path:
    """The database a task left: the seed, until a test changes it."""
    path = tmp_path / "ecom_store.db"
    copy_sqlite(template, path)
    return path


@pytest.fixture
def sql(left: Path) -> Iterator[Any]:
    connection = sqlite3.connect(left)

    def run(statement: str, *params: Any) -> None:
        connection.execute(statement, params)
        connection.commit()

    yield run
    connection.close()


def _expected(*assertions: dict[str, Any]) -> JdTask:
    raw = {"id": "jd-dev-00", "split": "dev", "category": "multi_request", "form": "one_message", "language": "zh",
           "customer_id": "x", "messages": ["…"], "expected": list(assertions), "handoff": False}  # fmt: skip
    return parse_tasks([json.dumps(raw, ensure_ascii=False)])[0]


def _check(template: Path, left: Path, *assertions: dict[str, Any], customer: str = "cnjdjingjing20143") -> Any:
    return JdStateOracle(template).check(_expected(*assertions).expected, left, customer)


CANCEL = ({"order": "311199856607", "status": "已取消"}, {"ecard_balance": {"customer": "cnjdjingjing20143", "change": 1899}})


def test_the_seed_itself_is_unchanged_and_fails_any_change(template: Path, left: Path) -> None:
    check = _check(template, left, {"unchanged": True})
    assert check.ok and check.changed_rows == 0
    failed = _check(template, left, *CANCEL)
    assert not failed.ok and failed.out_of_scope == []
    assert failed.failures == [
        "order 311199856607: status '已取消' expected, 'pending' found",
        "cnjdjingjing20143's e-card moved by 0.0, expected 1899.0",
    ]


def test_a_cancel_with_its_ecard_refund_holds_and_a_stray_change_is_out_of_scope(template: Path, left: Path, sql: Any) -> None:
    sql("UPDATE orders SET status = '已取消' WHERE id = '311199856607'")
    sql("UPDATE payment_methods SET balance_cents = balance_cents + 189900 WHERE id = 'jd_ecard_cnjdjingjing20143'")
    sql("INSERT INTO payments (order_id, position, transaction_type, amount_cents, payment_method_id, created_at)"
        " VALUES ('311199856607', 1, 'refund', 189900, 'jd_ecard_cnjdjingjing20143', '2026-01-01')")  # fmt: skip
    check = _check(template, left, *CANCEL)
    assert check.ok, check.brief()
    assert not _check(template, left, {"unchanged": True}).ok
    assert _check(template, left, CANCEL[0]).out_of_scope  # the e-card moved, and no assertion says it may
    sql("UPDATE orders SET status = '已取消' WHERE id = '315193748888'")  # another customer's order, cancelled too
    stray = _check(template, left, *CANCEL)
    assert stray.failures == [] and [c.table for c in stray.out_of_scope] == ["orders"]
    assert stray.brief() == ["out of scope: orders 315193748888: status 'pending' → '已取消'"]


def test_address_phone_and_expedite_are_read_where_the_names_say(template: Path, left: Path, sql: Any) -> None:
    order = "312571444239"
    asserted = ({"order": order, "address_contains": "张江路665号"}, {"order": order, "phone": "13867201145"},
                {"order": order, "expedited": True})  # fmt: skip
    before = _check(template, left, *asserted, customer="cnjdzhongx520970")
    assert len(before.failures) == 3 and "address has no '张江路665号'" in before.failures[0]
    address = {
        "address1": "张江路665号3号楼502室",
        "address2": "浦东新区",
        "city": "上海市",
        "state": "上海市",
        "country": "中国",
        "zip": "",
    }
    sql("UPDATE orders SET address = ? WHERE id = ?", json.dumps(address), order)  # stored with \u escapes, as the ORM does
    sql(
        "UPDATE orders SET attributes = json_set(attributes, '$.recipient_phone', '13867201145'), expedited = 1 WHERE id = ?",
        order,
    )
    assert _check(template, left, *asserted, customer="cnjdzhongx520970").ok
    # The commerce service may give the phone its own column: only the names change.
    sql("ALTER TABLE orders ADD COLUMN phone VARCHAR(40)")
    sql("UPDATE orders SET phone = '13867201145' WHERE id = ?", order)
    oracle = JdStateOracle(template, CommerceNames(order_phone=("phone",)))
    assert oracle.check(_expected(asserted[1]).expected, left, "cnjdzhongx520970").failures == []


def test_a_price_protection_refund_must_be_the_amount_to_the_original_payment(template: Path, left: Path, sql: Any) -> None:
    refund = {"refund": {"order": "312705335872", "amount": 418.94, "to": "京东E卡"}}
    ecard = {"ecard_balance": {"customer": "cnjdwdnipzaorvgkymr", "change": 418.94}}
    sql("INSERT INTO payments (order_id, position, transaction_type, amount_cents, payment_method_id, created_at)"
        " VALUES ('312705335872', 1, 'refund', 41894, 'jd_ecard_cnjdwdnipzaorvgkymr', '2026-01-01')")  # fmt: skip
    sql("UPDATE payment_methods SET balance_cents = balance_cents + 41894 WHERE id = 'jd_ecard_cnjdwdnipzaorvgkymr'")
    assert _check(template, left, refund, ecard, customer="cnjdwdnipzaorvgkymr").ok
    wrong = _check(template, left, {"refund": {"order": "312705335872", "amount": 418.94, "to": "微信"}}, ecard)
    assert wrong.failures == ["order 312705335872: a refund went elsewhere than 微信"]
    short = _check(template, left, {"refund": {"order": "312705335872", "amount": 419.0, "to": "京东E卡"}}, ecard)
    assert short.failures == ["order 312705335872: refunds of 419.0 expected, 418.94 found"]


def test_invoices_and_appointments_need_their_tables_then_match_type_title_and_weekday(
    template: Path, left: Path, sql: Any
) -> None:
    title, tax_id = "广州韵佩贸易有限公司", "91440106MA59C8KX3T"
    invoice = {"invoice": {"order": "314475833175", "type": "企业发票", "title": title, "tax_id": tax_id}}
    visit = {"appointment": {"order": "314475833175", "type": "安装", "date_weekday": 7}}
    missing = _check(template, left, invoice, visit, customer="cnjd林韵佩")
    assert [f.split(" (")[0] for f in missing.failures] == [
        "no table 'invoices' in the commerce database", "no table 'appointments' in the commerce database"]  # fmt: skip
    sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, order_id TEXT, invoice_type TEXT, title TEXT, tax_id TEXT)")
    sql("CREATE TABLE appointments (id INTEGER PRIMARY KEY, order_id TEXT, service_type TEXT, date TEXT)")
    sql(
        "INSERT INTO invoices (order_id, invoice_type, title, tax_id) VALUES ('314475833175', '企业', ?, ?)",
        title,
        tax_id.lower(),
    )
    sql("INSERT INTO appointments (order_id, service_type, date) VALUES ('314475833175', '安装', '周日')")
    assert _check(template, left, invoice, visit, customer="cnjd林韵佩").ok
    other = {"invoice": {**invoice["invoice"], "title": "石绿竹"}}
    assert _check(template, left, other).failures == [f"order 314475833175: no 企业发票 titled '石绿竹' with tax id {tax_id}"]
    sql("INSERT INTO appointments (order_id, service_type, date) VALUES ('314475833175', '安装', '2026-06-05')")  # a Friday
    twice = _check(template, left, visit)
    assert twice.failures == ["order 314475833175: 安装 on weekday 7 expected, weekdays [7, 5] found"]


def test_an_exchange_is_a_changed_line_or_a_recorded_exchange(template: Path, left: Path, sql: Any) -> None:
    exchange = {"exchange": {"order": "313672076398", "from": "100148801459", "to": "100148801462"}}
    assert _check(template, left, exchange).failures[0].startswith("order 313672076398: no exchange of 100148801459")
    recorded = ('["100148801459"]', '["100148801462"]')
    sql("UPDATE orders SET exchange_items = ?, exchange_new_items = ? WHERE id = '313672076398'", *recorded)
    assert _check(template, left, exchange).ok
    sql("UPDATE orders SET exchange_items = NULL, exchange_new_items = NULL WHERE id = '313672076398'")
    sql("UPDATE order_items SET item_id = '100148801462', product_id = '100148801462' WHERE order_id = '313672076398'")
    assert _check(template, left, exchange).ok


def test_a_new_order_paid_by_ecard_and_a_refused_one(template: Path, left: Path, sql: Any) -> None:
    buyer = "cnjd18700806944_p"
    new_order = {"new_order": {"customer": buyer, "product": "100065596961", "quantity": 1, "payment": "京东E卡"}}
    ecard = {"ecard_balance": {"customer": buyer, "change": -449}}
    refused = {"refused": {"action": "place_order", "product": "100065596961", "reason": "insufficient_balance"}}
    assert _check(template, left, {"unchanged": True}, refused, customer=buyer).ok
    sql(
        "INSERT INTO orders (id, customer_id, position, status, currency, address, expedited, attributes, updated_at)"
        " VALUES ('900000000001', ?, 0, '已付款', 'CNY', '{}', 0, '{}', '2026-01-01')",
        buyer,
    )
    sql(
        "INSERT INTO order_items (order_id, position, item_id, product_id, name, price_cents, options)"
        " VALUES ('900000000001', 0, '100065596961', '100065596961', '小厨宝', 44900, '{}')"
    )
    sql(
        "INSERT INTO payments (order_id, position, transaction_type, amount_cents, payment_method_id, created_at)"
        f" VALUES ('900000000001', 0, 'payment', 44900, 'jd_ecard_{buyer}', '2026-01-01')"
    )
    sql(f"UPDATE payment_methods SET balance_cents = balance_cents - 44900 WHERE id = 'jd_ecard_{buyer}'")  # fmt: skip
    assert _check(template, left, new_order, ecard, customer=buyer).ok
    assert _check(template, left, refused, customer=buyer).failures == ["refused order placed anyway: ['900000000001']"]
    two = {"new_order": {**new_order["new_order"], "quantity": 2}}
    assert "no new order of 2 × 100065596961" in _check(template, left, two, ecard, customer=buyer).failures[0]


def test_a_refused_request_fails_when_its_order_changed(template: Path, left: Path, sql: Any) -> None:
    refused = {"refused": {"action": "cancel", "order": "427111317720", "reason": "status"}}
    assert _check(template, left, {"unchanged": True}, refused, customer="cnjd辛谭婷").ok
    shipment = "(SELECT id FROM shipments WHERE order_id = '427111317720')"
    sql(f"UPDATE shipment_events SET description = '已取消' WHERE shipment_id = {shipment}")
    check = _check(template, left, refused, customer="cnjd辛谭婷")
    assert check.failures == ["order 427111317720 changed although its cancel must be refused"]
    assert {c.table for c in check.out_of_scope} == {"shipment_events"}


def test_missing_files_are_named(template: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no seeded commerce template"):
        JdStateOracle(tmp_path / "none.db")
    with pytest.raises(FileNotFoundError, match="no commerce database at"):
        JdStateOracle(template).check(_expected({"unchanged": True}).expected, tmp_path / "none.db", "x")
