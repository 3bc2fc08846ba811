"""Seeds of the commerce database: the retail store and the Chinese appliance store.

A shop's profile names its seed (`shops/<name>/shop.toml`: `seed`); the service
serving that shop loads it into an empty database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from assistant.shops import Shop
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


def seed_database(database: CommerceDatabase, name: SeedName, data_dir: Path = DEFAULT_DATA_DIR) -> SeedRows:
    """Create the schema if needed and load one seed into the (empty) database; returns what was loaded and left out."""
    database.create_schema()
    if not database.is_empty():
        raise DatabaseNotEmptyError(f"the commerce database {database.url!r} already has customers")
    rows = seed_rows(name, data_dir)
    load_rows(database, rows)
    return rows


def seed_shop(database: CommerceDatabase, shop: Shop, data_dir: Path = DEFAULT_DATA_DIR) -> SeedRows:
    """Load the seed `shop`'s profile names into the empty database and mark it as that shop's."""
    rows = SeedRows() if shop.profile.seed == "none" else seed_database(database, shop.profile.seed, data_dir)
    database.mark_shop(shop.name)
    return rows


def load_seed(database: CommerceDatabase, name: SeedName, data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, int]:
    """`seed_database`, answering the rows loaded per table."""
    return seed_database(database, name, data_dir).counts()
