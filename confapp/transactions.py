"""Who owns a transaction: the boundary (a view, an API handler, a CLI command, a job) begins and
commits it; services only read and write inside it.

Two needs of services are served here without handing them the transaction:

- **A decision point.** A service that first reads (the ticket, its order) and then decides and
  writes (the check-in) says where its decisions begin with `decision_point()`, the way it would
  lock a row with FOR UPDATE. What happens there is the boundary's choice, set with
  `on_decision_point(hook)` for the span of its call: the check-in desk's redeem, reading in a
  deferred SQLite transaction, takes the write lock there (sqlite.reads_before_writes). Anywhere
  else a decision point does nothing.
- **A write beside the caller's transaction.** A read that fills a cache (the organiser's
  dashboard figures, read by a GET) writes the cached copy in a transaction of its own, on its own
  connection (`separate_connection`, `separate_write`), and never commits or ends the caller's.
  A caller that is itself writing under embedded SQLite's write lock (`caller_is_writing`) gets
  the write inside its own transaction instead, and commits it with the rest.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Executable

from .extensions import db
from .sqlite import WRITES_OPTION, begin_writing, mark_request_read_only, session_is_writing

_DECISION_HOOK = "confapp.decision_point"


def decision_point() -> None:
    """Called by a service between its reads and the reads it decides on."""
    hook = db.session.info.get(_DECISION_HOOK)
    if hook is not None:
        hook()


@contextmanager
def on_decision_point(hook: Callable[[], None]) -> Iterator[None]:
    """For the boundary: run `hook` at the decision point of the services called inside."""
    info = db.session().info
    previous = info.get(_DECISION_HOOK)
    info[_DECISION_HOOK] = hook
    try:
        yield
    finally:
        if previous is None:
            info.pop(_DECISION_HOOK, None)
        else:
            info[_DECISION_HOOK] = previous


@contextmanager
def reads_before_writes() -> Iterator[None]:
    """For the boundary of a request that reads first and decides later (the desk's redeem): on
    embedded SQLite its reads run in a deferred transaction, beside writers, and the write lock,
    which every writer queues for, is taken at the service's decision point, for the deciding
    and writing part only. Anything read before that point may change before the write, as under
    PostgreSQL's read committed: what must be decided under the lock is read after it."""
    mark_request_read_only()
    with on_decision_point(begin_writing):
        yield


def caller_is_writing() -> bool:
    """Whether the caller's transaction writes under embedded SQLite's write lock (a CLI command,
    a job, a request that writes): then no separate write can run beside it in this thread."""
    return session_is_writing(db.session())


@contextmanager
def separate_connection() -> Iterator[Connection]:
    """A connection of its own, beside the session's. Its reads see what others committed."""
    with db.engine.connect() as connection:
        yield connection


def separate_write(connection: Connection, statement: Executable) -> None:
    """Execute and commit `statement` in a transaction of its own on `connection` (one from
    separate_connection), with the write lock on embedded SQLite. There the caller's own
    transaction must not be writing (a POST that wrote commits or rolls back first): one thread
    cannot hold the write lock twice, and SQLite's answer is "database is locked"."""
    if connection.in_transaction():
        connection.commit()  # ends the connection's own reads, never the session's transaction
    connection.execution_options(**{WRITES_OPTION: True})
    try:
        with connection.begin():
            connection.execute(statement)
    finally:
        connection.execution_options(**{WRITES_OPTION: False})
