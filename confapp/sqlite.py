"""SQLite settings for the embedded mode: several gunicorn workers and the job worker share one file.

WAL lets readers run beside a writer; a busy timeout makes a writer wait instead of failing;
and write transactions are opened with BEGIN IMMEDIATE so that two transactions never both
read and then fail upgrading to a write lock ("database is locked"). That also serialises
lock-check-write sequences (capacity), which SQLite would otherwise not protect: it ignores
SELECT ... FOR UPDATE. Requests with a safe method (GET, HEAD, OPTIONS) only read, so they
open a deferred transaction and run in parallel with everything else.
Recipe: SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL" for pysqlite.

Writers queue on an OS file lock (flock on `<database>.writelock`) before BEGIN IMMEDIATE.
SQLite's own busy handler waits by sleeping in steps of up to 100 ms, so under concurrent
writers from several processes a check-in could wait a tenth of a second for a lock that was
free after a few milliseconds. The file lock hands over as soon as the holder finishes.
"""
from __future__ import annotations

import fcntl
import time

from flask import g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

# As long as SQLite's busy timeout: past it a writer gives up with "database is locked".
WRITE_LOCK_TIMEOUT = 30.0

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

    lock_path = f"{engine.url.database}.writelock" if engine.url.database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _read_only_request():
            connection.exec_driver_sql("BEGIN")
            return
        if lock_path:
            _acquire_write_lock(connection.info, lock_path)
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    # The lock is let go the moment the transaction ends. SQLAlchemy's commit/rollback events
    # fire just before the driver's call, so the transaction is ended here on the raw connection
    # (the driver's own commit then finds nothing to do): a job run from a session's after_commit
    # hook, before the connection goes back to the pool, must find the lock free.
    @event.listens_for(engine, "commit")
    def _on_commit(connection):
        _end_transaction(connection, "COMMIT")

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection):
        _end_transaction(connection, "ROLLBACK")

    # Safety nets: a connection going back to the pool or closing never keeps the lock.
    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, connection_record):
        _release_write_lock(connection_record.info)

    @event.listens_for(engine, "close")
    def _on_close(dbapi_connection, connection_record):
        _release_write_lock(connection_record.info, close=True)


def _acquire_write_lock(info: dict, path: str) -> None:
    if info.get("write_lock_held"):
        return
    handle = info.get("write_lock_file")
    if handle is None:
        handle = info["write_lock_file"] = open(path, "a+")
    deadline = time.monotonic() + WRITE_LOCK_TIMEOUT
    pause = 0.0002
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            info["write_lock_held"] = True
            return
        except BlockingIOError:
            # Never blocks forever: a second writing connection in the same thread would otherwise
            # wait on itself. It fails like SQLite would, after the same timeout.
            if time.monotonic() > deadline:
                raise exc.OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked (write lock timeout)"))
            time.sleep(pause)
            pause = min(pause * 2, 0.002)


def _end_transaction(connection, statement: str) -> None:
    info = connection.info
    if not info.get("write_lock_held"):
        return
    try:
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is not None and dbapi_connection.in_transaction:
            dbapi_connection.execute(statement)
    finally:
        _release_write_lock(info)


def _release_write_lock(info: dict, close: bool = False) -> None:
    handle = info.get("write_lock_file")
    if handle is None:
        return
    if info.pop("write_lock_held", False):
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    if close:
        handle.close()
        info.pop("write_lock_file", None)


def mark_request_read_only(read_only: bool = True) -> None:
    """A POST that only reads (a form step that validates and re-renders) may call this before
    its first query: its transaction then opens deferred and does not queue behind writers."""
    g.sqlite_read_only = read_only


def _read_only_request() -> bool:
    return has_request_context() and (request.method in ("GET", "HEAD", "OPTIONS") or bool(g.get("sqlite_read_only")))
