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
free after a few milliseconds. The file lock hands over as soon as the holder finishes, to a
waiter the kernel wakes (polling for it let newcomers overtake those asleep between polls). A
request that first reads and then writes (the desk's redeem) takes the lock only for its writing
part: the view opens `transactions.reads_before_writes()`, and the service's decision point
(`transactions.decision_point()`) calls `begin_writing` there.

Web processes checkpoint the write-ahead log from a background thread (`checkpoint_in_background`,
started by gunicorn.conf.py). By default SQLite checkpoints inside the COMMIT that crosses 1,000
log pages: that commit copies 4 MB into the database and syncs it, about 40 ms here, while our
write lock is still held, so every desk waiting to check someone in waits too.
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading

from flask import g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

# SQLite's busy timeout: how long a connection waits for a lock taken outside our file lock
# (a deferred transaction that starts writing, the checkpointer's own connection).
WRITE_LOCK_TIMEOUT = 30.0

# With a background checkpointer the commit-time checkpoint stays on only as a safety net, for a
# log this many pages long (80 MB): the thread keeps it far shorter.
SAFETY_NET_AUTOCHECKPOINT_PAGES = 20_000

# Execution option of a connection whose next transaction writes (transactions.separate_write):
# it opens with the write lock even during a request that otherwise only reads.
WRITES_OPTION = "confapp_writes"

_configured: set[int] = set()
# Database files this process checkpoints from a background thread, with that thread.
_checkpointers: dict[str, "Checkpointer"] = {}
# Which thread of this process holds the write lock of each database file.
_holders: dict[str, int] = {}
log = logging.getLogger(__name__)


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
        cursor.execute(f"PRAGMA busy_timeout={int(WRITE_LOCK_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if engine.url.database in _checkpointers:
            cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    lock_path = f"{engine.url.database}.writelock" if engine.url.database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writes = not _read_only_request() or bool(connection.get_execution_options().get(WRITES_OPTION))
        connection.info["sqlite_writes"] = writes
        if not writes:
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


class Checkpointer(threading.Thread):
    """Checkpoints the write-ahead log every `interval` seconds, on its own connection.

    First a passive checkpoint without any lock: it copies the bulk of the log into the database
    while writers go on appending (sqlite3 lets go of the GIL meanwhile, so requests in the same
    process keep running). Then, holding the writers' file lock for the moment it takes, a second
    one copies the few pages written in between. With nothing left in the log and no writer in
    between, the next writer starts the log over from its beginning; without that step a busy
    desk never leaves such a gap, and the log file grows without end."""

    def __init__(self, path: str, interval: float):
        super().__init__(name=f"sqlite-checkpoint:{os.path.basename(path)}", daemon=True)
        self.path = path
        self.interval = interval
        self.checkpoints = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        # Opened once: a connection opened later would create an empty file if the database were gone.
        connection = sqlite3.connect(self.path, timeout=WRITE_LOCK_TIMEOUT, isolation_level=None, check_same_thread=False)
        lock_file = open(f"{self.path}.writelock", "a+")
        try:
            while not self.stopping.wait(self.interval):
                try:
                    self.checkpoint(connection, lock_file)
                except sqlite3.Error as error:  # a busy or missing file: try again next round
                    log.warning("Background WAL checkpoint failed: %s", error)
        finally:
            connection.close()
            lock_file.close()

    def checkpoint(self, connection: sqlite3.Connection, lock_file) -> None:
        busy, log_pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if log_pages <= 0:  # an empty log (or not in WAL mode): nothing to do
            return
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
        self.checkpoints += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def checkpoint_in_background(engine: Engine, interval: float = 0.5) -> Checkpointer | None:
    """Take WAL checkpoints off the commit path for this process (a gunicorn worker, after it
    loaded the app and before it serves). Returns the thread, or None for PostgreSQL and
    in-memory databases. Connections opened from now on leave checkpoints to it."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or path in (None, "", ":memory:"):
        return None
    running = _checkpointers.get(path)
    if running is not None and running.is_alive():
        return running
    checkpointer = _checkpointers[path] = Checkpointer(path, interval)
    checkpointer.start()
    engine.dispose()  # connections already pooled would still checkpoint on commit
    return checkpointer


def stop_background_checkpoint(engine: Engine) -> None:
    checkpointer = _checkpointers.pop(engine.url.database, None)
    if checkpointer is not None:
        checkpointer.stop()


def _acquire_write_lock(info: dict, path: str) -> None:
    if info.get("write_lock_held"):
        return
    handle = info.get("write_lock_file")
    if handle is None:
        handle = info["write_lock_file"] = open(path, "a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if _holders.get(path) == threading.get_ident():
            # A second writing connection in the thread that holds the lock would wait on itself
            # forever. It fails the way SQLite would.
            raise exc.OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked (held by this thread)")) from None
        # Queue in the kernel: the lock passes to a waiter the moment it is let go. Polling with
        # sleeps let newcomers overtake sleepers, and some check-ins waited half a second.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    info["write_lock_held"] = True
    info["write_lock_path"] = path
    info["write_lock_owner"] = _holders[path] = threading.get_ident()


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
        path, owner = info.pop("write_lock_path", None), info.pop("write_lock_owner", None)
        if _holders.get(path) == owner:
            del _holders[path]
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    if close:
        handle.close()
        info.pop("write_lock_file", None)


def mark_request_read_only(read_only: bool = True) -> None:
    """A POST that only reads (a form step that validates and re-renders) may call this before
    its first query: its transaction then opens deferred and does not queue behind writers."""
    g.sqlite_read_only = read_only


def begin_writing() -> None:
    """The write-lock step the boundary runs at a service's decision point (through
    transactions.reads_before_writes), never called by services themselves. In a request marked read-only
    (mark_request_read_only), on SQLite, the reads' deferred transaction ends here and the next
    statement opens BEGIN IMMEDIATE: the write lock, which every writer queues for, is held for
    the writing part only. The door's redeem reads the link, the ticket and its order first.
    Anything read before this point may change before the write, as under PostgreSQL's read
    committed; what must be decided under the lock has to be read after it. Elsewhere (PostgreSQL,
    outside a request, already writing) nothing happens."""
    from .extensions import commit_keeping_loaded, db

    if not (has_request_context() and g.get("sqlite_read_only")):
        return
    g.sqlite_read_only = False
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_writing() after changes: they would be written without the write lock.")
    # Ends a transaction that has only read (checked just above): nothing is written here.
    commit_keeping_loaded()


def session_is_writing(session) -> bool:
    """Embedded SQLite: whether the session's transaction (the one open, or else the next one)
    writes, holding the write lock: outside requests, and in requests that write. A second
    connection of this thread cannot take the lock meanwhile. Always False elsewhere."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    if session.in_transaction():
        return bool(session.connection().info.get("sqlite_writes"))
    return not _read_only_request()


def _read_only_request() -> bool:
    return has_request_context() and (request.method in ("GET", "HEAD", "OPTIONS") or bool(g.get("sqlite_read_only")))
