"""Seeds of the commerce database: the retail store and the Chinese appliance store."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from commerce.database import CommerceDatabase
from commerce.seed.rows import SeedRows, load_rows

SeedName = Literal["retail", "ecom_store"]
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class DatabaseNotEmptyError(Exception):
    """Seeds go into an empty database only; the caller decides whether to reset."""


def seed_rows(name: SeedName, data_dir: Path = DEFAULT_DATA_DIR) -> SeedRows:
    match name:
        case "retail":
            from commerce.seed.retail import retail_rows

            return retail_rows(data_dir)
        case "ecom_store":
            from commerce.seed.ecom_store import ecom_store_rows

            return ecom_store_rows(data_dir)


def load_seed(database: CommerceDatabase, name: SeedName, data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, int]:
    """Create the schema if needed and load one seed into the (empty) database; returns rows per table."""
    database.create_schema()
    if not database.is_empty():
        raise DatabaseNotEmptyError(f"the commerce database {database.url!r} already has customers")
    rows = seed_rows(name, data_dir)
    load_rows(database, rows)
    return rows.counts()
