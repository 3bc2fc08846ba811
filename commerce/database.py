"""Engines and sessions of the commerce database (SQLite by default, PostgreSQL by URL).

Writes need the row they check (an order's status, a gift card's balance) not to
change before they commit. PostgreSQL gets that from ``SELECT … FOR UPDATE`` in
the services; SQLite has no row locks, so write sessions there start with
``BEGIN IMMEDIATE``, which serialises writers while readers keep going (WAL).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from assistant.components.database.columns import add_missing_columns
from assistant.components.database.engine import build_engine
from commerce.models import CommerceBase, CustomerRow, ServedShopRow

# The shop a database made before shops had names belongs to: the one shop served then.
LEGACY_SHOP = "retail"


@dataclass
class CommerceDatabase:
    """The read and write session factories over one database URL."""

    url: str
    read_engine: Engine
    write_engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.read_engine.dialect.name == "sqlite"

    def reader(self) -> Session:
        return Session(self.read_engine, expire_on_commit=False)

    def writer(self) -> Session:
        return sessionmaker(self.write_engine, expire_on_commit=False)()

    def create_schema(self) -> None:
        """Create missing tables, and add the columns a database made by an older version lacks (all nullable)."""
        CommerceBase.metadata.create_all(self.write_engine)
        add_missing_columns(self.write_engine, CommerceBase.metadata)

    def drop_schema(self) -> None:
        CommerceBase.metadata.drop_all(self.write_engine)

    def is_empty(self) -> bool:
        with self.reader() as session:
            return session.scalar(select(func.count()).select_from(CustomerRow)) == 0

    def served_shop(self) -> str | None:
        """The shop whose data this database holds: its mark, else `retail` when it has data, else None (empty)."""
        with self.reader() as session:
            mark = session.scalar(select(ServedShopRow.name))
        if mark is not None:
            return mark
        return None if self.is_empty() else LEGACY_SHOP

    def mark_shop(self, name: str) -> None:
        with self.writer() as session:
            session.query(ServedShopRow).delete()
            session.add(ServedShopRow(name=name))
            session.commit()

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()


def open_database(url: str) -> CommerceDatabase:
    read_engine = build_engine(url)
    write_engine = build_engine(url)
    if write_engine.dialect.name == "sqlite":
        event.listen(write_engine, "connect", _driver_autocommit)
        event.listen(write_engine, "begin", _begin_immediate)
    return CommerceDatabase(url=url, read_engine=read_engine, write_engine=write_engine)


def _driver_autocommit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Hand transaction control to the "begin" hook below instead of pysqlite's deferred BEGIN.
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: object) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]


def sqlite_path(url: str) -> Path:
    """The file behind a sqlite:/// URL (snapshots work on files only)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise ValueError(f"not a SQLite file URL: {url!r}")
    return Path(parsed.database)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database onto another through SQLite's online backup API.

    Safe while a service has the target open (it sees the new content on its next
    transaction), and fast enough (a few ms for the retail seed) to restore a
    seeded template before every evaluation task.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target, timeout=30) as dst:
        src.backup(dst)
    src.close()
    dst.close()
