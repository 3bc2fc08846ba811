"""Columns added to tables that already exist: the one migration step `create_all` does not take.

`create_all` creates missing tables but leaves an existing table as it is, so a
column added to a table module would be missing from every database made
before it. Each such column is added here, nullable (or with its constant
default), which old rows can take; nothing is ever dropped, renamed or retyped.

A column may name what the rows of an older database hold instead of a default
new rows would silently get: `info={LEGACY_DEFAULT: "retail"}` (the shop the
single-shop versions served) is written into the old rows when the column is
added, while a new row must still give its own value.
"""

from __future__ import annotations

import logging

from sqlalchemy import Column, Engine, MetaData, inspect, literal, text

logger = logging.getLogger(__name__)
# `Column.info` key: the value the rows of an older database get when the column is added to them.
LEGACY_DEFAULT = "legacy_default"


def add_missing_columns(engine: Engine, metadata: MetaData) -> list[str]:
    """Add every column the tables declare and the database lacks; returns them as `table.column`."""
    added: list[str] = []
    with engine.begin() as connection:
        # Inspected on the connection that alters: another pooled one may still read the schema as it was.
        inspector = inspect(connection)
        existing_tables = set(inspector.get_table_names())
        for table in metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                connection.execute(text(_add_column(engine, table.name, column)))
                added.append(f"{table.name}.{column.name}")
    for name in added:
        logger.info("database: added column %s", name)
    return added


def _add_column(engine: Engine, table: str, column: Column[object]) -> str:
    preparer = engine.dialect.identifier_preparer
    kind = column.type.compile(dialect=engine.dialect)
    statement = f"ALTER TABLE {preparer.quote(table)} ADD COLUMN {preparer.quote(column.name)} {kind}"
    default = column.default
    if LEGACY_DEFAULT in column.info:
        statement += f" DEFAULT {_literal(engine, column.info[LEGACY_DEFAULT])}"
    elif default is not None and default.is_scalar:
        statement += f" DEFAULT {_literal(engine, default.arg)}"  # type: ignore[attr-defined]
    return statement


def _literal(engine: Engine, value: object) -> str:
    return str(literal(value).compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
