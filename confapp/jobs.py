"""Background jobs through huey, and the after-commit hook that feeds them.

The huey instance is built from the environment at import time because the consumer
(`huey_consumer confapp.jobs.huey`) imports this module without an app:
REDIS_URL selects RedisHuey, otherwise SqliteHuey in the instance folder.
Tasks declared with `@app_task` run inside an application context; the worker builds
its app once per process.

Side effects (mail, Stripe calls) are never enqueued directly by services: they call
`enqueue_after_commit`, so rolled-back work queues nothing.
"""
from __future__ import annotations

import functools
import os
import threading
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from sqlalchemy import event
from sqlalchemy.orm import Session

from .config import instance_path


def make_huey() -> Huey:
    redis_url = os.environ.get("REDIS_URL")
    immediate = os.environ.get("HUEY_IMMEDIATE", "").lower() in {"1", "true", "yes"}
    if redis_url:
        return RedisHuey("confapp", url=redis_url, immediate=immediate)
    filename = os.environ.get("HUEY_SQLITE_FILE") or str(instance_path() / "huey.db")
    return SqliteHuey("confapp", filename=filename, immediate=immediate)


huey: Huey = make_huey()

_worker_app: Flask | None = None
_worker_app_lock = threading.Lock()
# How a worker process builds its app. The application factory hands itself over
# (confapp.create_app calls use_app_factory), so this low-level module never imports the package
# that imports it.
_app_factory: Callable[[], Flask] | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    global _app_factory
    _app_factory = factory


def _app_for_task() -> Flask:
    global _worker_app
    if _worker_app is None:
        with _worker_app_lock:
            if _worker_app is None:
                if _app_factory is None:
                    raise RuntimeError("No app for background jobs: run the consumer as `huey_consumer confapp.worker.huey`.")
                _worker_app = _app_factory()
    return _worker_app


def app_task(*task_args, **task_kwargs) -> Callable:
    """Declare a huey task that runs in its own application context and commits on success."""

    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run_in_app(*args, **kwargs):
            from .extensions import db

            app = current_app._get_current_object() if has_app_context() else _app_for_task()
            # A fresh app context gives the task its own database session, even when huey
            # runs it inline (immediate mode) from inside a request's after-commit hook.
            with app.app_context():
                try:
                    result = fn(*args, **kwargs)
                    db.session.commit()
                    return result
                except BaseException:
                    db.session.rollback()
                    raise
                finally:
                    db.session.remove()

        return huey.task(*task_args, **task_kwargs)(run_in_app)

    return decorator


def app_periodic_task(validate_datetime, **task_kwargs) -> Callable:
    """A periodic huey task that runs inside an application context."""

    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run_in_app():
            from .extensions import db

            app = _app_for_task()
            with app.app_context():
                try:
                    fn()
                    db.session.commit()
                except BaseException:
                    db.session.rollback()
                    raise
                finally:
                    db.session.remove()

        return huey.periodic_task(validate_datetime, **task_kwargs)(run_in_app)

    return decorator


_PENDING_KEY = "confapp_after_commit"


def enqueue_after_commit(session: Session, task: Callable, *args: Any, **kwargs: Any) -> None:
    """Queue `task(*args, **kwargs)` to run once `session` commits; dropped on rollback or close."""
    if not session.in_transaction():
        # Without a transaction a later rollback() would be a no-op and the queued work
        # would survive into the next commit; beginning one costs no database round trip.
        session.begin()
    session.info.setdefault(_PENDING_KEY, []).append((task, args, kwargs))


def _run_pending(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a savepoint is released: wait for the real commit.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING_KEY, [])
    for task, args, kwargs in pending:
        task(*args, **kwargs)


def _drop_pending(session: Session, transaction) -> None:
    # The outermost transaction ended without committing (rollback, close, error):
    # its side effects are discarded. A rolled-back savepoint leaves them in place.
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


def install_session_hooks(session_class: type[Session] | Any) -> None:
    """Idempotent: every app built in one process shares the Session class."""
    if not event.contains(session_class, "after_commit", _run_pending):
        event.listen(session_class, "after_commit", _run_pending)
        event.listen(session_class, "after_transaction_end", _drop_pending)
