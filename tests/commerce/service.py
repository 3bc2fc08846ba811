"""The real commerce service on loopback for the commerce, connector and tool tests.

One service per shop runs per test session (a child process over a SQLite file,
serving that shop's policy). The shop's seed is loaded once into a template
file; ``reset()`` copies the template over the live database with SQLite's
backup API (a few ms), so every test — and every replayed task — starts from the
seeded state.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from assistant.settings import CommerceSettings
from assistant.shops import load_shop
from commerce.database import copy_sqlite, open_database
from commerce.process import CommerceProcess
from commerce.seed import seed_shop
from tests.conftest import free_port

API_KEY = "test-commerce-key"


def seeded_template(folder: Path, shop: str = "retail") -> Path:
    path = folder / f"{shop}-template.db"
    database = open_database(f"sqlite:///{path}")
    seed_shop(database, load_shop(shop))
    database.dispose()
    _checkpoint(path)
    return path


@dataclass
class RunningCommerce:
    template: Path
    db_path: Path
    process: CommerceProcess
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.process.base_url

    @property
    def api_key(self) -> str:
        return self.process.api_key

    def settings(self, **overrides: object) -> CommerceSettings:
        values: dict[str, object] = {"base_url": self.base_url, "api_key": self.api_key, "timeout_seconds": 5.0, "retries": 2}
        return CommerceSettings(**{**values, **overrides})  # type: ignore[arg-type]

    def reset(self) -> None:
        copy_sqlite(self.template, self.db_path)

    def client(self, **headers: str) -> httpx.Client:
        """A client of the service's API (an `X-Customer-Id` in any script: percent-encode it, tests.commerce.jd_data)."""
        client = httpx.Client(
            base_url=f"{self.base_url}/v1", headers={"Authorization": f"Bearer {self.api_key}", **headers}, timeout=10
        )
        self._clients.append(client)
        return client

    def fingerprint(self) -> str:
        """A hash of every row of every table: equal fingerprints mean an unchanged database."""
        digest = hashlib.sha256()
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as connection:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for table in tables:
                for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                    digest.update(repr((table, row)).encode())
        return digest.hexdigest()

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


@contextmanager
def running_commerce(shop: str = "retail") -> Iterator[RunningCommerce]:
    with tempfile.TemporaryDirectory(prefix="commerce-test-") as folder:
        work = Path(folder)
        template = seeded_template(work, shop)
        db_path = work / "live.db"
        copy_sqlite(template, db_path)
        process = CommerceProcess(
            database_url=f"sqlite:///{db_path}", port=free_port(), api_key=API_KEY, shop=shop,
            log_path=work / "service.log", cwd=work,
        )  # fmt: skip
        process.start()
        try:
            yield RunningCommerce(template=template, db_path=db_path, process=process)
        finally:
            process.stop()


_shared: dict[str, tuple[object, RunningCommerce]] = {}
_users: dict[str, int] = {}


def acquire(shop: str = "retail") -> RunningCommerce:
    """The session's one service for this shop (started on first use)."""
    if shop not in _shared:
        manager = running_commerce(shop)
        _shared[shop] = (manager, manager.__enter__())
    _users[shop] = _users.get(shop, 0) + 1
    return _shared[shop][1]


def release(shop: str = "retail") -> None:
    _users[shop] -= 1
    if _users[shop] == 0:
        manager, service = _shared.pop(shop)
        service.close_clients()
        manager.__exit__(None, None, None)  # type: ignore[attr-defined]


def _checkpoint(path: Path) -> None:
    # Fold the WAL into the main file so the template is one self-contained file.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
