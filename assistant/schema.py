"""The assistant's database schema, created in one place: every table module registered, then one `create_all`."""

from __future__ import annotations

from sqlalchemy import Engine

from assistant.components.database.base import Base
from assistant.components.database.columns import add_missing_columns


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet (idempotent; the composition root calls it once at start)."""
    # Importing the table modules registers their tables on Base.
    from assistant.conversations import tables as _conversations  # noqa: F401
    from assistant.drafts import tables as _drafts  # noqa: F401
    from assistant.feedback import tables as _feedback  # noqa: F401
    from assistant.handoff import tables as _handoff  # noqa: F401
    from assistant.tools import audit as _audit  # noqa: F401

    Base.metadata.create_all(engine)
    add_missing_columns(engine, Base.metadata)  # a column added to a table made before it
