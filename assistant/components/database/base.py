"""The declarative base shared by every table of the assistant's own database."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Tables of conversations, turns, audit and analytics all derive from this."""
