"""SQLite settings for the embedded mode: several gunicorn workers and the job worker share one file.

WAL lets readers run beside a writer; a busy timeout makes a writer wait instead of failing;
and write transactions are opened with BEGIN IMMEDIATE so that two transactions never both
read and then fail upgrading to a write lock ("database is locked"). That also serialises
lock-check-write sequences (capacity), which SQLite would otherwise not protect: it ignores
SELECT ... FOR UPDATE. Requests with a safe method (GET, HEAD, OPTIONS) only read, so they
open a deferred transaction and run in parallel with everything else.
Recipe: SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL" for pysqlite.
"""
from __future__ import annotations

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_configured: set[int] = set()


def configure_sqlite(engine: Engine) -> None:
    if id(engine) in _configured:
        return
    _configured.add(id(engine))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Take transaction control away from pysqlite so our BEGIN is the one that runs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def mark_request_read_only(read_only: bool = True) -> None:
    """A POST that only reads (a form step that validates and re-renders) may call this before
    its first query: its transaction then opens deferred and does not queue behind writers."""
    g.sqlite_read_only = read_only


def _read_only_request() -> bool:
    return has_request_context() and (request.method in ("GET", "HEAD", "OPTIONS") or bool(g.get("sqlite_read_only")))
