"""Web processes checkpoint SQLite's write-ahead log from a thread, not inside a check-in's COMMIT,
and the log stays short under a steady stream of writers and readers."""
from __future__ import annotations

import gc
import os
import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from confapp import sqlite

ROW = "x" * 1000


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    sqlite.configure_sqlite(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER, body TEXT)"))
    yield engine
    sqlite.stop_background_checkpoint(engine)
    engine.dispose()


def _wal_bytes(engine) -> int:
    path = f"{engine.url.database}-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


def _write_and_read_for(engine, seconds: float) -> int:
    """One writer committing small transactions back to back beside one reader, like a busy desk."""
    stop = time.monotonic() + seconds
    written = [0]

    def reader():
        while time.monotonic() < stop:
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM t")).scalar()

    thread = threading.Thread(target=reader)
    thread.start()
    while time.monotonic() < stop:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:n, :body)"), {"n": written[0], "body": ROW})
        written[0] += 1
    thread.join()
    return written[0]


def test_commits_leave_checkpoints_to_the_thread(engine):
    checkpointer = sqlite.checkpoint_in_background(engine, interval=0.05)
    assert checkpointer is not None and checkpointer.is_alive()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == sqlite.SAFETY_NET_AUTOCHECKPOINT_PAGES
    # Asking again in the same process reuses the running thread.
    assert sqlite.checkpoint_in_background(engine) is checkpointer


def test_the_log_stays_short_under_steady_writes(engine):
    checkpointer = sqlite.checkpoint_in_background(engine, interval=0.05)
    rows = _write_and_read_for(engine, 2.0)
    # Each commit appends at least one 4 kB page to the log; left alone (the safety net is 80 MB)
    # the log would hold all of them.
    assert rows * 4096 > 4 * 1024 * 1024, f"too few writes ({rows}) to tell"
    assert checkpointer.checkpoints >= 5
    assert _wal_bytes(engine) < 1024 * 1024, (rows, _wal_bytes(engine))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == rows


def test_postgresql_and_memory_databases_need_no_thread():
    assert sqlite.checkpoint_in_background(create_engine("sqlite://")) is None
    assert sqlite.checkpoint_in_background(create_engine("postgresql+psycopg://u@127.0.0.1/x")) is None


def test_gunicorn_workers_freeze_start_up_objects_and_checkpoint_in_background(app):
    """gunicorn.conf.py's post_worker_init, called the way gunicorn calls it (with the worker,
    whose `wsgi` is the loaded app; the worker object itself is a stand-in)."""
    import runpy

    from confapp.config import PROJECT_ROOT
    from confapp.extensions import db

    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    stand_in_worker = SimpleNamespace(wsgi=app)
    try:
        settings["post_worker_init"](stand_in_worker)
        assert gc.get_freeze_count() > 10_000
        with app.app_context():
            assert sqlite._checkpointers[db.engine.url.database].is_alive()
    finally:
        gc.unfreeze()
        with app.app_context():
            sqlite.stop_background_checkpoint(db.engine)
            db.engine.dispose()  # the next tests' connections checkpoint on commit again
