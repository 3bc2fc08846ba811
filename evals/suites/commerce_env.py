"""A reference commerce service of the evaluation's own for one shop, over a copy of the seed its profile names (the
retail store's, or the Chinese appliance store's `ecom_store`), which it can reset per task.

Its two SQLite files are public (`template`, `db_path`): the agent-tasks state check replays each task's ground truth
on a copy of the template and compares the result with the live database (evals/suites/state_oracle.py).
"""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path
from types import TracebackType

from assistant.shops import load_shop
from commerce.database import copy_sqlite, open_database
from commerce.process import CommerceProcess
from commerce.seed import seed_shop

API_KEY = "evals-commerce-key"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnCommerce:
    def __init__(self, folder: Path, shop: str = "retail") -> None:
        # Absolute: the service runs in this folder, where a relative database path would name another (empty) file.
        self._folder = folder.resolve()
        self._shop = shop
        seed = load_shop(shop).profile.seed
        if seed == "none":
            raise ValueError(f"shop {shop!r} names no seed: the evaluation's own commerce service needs one")
        self._seed = seed
        self._template = self._folder / f"{seed}-template.db"
        self._live = self._folder / f"{seed}.db"
        self._process: CommerceProcess | None = None

    @property
    def base_url(self) -> str:
        if self._process is None:
            raise RuntimeError("the commerce service is not started: use OwnCommerce in a `with` block")
        return self._process.base_url

    @property
    def api_key(self) -> str:
        return API_KEY

    @property
    def template(self) -> Path:
        """The seed, loaded once; every task starts from a copy of it."""
        return self._template

    @property
    def db_path(self) -> Path:
        """The live database the service serves."""
        return self._live

    def reset(self) -> None:
        copy_sqlite(self._template, self._live)

    def __enter__(self) -> OwnCommerce:
        self._folder.mkdir(parents=True, exist_ok=True)
        if not self._template.is_file():
            database = open_database(f"sqlite:///{self._template}")
            seed_shop(database, load_shop(self._shop))  # the shop's seed, marked as its data
            database.dispose()
            with sqlite3.connect(self._template) as connection:  # one self-contained file to copy
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
        self.reset()
        self._process = CommerceProcess(
            database_url=f"sqlite:///{self._live}", port=_free_port(), api_key=API_KEY, shop=self._shop,
            log_path=self._folder / "commerce.log", cwd=self._folder,
        ).start()  # fmt: skip
        return self

    def __exit__(self, *_exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        if self._process is not None:
            self._process.stop()
