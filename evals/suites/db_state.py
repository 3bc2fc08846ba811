"""Two commerce databases compared row by row — tau2-bench's database-hash check, keeping what differs.

Every table of the commerce schema takes part except the service's bookkeeping: the idempotency keys (which
requests came, not what the shop holds) and the time stamps (when a row was written, not what it says). Rows are
matched on their natural key: an order line or a payment is (order, position), not its autoincrement id, which
depends on the order in which writes on different orders ran. Both databases are SQLite files written by the same
commerce service, so equal values are stored as equal text and the comparison is SQL's `EXCEPT`, both ways.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import Table

from commerce.models import CommerceBase

IGNORED_TABLES = frozenset({"idempotency_keys"})
IGNORED_COLUMNS = frozenset({"created_at", "updated_at"})
# Tables whose primary key is an autoincrement id: the columns that say which row it is instead.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "order_items": ("order_id", "position"),
    "payments": ("order_id", "position"),
    "shipments": ("order_id", "position", "tracking_id"),
}
VALUE_CHARS = 80

Kind = Literal["changed", "missing", "unexpected"]


@dataclass(frozen=True)
class RowDifference:
    """One row that differs: `changed` (both have it, some columns differ), `missing` (only the expected database has
    it) or `unexpected` (only the actual one has it). `values` maps a column to (expected, actual); for a missing or
    unexpected row, the side without the row is None."""

    table: str
    key: tuple[Any, ...]
    kind: Kind
    values: dict[str, tuple[Any, Any]]

    def brief(self) -> str:
        """One line for a report, e.g. `orders #W1: status 'cancelled' expected, 'pending' found`."""
        name = f"{self.table} {', '.join(str(part) for part in self.key)}"
        if self.kind == "changed":
            changes = "; ".join(f"{col} {_short(exp)} expected, {_short(act)} found" for col, (exp, act) in self.values.items())
            return f"{name}: {changes}"
        side = 0 if self.kind == "missing" else 1
        row = ", ".join(f"{col}={_short(pair[side])}" for col, pair in self.values.items())
        where = "expected, not found" if self.kind == "missing" else "found, not expected"
        return f"{name}: row {where} ({row})"


def compare_databases(expected: Path, actual: Path) -> list[RowDifference]:
    """Every row of the commerce tables that differs between the two databases, table by table, in key order."""
    for path in (expected, actual):
        if not path.is_file():
            raise FileNotFoundError(f"no commerce database at {path}")
    connection = sqlite3.connect(_read_only(expected), uri=True)
    try:
        connection.execute("ATTACH DATABASE ? AS actual", (_read_only(actual),))
        differences: list[RowDifference] = []
        for table in CommerceBase.metadata.sorted_tables:
            if table.name not in IGNORED_TABLES:
                differences += _table_differences(connection, table)
        return differences
    finally:
        connection.close()


def _table_differences(connection: sqlite3.Connection, table: Table) -> list[RowDifference]:
    key, columns = _layout(table)
    listed = ", ".join(f'"{column}"' for column in columns)

    def only_in(first: str, second: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        rows = connection.execute(
            f'SELECT {listed} FROM {first}."{table.name}" EXCEPT SELECT {listed} FROM {second}."{table.name}"'
        ).fetchall()
        return {tuple(row[columns.index(column)] for column in key): tuple(row) for row in rows}

    expected_rows, actual_rows = only_in("main", "actual"), only_in("actual", "main")
    differences = []
    for row_key in sorted(expected_rows.keys() | actual_rows.keys(), key=repr):
        expected, actual = expected_rows.get(row_key), actual_rows.get(row_key)
        kind: Kind = "changed" if expected and actual else "missing" if expected else "unexpected"
        pairs = zip(columns, expected or [None] * len(columns), actual or [None] * len(columns), strict=True)
        values = {c: (e, a) for c, e, a in pairs if c not in key and (kind != "changed" or e != a)}
        differences.append(RowDifference(table=table.name, key=row_key, kind=kind, values=values))
    return differences


def _layout(table: Table) -> tuple[tuple[str, ...], list[str]]:
    """The key columns and the compared columns (key first) of a table."""
    key = NATURAL_KEYS.get(table.name) or tuple(column.name for column in table.primary_key.columns)
    surrogate = {column.name for column in table.primary_key.columns} if table.name in NATURAL_KEYS else set()
    rest = [c.name for c in table.columns if c.name not in key and c.name not in surrogate and c.name not in IGNORED_COLUMNS]
    return key, [*key, *rest]


def _read_only(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"
