"""The Chinese-shop eval set's state check: a task's assertions (evals/suites/jd_task_model.py) against the commerce
database a conversation left, and nothing else changed.

tau2 replays the ground truth's tool calls and compares whole databases; the JD tools are still being built and their
names are not final, so a JD task states the end state in the shop's own terms instead (this order 已取消, that
e-card +1899 yuan, an invoice with this title…) and the oracle reads those facts from the database. Next to them it
compares the database with the seeded template row by row (the bookkeeping tables and the time stamps left out, as in
evals/suites/db_state.py): every row that differs must belong to an order an assertion names, to a new order of a
customer an assertion names, or to the payment means (e-card) of such a customer — any other change is reported as
out of scope, so a second cancelled order or a stray refund fails the task. `unchanged` allows no difference at all.

Table and column names come from one `CommerceNames` (evals/suites/jd_schema.py). Both files are read only.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.metrics.text import normalise
from evals.suites.jd_db import NOW, SEED, RowChange, SeedAndNow, all_text, digits, json_list, read_only, short, truthy, value_at
from evals.suites.jd_schema import JD_NAMES, CommerceNames
from evals.suites.jd_task_model import (
    AddressContains,
    Appointment,
    Assertion,
    EcardBalance,
    Exchange,
    Expedited,
    Invoice,
    NewOrder,
    PhoneIs,
    Refund,
    Refused,
    StatusIs,
    Unchanged,
)
from evals.suites.jd_weekdays import weekday_of

BRIEF_ROWS = 10


@dataclass(frozen=True)
class JdStateCheck:
    """`ok` when every assertion holds and nothing outside their scope changed."""

    failures: list[str] = field(default_factory=list)
    out_of_scope: list[RowChange] = field(default_factory=list)
    changed_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.out_of_scope

    def brief(self, limit: int = BRIEF_ROWS) -> list[str]:
        lines = list(self.failures) + [f"out of scope: {change.brief()}" for change in self.out_of_scope[:limit]]
        if len(self.out_of_scope) > limit:
            lines.append(f"… and {len(self.out_of_scope) - limit} more rows out of scope")
        return lines


class JdStateOracle:
    """Checks databases left by JD tasks against the seeded template they started from."""

    def __init__(self, template: Path, names: CommerceNames = JD_NAMES) -> None:
        if not template.is_file():
            raise FileNotFoundError(f"no seeded commerce template at {template}")
        self._template = template
        self._names = names

    def check(self, expected: Sequence[Assertion], database: Path, customer_id: str) -> JdStateCheck:
        """The assertions of one task (its customer: `customer_id`) against `database`, the file the task left."""
        if not database.is_file():
            raise FileNotFoundError(f"no commerce database at {database}")
        connection = sqlite3.connect(read_only(self._template), uri=True)
        try:
            connection.execute(f"ATTACH DATABASE ? AS {NOW}", (read_only(database),))
            return _Check(connection, self._names, customer_id).run(expected)
        finally:
            connection.close()


class _Check(SeedAndNow):
    def __init__(self, connection: sqlite3.Connection, names: CommerceNames, customer_id: str) -> None:
        super().__init__(connection, names)
        self.customer = customer_id

    # --- the check ---

    def run(self, expected: Sequence[Assertion]) -> JdStateCheck:
        changes = self.changes()
        failures = [failure for assertion in expected if (failure := self.holds(assertion, changes))]
        orders, customers = _scope(expected)
        seed_orders = {row[self.n.order_id] for row in self.rows(SEED, self.n.orders)}
        new_orders = {
            row[self.n.order_id]: row[self.n.order_customer]
            for row in self.rows(NOW, self.n.orders)
            if row[self.n.order_id] not in seed_orders
        }
        buyers = {a.new_order.customer for a in expected if isinstance(a, NewOrder)}
        allowed_orders = orders | {oid for oid, owner in new_orders.items() if owner in buyers}
        outside = [c for c in changes if not self.in_scope(c, allowed_orders, customers | buyers)]
        return JdStateCheck(failures=failures, out_of_scope=outside, changed_rows=len(changes))

    def in_scope(self, change: RowChange, orders: set[str], customers: set[str]) -> bool:
        """The row (before and after, for a changed one) belongs to one of the orders or customers."""
        rows = [change.row] if change.was is None else [change.row, change.was]
        return all(self._belongs(change.table, row, orders, customers) for row in rows)

    def _belongs(self, table: str, row: dict[str, Any], orders: set[str], customers: set[str]) -> bool:
        n = self.n
        if table == n.orders:
            return row.get(n.order_id) in orders
        if table == n.shipment_events:
            parent = row.get(n.shipment_event_parent)
            shipments = [s for side in (SEED, NOW) for s in self.rows(side, n.shipments, "WHERE id = ?", (parent,))]
            return any(s.get(n.order_ref) in orders for s in shipments)
        if n.order_ref in row:
            return row[n.order_ref] in orders
        if table == n.customers:
            return row.get(n.customer_key) in customers
        return row.get(n.customer_ref) in customers

    def holds(self, assertion: Assertion, changes: list[RowChange]) -> str | None:
        """None when the assertion holds, else what is wrong."""
        n = self.n
        if isinstance(assertion, Unchanged):
            return None if not changes else f"the database changed ({len(changes)} rows differ from the seed)"
        if isinstance(assertion, Refused):
            return self.refused(assertion, changes)
        if isinstance(assertion, EcardBalance):
            return self.ecard(assertion.ecard_balance.customer, assertion.ecard_balance.change)
        if isinstance(assertion, NewOrder):
            return self.new_order(assertion)
        spec = assertion.model_dump()
        body = next(iter(spec.values()))
        order_id = body["order"] if isinstance(body, dict) else spec["order"]
        if isinstance(assertion, Invoice | Appointment):
            table = n.invoices if isinstance(assertion, Invoice) else n.appointments
            if table not in self.tables(NOW):
                return f"no table {table!r} in the commerce database (names: evals/suites/jd_schema.py)"
            return self.invoice(assertion) if isinstance(assertion, Invoice) else self.appointment(assertion)
        order = self.order(order_id)
        if order is None:
            return f"order {order_id} is not in the database"
        if isinstance(assertion, StatusIs):
            status = order.get(n.order_status)
            return (
                None
                if status == assertion.status
                else f"order {order_id}: status {assertion.status!r} expected, {status!r} found"
            )
        if isinstance(assertion, AddressContains):
            address = all_text(order.get(n.order_address))
            found = normalise(assertion.address_contains) in normalise(address)
            return None if found else f"order {order_id}: address has no {assertion.address_contains!r} ({short(address)})"
        if isinstance(assertion, PhoneIs):
            phone = digits(value_at(order, n.order_phone))
            return None if phone == assertion.phone else f"order {order_id}: phone {assertion.phone} expected, {phone!r} found"
        if isinstance(assertion, Expedited):
            return None if truthy(order.get(n.order_expedited)) else f"order {order_id} is not expedited"
        if isinstance(assertion, Refund):
            return self.refund(assertion)
        if isinstance(assertion, Exchange):
            return self.exchange(assertion, order)
        return f"unknown assertion {assertion!r}"

    def ecard(self, customer: str, change: float) -> str | None:
        n = self.n

        def balance(side: str) -> float | None:
            methods = self.rows(side, n.payment_methods, f'WHERE "{n.method_customer}" = ?', (customer,))
            cards = [
                m for m in methods if m.get(n.method_source) in n.means["京东E卡"] or m.get(n.method_brand) in n.means["京东E卡"]
            ]
            return sum(float(c.get(n.method_balance) or 0) for c in cards) / n.money_scale if cards else None

        before, after = balance(SEED), balance(NOW)
        if before is None or after is None:
            return f"{customer} has no 京东E卡 in the database"
        moved = round(after - before, 2)
        return None if abs(moved - change) < 0.005 else f"{customer}'s e-card moved by {moved}, expected {change}"

    def means_of(self, method_id: Any) -> set[str]:
        n = self.n
        rows = self.rows(NOW, n.payment_methods, f'WHERE "{n.method_id}" = ?', (method_id,))
        return {str(r.get(n.method_source)) for r in rows} | {str(r.get(n.method_brand)) for r in rows}

    def refund(self, assertion: Refund) -> str | None:
        spec, n = assertion.refund, self.n
        refunds = [r for r in self.added(n.payments, n.payment_order, spec.order) if r.get(n.payment_kind) in n.refund_kinds]
        total = round(sum(abs(float(r.get(n.payment_amount) or 0)) for r in refunds) / n.money_scale, 2)
        if abs(total - spec.amount) >= 0.005:
            return f"order {spec.order}: refunds of {spec.amount} expected, {total} found"
        wrong = [r for r in refunds if not self.means_of(r.get(n.payment_method)) & set(n.means.get(spec.to, (spec.to,)))]
        return f"order {spec.order}: a refund went elsewhere than {spec.to}" if wrong else None

    def invoice(self, assertion: Invoice) -> str | None:
        spec, n = assertion.invoice, self.n
        kinds = n.invoice_types[spec.type]
        for row in self.order_rows(NOW, n.invoices, n.invoice_order, spec.order):
            if row.get(n.invoice_status) in n.invoice_void:
                continue
            tax_id = str(row.get(n.invoice_tax_id) or "").upper()
            if (
                row.get(n.invoice_type) in kinds
                and row.get(n.invoice_title) == spec.title
                and (spec.tax_id is None or tax_id == spec.tax_id.upper())
            ):
                return None
        return f"order {spec.order}: no valid {spec.type} titled {spec.title!r}" + (
            f" with tax id {spec.tax_id}" if spec.tax_id else ""
        )

    def appointment(self, assertion: Appointment) -> str | None:
        spec, n = assertion.appointment, self.n
        rows = [
            r for r in self.order_rows(NOW, n.appointments, n.appointment_order, spec.order)
            if r.get(n.appointment_status) not in n.appointment_void
        ]  # fmt: skip
        days = [
            weekday_of(r.get(n.appointment_date)) for r in rows if r.get(n.appointment_type) in n.appointment_types[spec.type]
        ]
        if days and all(day == spec.date_weekday for day in days):
            return None
        return f"order {spec.order}: {spec.type} on weekday {spec.date_weekday} expected, weekdays {days} found"

    def exchange(self, assertion: Exchange, order: dict[str, Any]) -> str | None:
        spec, n = assertion.exchange, self.n
        before = Counter(r.get(n.item_product) for r in self.order_rows(SEED, n.order_items, n.item_order, spec.order))
        after = Counter(r.get(n.item_product) for r in self.order_rows(NOW, n.order_items, n.item_order, spec.order))
        if after[spec.new] > before[spec.new] and after[spec.old] < before[spec.old]:
            return None
        old, new = json_list(order.get(n.order_exchange_old)), json_list(order.get(n.order_exchange_new))
        if spec.old in old and spec.new in new:
            return None
        return f"order {spec.order}: no exchange of {spec.old} for {spec.new} (lines {dict(after)}, recorded {old} → {new})"

    def new_order(self, assertion: NewOrder) -> str | None:
        spec, n = assertion.new_order, self.n
        seed = {r[n.order_id] for r in self.rows(SEED, n.orders)}
        mine = [
            r for r in self.rows(NOW, n.orders, f'WHERE "{n.order_customer}" = ?', (spec.customer,)) if r[n.order_id] not in seed
        ]
        accepted = set(n.means.get(spec.payment, (spec.payment,)))
        for order in mine:
            oid = order[n.order_id]
            lines = Counter(r.get(n.item_product) for r in self.order_rows(NOW, n.order_items, n.item_order, oid))
            paid = [p for p in self.order_rows(NOW, n.payments, n.payment_order, oid) if p.get(n.payment_kind) in n.charge_kinds]
            if lines[spec.product] == spec.quantity and any(self.means_of(p.get(n.payment_method)) & accepted for p in paid):
                return None
        return (
            f"{spec.customer}: no new order of {spec.quantity} × {spec.product} paid by {spec.payment} ({len(mine)} new orders)"
        )

    def refused(self, assertion: Refused, changes: list[RowChange]) -> str | None:
        spec = assertion.refused
        if spec.action == "place_order":
            seed = {r[self.n.order_id] for r in self.rows(SEED, self.n.orders)}
            mine = self.rows(NOW, self.n.orders, f'WHERE "{self.n.order_customer}" = ?', (self.customer,))
            made = [r[self.n.order_id] for r in mine if r[self.n.order_id] not in seed]
            return f"refused order placed anyway: {made}" if made else None
        touched = [c for c in changes if spec.order and self.in_scope(c, {spec.order}, set())]
        return f"order {spec.order} changed although its {spec.action} must be refused" if touched else None


def _scope(expected: Sequence[Assertion]) -> tuple[set[str], set[str]]:
    """The orders and customers the assertions allow to change."""
    orders: set[str] = set()
    customers: set[str] = set()
    for assertion in expected:
        if isinstance(assertion, StatusIs | AddressContains | PhoneIs | Expedited):
            orders.add(assertion.order)
        elif isinstance(assertion, Refund | Invoice | Appointment | Exchange):
            body = next(iter(assertion.model_dump().values()))
            orders.add(body["order"])
        elif isinstance(assertion, EcardBalance):
            customers.add(assertion.ecard_balance.customer)
    return orders, customers
