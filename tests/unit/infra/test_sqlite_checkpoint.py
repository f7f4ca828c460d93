"""Web processes checkpoint SQLite's write-ahead log from a thread, not inside a check-in's COMMIT,
and the log stays short under a steady stream of writers and readers."""
from __future__ import annotations

import gc
import os
import threading
from types import SimpleNamespace

from sqlalchemy import create_engine, text

from confapp import sqlite

ROW = "x" * 1000


def _wal_bytes(engine) -> int:
    path = f"{engine.url.database}-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


def _write_and_read(engine, rows: int) -> None:
    """One writer committing small transactions back to back beside one reader, like a busy desk."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE rows (n INTEGER, body TEXT)"))
    done = threading.Event()

    def reader():
        while not done.is_set():
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM rows")).scalar()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(rows):
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO rows VALUES (:n, :body)"), {"n": n, "body": ROW})
    finally:
        done.set()
        thread.join()


def test_commits_leave_checkpoints_to_the_thread(engine):
    checkpointer = sqlite.checkpoint_in_background(engine, interval=0.05)
    assert checkpointer is not None and checkpointer.is_alive()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == sqlite.SAFETY_NET_AUTOCHECKPOINT_PAGES
    # Asking again in the same process reuses the running thread.
    assert sqlite.checkpoint_in_background(engine) is checkpointer


def test_the_log_stays_short_under_steady_writes(engine):
    checkpointer = sqlite.checkpoint_in_background(engine, interval=0.05)
    rows = 2000
    _write_and_read(engine, rows)
    # Each commit appends at least one 4 kB page to the log (8 MB in all here). Left alone (the
    # safety net is 80 MB) the log would hold all of them; restarted after each round it holds
    # what was written in the last few rounds.
    written = rows * 4096
    assert checkpointer.checkpoints >= 3
    assert _wal_bytes(engine) < written / 3, (written, _wal_bytes(engine))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM rows")).scalar() == rows


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
