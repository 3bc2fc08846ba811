"""The declarative base shared by every table of the assistant's own database."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Tables of conversations, turns, audit and analytics all derive from this."""


def json_safe(value: Any) -> Any:
    """What a JSON column can take: tool results may hold values it cannot (dates, decimals), stored as their text."""
    return json.loads(json.dumps(value, default=str))
