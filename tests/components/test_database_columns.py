"""A column added to a table module reaches databases made before it (real SQLite files)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, inspect, text

from assistant.components.database.base import Base
from assistant.components.database.columns import add_missing_columns
from assistant.components.database.engine import build_engine
from assistant.schema import create_schema


def test_new_columns_are_added_once_and_old_rows_keep_their_values(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
    old = MetaData()
    Table("things", old, Column("id", Integer, primary_key=True), Column("name", String(20)))
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO things (id, name) VALUES (1, 'kept')"))
    new = MetaData()
    Table(
        "things", new, Column("id", Integer, primary_key=True), Column("name", String(20)),
        Column("stages", JSON, nullable=True), Column("position", Integer, default=0),
    )  # fmt: skip
    assert add_missing_columns(engine, new) == ["things.stages", "things.position"]
    assert add_missing_columns(engine, new) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name, stages, position FROM things")).one() == ("kept", None, 0)
    engine.dispose()


def test_the_schema_gives_an_old_turns_table_its_stages(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'assistant.db'}")
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE turns DROP COLUMN stages"))
    create_schema(engine)  # what every start does
    assert "stages" in {column["name"] for column in inspect(engine).get_columns("turns")}
    assert add_missing_columns(engine, Base.metadata) == []
    engine.dispose()
