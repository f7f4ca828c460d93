"""Column types shared by every domain."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator

from .clock import utcnow  # noqa: F401  (the one clock; imported from here across the code)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every engine.

    PostgreSQL stores timestamptz; SQLite stores naive text, so values are normalised
    to UTC on the way in and made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class StrEnumType(TypeDecorator):
    """Store a StrEnum by value in a VARCHAR (no native ENUM: migrations stay simple)."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_class: type[enum.StrEnum], length: int = 32):
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.enum_class(value)
