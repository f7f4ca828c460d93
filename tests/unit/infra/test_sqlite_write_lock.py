"""Embedded SQLite: writers queue on a file lock that hands over at once, and never hang."""
import os
import threading
import time

import pytest
from sqlalchemy import exc, text

from confapp import sqlite


# libfaketime breaks this timed lock wait itself (flock with a timer fails with EINVAL), not a date.
@pytest.mark.skipif(bool(os.environ.get("FAKETIME")), reason="libfaketime breaks the timed flock wait (EINVAL)")
def test_a_second_writer_waits_for_the_first_and_then_goes_straight_in(engine):
    order = []
    first_holds = threading.Event()

    def first():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            first_holds.set()
            time.sleep(0.3)
            order.append("first commits")

    thread = threading.Thread(target=first)
    thread.start()
    first_holds.wait(5)
    started = time.monotonic()
    with engine.begin() as connection:
        order.append("second begins")
        connection.execute(text("INSERT INTO t VALUES (2)"))
    waited = time.monotonic() - started
    thread.join()
    assert order == ["first commits", "second begins"]
    # Handed over within milliseconds of the first commit, not at SQLite's next 100 ms retry.
    assert 0.2 < waited < 0.45
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_a_second_writer_in_the_same_thread_fails_at_once_instead_of_hanging(engine):
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        started = time.monotonic()
        with pytest.raises(exc.OperationalError, match="database is locked"):
            with engine.begin() as other:
                other.execute(text("INSERT INTO t VALUES (2)"))
        assert time.monotonic() - started < 0.5
    # The failed attempt left the lock as it was: the next writer goes straight in.
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (3)"))


def test_read_only_requests_take_no_write_lock(engine):
    from flask import Flask

    with engine.begin() as writer:
        writer.execute(text("INSERT INTO t VALUES (1)"))
        with Flask(__name__).test_request_context("/", method="GET"):
            with engine.connect() as reader:
                # A GET opens a deferred transaction: it reads beside the writer (WAL), no waiting.
                started = time.monotonic()
                assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
                assert time.monotonic() - started < 0.1


def test_the_lock_is_free_as_soon_as_the_transaction_commits(engine):
    """A job run from a session's after-commit hook writes on another connection at once."""
    from sqlalchemy.orm import Session

    session = Session(engine)
    session.execute(text("INSERT INTO t VALUES (1)"))
    started = time.monotonic()
    done = []

    from sqlalchemy import event

    @event.listens_for(session, "after_commit")
    def write_elsewhere(s):
        with engine.begin() as other:
            other.execute(text("INSERT INTO t VALUES (2)"))
        done.append(time.monotonic() - started)

    session.commit()
    session.close()
    assert done and done[0] < 1.0
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_begin_writing_refuses_changes_made_before_it(app, db):
    """Changes made in the read part would be written without the lock: a programming error."""
    from confapp.accounts.models import User

    with app.test_request_context("/", method="POST"):
        sqlite.mark_request_read_only()
        db.session.add(User(email="early@example.org", name="Early"))
        with pytest.raises(RuntimeError, match="without the write lock"):
            sqlite.begin_writing()


def test_begin_writing_does_nothing_in_a_request_that_writes_from_the_start(app, db):
    with app.test_request_context("/", method="POST"):
        session = db.session()
        db.session.execute(text("SELECT 1"))
        transaction = session.get_transaction()
        sqlite.begin_writing()
        assert session.get_transaction() is transaction
