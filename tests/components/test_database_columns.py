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


def test_rows_of_a_database_made_before_shops_belong_to_the_retail_shop(tmp_path: Path) -> None:
    """The agents and audit tables as the single-shop versions made them: their rows get `shop` = retail, an old agent
    still signs in and works the retail shop's queue, and a new row must name its shop."""
    from assistant.handoff.agents import AgentRegistry, token_hash
    from assistant.tools.audit import AuditLog

    engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE agents (id VARCHAR(32) PRIMARY KEY, name VARCHAR(100) UNIQUE, token_sha256 VARCHAR(64) UNIQUE, "
                "skills JSON, languages JSON, max_active INTEGER, active BOOLEAN, created_at DATETIME)"
            )
        )
        connection.execute(
            text("INSERT INTO agents VALUES ('a1', 'old_ann', :token, '[]', '[\"en\"]', 3, 1, '2025-01-01 00:00:00')"),
            {"token": token_hash("old-token")},
        )
        connection.execute(
            text(
                "CREATE TABLE tool_audit_log (id INTEGER PRIMARY KEY, at DATETIME, conversation_id VARCHAR(128), "
                "customer_id VARCHAR(128), tool VARCHAR(64), arguments JSON, idempotency_key VARCHAR(128), "
                "outcome VARCHAR(16), reason VARCHAR(64), result JSON, approved_by VARCHAR(128))"
            )
        )
        connection.execute(
            text(
                "INSERT INTO tool_audit_log (at, conversation_id, tool, arguments, outcome) "
                "VALUES ('2025-01-01', 'c', 't', '{}', 'executed')"
            )
        )
    create_schema(engine)  # what every start does
    with engine.connect() as connection:
        assert connection.execute(text("SELECT shop FROM agents")).scalars().all() == ["retail"]
        assert connection.execute(text("SELECT shop FROM tool_audit_log")).scalars().all() == ["retail"]
    registry = AgentRegistry(engine)
    assert registry.authenticate("old-token").shop == "retail"
    assert [agent.name for agent in registry.list(shop="retail")] == ["old_ann"]
    assert registry.list(shop="jd_appliances") == []
    assert [entry.tool for entry in AuditLog(engine, shop="retail").entries()] == ["t"]
    assert AuditLog(engine, shop="jd_appliances").entries() == []
    engine.dispose()
