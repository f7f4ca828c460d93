"""The organiser's dashboard figures, computed at most once per `REPORTS_FIGURES_MAX_AGE`
seconds (60) per event, whatever the number of workers and hosts.

`compute_figures` scans every registration, answer and check-in of the event (about 5 s at
50,000 registrations). The result is kept in `report_figures_cache` with the time it was
computed, so a view within the minute reads one row. When it is missing, old, or the organiser
asks for a refresh, one worker computes it under the event's refresh lock while the others
wait for that lock and then take its result instead of computing their own:

- PostgreSQL (any number of hosts): a transaction-level advisory lock on the event, released
  when the refreshing transaction commits.
- SQLite (one host): an OS file lock beside the database file; the computation runs in the
  caller's read transaction, so writers (the check-in desk) are not held up for those seconds.

The lock, the re-check after it and the write go through a connection of their own
(confapp/transactions.py): a GET reading the figures never has its transaction committed.

The write itself is one statement that never stores figures for an event whose personal data
was purged (its frozen figures stand in) or that may still count someone forgotten since, and
never replaces newer figures with older ones.
The purge and a participant's "forget me" delete the cached copy (purgers below), taking the
same lock on PostgreSQL so that a refresh in flight cannot write it back afterwards.
"""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Connection, delete, exists, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration
from ..transactions import caller_is_writing, separate_connection, separate_write
from .models import DataRetention, FiguresCache
from .purge import register_person_purger, register_purger
from .queries import live_figures

DEFAULT_MAX_AGE_SECONDS = 60
# First key of the two-key advisory lock: says "report figures of event <second key>".
ADVISORY_LOCK_CLASS = 20_115
# A participant forgotten this long before (or any time after) a computation began may still be
# in its counts: such figures are not stored. Covers a "forget me" request still running when the
# computation read the data (on SQLite no lock orders the two).
FORGOTTEN_MARGIN = timedelta(seconds=30)


@dataclass
class DashboardFigures:
    figures: dict[str, Any]
    computed_at: datetime | None  # None: the figures frozen at the purge
    frozen: bool = False


def max_age_seconds() -> float:
    """The app's REPORTS_FIGURES_MAX_AGE (set from the environment in confapp/config.py)."""
    return float(current_app.config.get("REPORTS_FIGURES_MAX_AGE", DEFAULT_MAX_AGE_SECONDS))


def dashboard_figures(event: Event, *, now: datetime, max_age: float | None = None,
                      refresh: bool = False) -> DashboardFigures:
    """The event's live figures as computed at most `max_age` seconds before `now` (cached), or
    computed now when there are none that fresh or `refresh` asks for new ones. A refresh that
    had to wait for another worker's computation takes that one's result. After the purge, the
    figures frozen before it. The computed figures are written in a transaction of their own on
    a connection of their own: the caller's transaction is neither committed nor ended (a caller
    that writes under embedded SQLite's write lock gets them in its own transaction)."""
    max_age = max_age_seconds() if max_age is None else max_age
    frozen = _frozen(event.id)
    if frozen is not None:
        return DashboardFigures(frozen, None, frozen=True)
    seen = _cached(event.id)
    if seen is not None and not refresh and _fresh(seen, now, max_age):
        return seen
    writing = caller_is_writing()
    with _refreshing(event.id, writing=writing) as reader:
        # Read again once the lock is ours: it sees what the worker we waited for wrote.
        frozen = _frozen(event.id, reader)
        if frozen is not None:
            return DashboardFigures(frozen, None, frozen=True)
        current = _cached(event.id, reader)
        if current is not None:
            refreshed_meanwhile = seen is None or current.computed_at != seen.computed_at
            if refreshed_meanwhile and (refresh or _fresh(current, now, max_age)):
                return current
        figures = live_figures(event)
        if writing:
            _store(event.id, figures, now)
        else:
            separate_write(reader, _store_statement(event.id, figures, now))
    return DashboardFigures(figures, now)


def _fresh(cached: DashboardFigures, now: datetime, max_age: float) -> bool:
    return cached.computed_at > now - timedelta(seconds=max_age)


def _cached(event_id: int, connection: Connection | None = None) -> DashboardFigures | None:
    # Columns, not the entity: a fresh read each time, whatever the session has loaded.
    row = (connection or db.session).execute(
        select(FiguresCache.figures, FiguresCache.computed_at).where(FiguresCache.event_id == event_id)
    ).first()
    return DashboardFigures(row.figures, row.computed_at) if row else None


def _frozen(event_id: int, connection: Connection | None = None) -> dict | None:
    return (connection or db.session).scalar(select(DataRetention.frozen_figures).where(DataRetention.event_id == event_id))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _advisory_lock(event_id: int) -> None:
    db.session.execute(text("SELECT pg_advisory_xact_lock(:cls, :id)"), {"cls": ADVISORY_LOCK_CLASS, "id": event_id})


@contextmanager
def _refreshing(event_id: int, *, writing: bool):
    """The event's refresh lock, and what to read and write through while it is held: a
    connection of its own, or the session itself for a caller writing under embedded SQLite's
    write lock (a CLI command, a job, a request that writes). Such a caller takes the refresh lock
    only if it is free: waiting for a reader that holds it and waits for the write lock would
    never end. It then counts beside that reader; the newer figures win (_store_statement)."""
    if writing:
        with _file_lock(db.engine.url.database, wait=False):
            yield db.session
        return
    with separate_connection() as connection:
        if connection.dialect.name == "postgresql":
            with _advisory_session_lock(connection, event_id):
                yield connection
        else:
            with _file_lock(connection.engine.url.database, wait=True):
                yield connection


@contextmanager
def _advisory_session_lock(connection: Connection, event_id: int):
    # Session-level, not transaction-level: the lock spans the re-check's read and the write,
    # each in its own short transaction on this connection. It shares its key space with the
    # purger's transaction-level lock (_clear), so each waits for the other.
    key = {"cls": ADVISORY_LOCK_CLASS, "id": event_id}
    connection.execute(text("SELECT pg_advisory_lock(:cls, :id)"), key)
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:cls, :id)"), key)
        connection.commit()


@contextmanager
def _file_lock(database_path: str | None, *, wait: bool):
    """SQLite (one host): an OS file lock beside the database file. Without `wait`, held only if free."""
    if not database_path or database_path == ":memory:":
        yield
        return
    with open(f"{database_path}.report-figures.lock", "a+b") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield
            return
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _store(event_id: int, figures: dict, computed_at: datetime) -> None:
    """Store figures within the session's transaction (the caller commits)."""
    db.session.execute(_store_statement(event_id, figures, computed_at))


def _store_statement(event_id: int, figures: dict, computed_at: datetime):
    insert = postgresql.insert if _dialect() == "postgresql" else sqlite.insert
    table = FiguresCache.__table__
    purged = exists().where(DataRetention.event_id == event_id, DataRetention.frozen_figures.is_not(None))
    forgotten = exists().where(Registration.event_id == event_id,
                               Registration.purged_at >= computed_at - FORGOTTEN_MARGIN)
    source = select(
        literal(event_id, table.c.event_id.type),
        literal(figures, table.c.figures.type),
        literal(computed_at, table.c.computed_at.type),
    ).where(~purged, ~forgotten)
    statement = insert(table).from_select(["event_id", "figures", "computed_at"], source)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.event_id],
        set_={"figures": statement.excluded.figures, "computed_at": statement.excluded.computed_at},
        where=table.c.computed_at <= statement.excluded.computed_at,
    )
    return statement


def _clear(event_id: int) -> int:
    if _dialect() == "postgresql":
        # Waits for a refresh in flight, which would otherwise write its copy back after us.
        _advisory_lock(event_id)
    return db.session.execute(delete(FiguresCache).where(FiguresCache.event_id == event_id)).rowcount or 0


@register_purger
def clear_cached_figures(event: Event, now: datetime) -> int:
    """The purge freezes the figures itself; a cached copy of live ones must not outlive it."""
    return _clear(event.id)


@register_person_purger
def clear_cached_figures_of_person(registration, now: datetime) -> int:
    """Someone forgotten may be the only one from their city or organisation: recount."""
    return _clear(registration.event_id)
