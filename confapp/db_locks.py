"""Row-lock waits on PostgreSQL are bounded: every connection sets `lock_timeout`
(`DATABASE_LOCK_TIMEOUT` seconds, default 3), and a statement that waited that long fails with
SQLSTATE 55P03 (psycopg's LockNotAvailable). confapp.errors answers it "busy, please try
again" (503 with Retry-After) after rolling the whole transaction back: nothing is half-written.
SQLite has no row locks; its writers queue for the file lock (confapp.sqlite)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

LOCK_NOT_AVAILABLE = "55P03"


def configure_postgresql(engine: Engine, lock_timeout_seconds: float) -> None:
    milliseconds = max(int(lock_timeout_seconds * 1000), 0)

    @event.listens_for(engine, "connect")
    def _set_lock_timeout(dbapi_connection, connection_record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {milliseconds}")
        dbapi_connection.commit()  # a SET inside a transaction that is rolled back would not last


def is_lock_timeout(error: BaseException) -> bool:
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) == LOCK_NOT_AVAILABLE
