"""Two commerce databases side by side for the Chinese-shop oracle: the seeded template (`main`) and the file a task
left (`now`), attached to one read-only SQLite connection; the rows that differ, both ways, and the rows an order
gained. Table and column names come from `CommerceNames` (evals/suites/jd_schema.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from evals.suites.jd_schema import CommerceNames

SEED, NOW = "main", "now"


@dataclass(frozen=True)
class RowChange:
    """A row that differs: `changed` (same primary key on both sides, other values; `row` is the row now), `added` (only
    now) or `removed` (only in the seed; `row` is the seed's)."""

    table: str
    kind: Literal["changed", "added", "removed"]
    row: dict[str, Any]
    was: dict[str, Any] | None = None

    def brief(self) -> str:
        if self.kind == "changed" and self.was is not None:
            key = next(iter(self.row.values()))
            moved = "; ".join(f"{c} {short(self.was[c])} → {short(v)}" for c, v in self.row.items() if self.was.get(c) != v)
            return f"{self.table} {key}: {moved}"
        return f"{self.table} ({self.kind}): " + ", ".join(f"{c}={short(v)}" for c, v in self.row.items() if v is not None)


class SeedAndNow:
    """Reads both databases of one connection (the template as `main`, the task's file attached as `now`)."""

    def __init__(self, connection: sqlite3.Connection, names: CommerceNames) -> None:
        self.db = connection
        self.n = names

    def tables(self, side: str) -> set[str]:
        rows = self.db.execute(f"SELECT name FROM {side}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return {name for (name,) in rows}

    def columns(self, side: str, table: str) -> list[str]:
        return [row[1] for row in self.db.execute(f'PRAGMA {side}.table_info("{table}")')]

    def rows(self, side: str, table: str, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if table not in self.tables(side):
            return []
        cursor = self.db.execute(f'SELECT * FROM {side}."{table}" {where}', tuple(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def order_rows(self, side: str, table: str, column: str, order_id: str) -> list[dict[str, Any]]:
        return self.rows(side, table, f'WHERE "{column}" = ?', (order_id,))

    def order(self, order_id: str) -> dict[str, Any] | None:
        found = self.order_rows(NOW, self.n.orders, self.n.order_id, order_id)
        return found[0] if found else None

    def changes(self) -> list[RowChange]:
        """Every row that differs between the template and the database now (rows of one primary key paired)."""
        found: list[RowChange] = []
        seed_tables, now_tables = self.tables(SEED), self.tables(NOW)
        for table in sorted((seed_tables | now_tables) - self.n.bookkeeping_tables):
            if table not in seed_tables or table not in now_tables:
                side = NOW if table in now_tables else SEED
                found += [RowChange(table, "added" if side == NOW else "removed", row) for row in self.rows(side, table)]
                continue
            common = [c for c in self.columns(SEED, table) if c in self.columns(NOW, table)]
            listed = ", ".join(f'"{c}"' for c in common if c not in self.n.ignored_columns)
            only: dict[str, list[dict[str, Any]]] = {}
            for first, second in ((SEED, NOW), (NOW, SEED)):
                cursor = self.db.execute(f'SELECT {listed} FROM {first}."{table}" EXCEPT SELECT {listed} FROM {second}."{table}"')
                names = [d[0] for d in cursor.description]
                only[first] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            key = [row[1] for row in self.db.execute(f'PRAGMA main.table_info("{table}")') if row[5]]
            before = {tuple(r.get(k) for k in key): r for r in only[SEED]} if key else {}
            for row in only[NOW]:
                was = before.pop(tuple(row.get(k) for k in key), None) if key else None
                found.append(RowChange(table, "changed" if was else "added", row, was))
            found += [RowChange(table, "removed", row) for row in (before.values() if key else only[SEED])]
        return found

    def added(self, table: str, column: str, order_id: str) -> list[dict[str, Any]]:
        """The rows of an order's table that the seed did not have (compared without time stamps)."""
        seed = Counter(_key(r, self.n.ignored_columns) for r in self.order_rows(SEED, table, column, order_id))
        fresh = []
        for row in self.order_rows(NOW, table, column, order_id):
            key = _key(row, self.n.ignored_columns)
            if seed[key]:
                seed[key] -= 1
            else:
                fresh.append(row)
        return fresh


def read_only(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def all_text(value: Any) -> str:
    """Every string in a (JSON) value, joined: an address as its parts."""
    value = _json(value)
    if isinstance(value, dict):
        return " ".join(all_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(all_text(v) for v in value)
    return "" if value is None else str(value)


def value_at(row: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = row.get(path[0])
    for key in path[1:]:
        value = _json(value)
        value = value.get(key) if isinstance(value, dict) else None
    return value


def json_list(value: Any) -> list[Any]:
    value = _json(value)
    return list(value) if isinstance(value, list) else []


def digits(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def truthy(value: Any) -> bool:
    return value not in (None, 0, "0", "", "false", "False", False)


def _key(row: dict[str, Any], ignored: frozenset[str]) -> tuple[Any, ...]:
    return tuple((k, v) for k, v in sorted(row.items()) if k not in ignored and k != "id")


def short(value: Any, width: int = 60) -> str:
    """A value for a report line: JSON text shown with its Chinese, cut at `width`."""
    decoded = _json(value)
    text = json.dumps(decoded, ensure_ascii=False) if isinstance(decoded, dict | list) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
