"""Shared fixtures: one app and one migrated SQLite database per test session, a transaction
per test rolled back at teardown, a real SMTP server, and helpers to log in.

Domain-specific fixtures live in the conftest.py of the domain's test folder.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session as SASession

# Settle the environment before confapp is imported: huey runs tasks inline in unit
# tests (the real consumer has its own tests), and the instance folder is temporary.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="confapp-tests-"))
os.environ["CONFAPP_INSTANCE"] = str(_SESSION_DIR / "instance")
os.environ["HUEY_IMMEDIATE"] = "1"
# Under `faketime` (any shifted-clock run, `make test-shifted` or by hand): libfaketime fails every
# time.sleep with EINVAL, so this process and every process it starts sleep through select()
# (tests/support/faketime/sitecustomize.py).
if os.environ.get("FAKETIME"):
    _SHIM = str(Path(__file__).resolve().parent / "support" / "faketime")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_SHIM, os.environ.get("PYTHONPATH")]))
    import sys as _sys

    _sys.path.insert(0, _SHIM)
    import sitecustomize as _faketime_shim  # noqa: E402,F401  (patches time.sleep)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)


def pytest_configure(config):
    """A shifted clock that also shifts the monotonic clock (plain `faketime +1y make test`) never
    ends a timed wait: Python's lock waits compute their deadline from the shifted monotonic clock
    and the kernel waits for it on the real one (Event.wait(0.05) would last a year). libfaketime
    reads FAKETIME_DONT_FAKE_MONOTONIC only when a process starts, so the run starts over once
    with it set, after giving the terminal back from pytest's output capture."""
    if os.environ.get("FAKETIME") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") != "1":
        capture = config.pluginmanager.getplugin("capturemanager")
        if capture is not None:
            capture.suspend_global_capture(in_=True)
        os.environ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
# One clock for the whole run, this process and every server it starts (tests/support/clock.py).
from tests.support.clock import TEST_NOW  # noqa: E402

os.environ["CONFAPP_CLOCK_START"] = TEST_NOW.isoformat()
os.environ["CONFAPP_CLOCK_SET_AT"] = repr(time.time())

from tests.support.servers import start_smtp_server  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"
TEST_PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def smtp_server():
    server, controller = start_smtp_server()
    yield server
    controller.stop()


@pytest.fixture(scope="session")
def app(smtp_server):
    from flask_migrate import upgrade

    from confapp import create_app
    from confapp.config import TestConfig

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{_SESSION_DIR / 'test.db'}"
    config.MAIL_SERVER = "127.0.0.1"
    config.MAIL_PORT = smtp_server.port
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


class _ConnectionBoundSession(SASession):
    """Flask-SQLAlchemy's session picks engines by bind key and would ignore our connection."""

    def __init__(self, db=None, **options):
        super().__init__(**options)


@pytest.fixture
def db(app):
    """The database, inside a transaction that is rolled back after the test.

    Services and views call commit() freely: with join_transaction_mode="create_savepoint"
    each commit releases a savepoint inside the outer transaction.
    """
    from confapp.extensions import db as database

    with app.app_context():
        connection = database.engine.connect()
        outer = connection.begin()
        original_session = database.session
        database.session = database._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionBoundSession}
        )
        try:
            yield database
        finally:
            database.session.remove()
            database.session = original_session
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def mail(smtp_server):
    """The real SMTP server's inbox, emptied for this test."""
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()


@pytest.fixture
def now() -> datetime:
    """A fixed clock for services: 2026-11-21 12:00 UTC, where confapp's own clock starts too."""
    return TEST_NOW


def login(client, user, password: str = TEST_PASSWORD):
    response = client.post("/account/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, f"login failed for {user.email}"
    return response


@pytest.fixture
def login_as(client):
    def _login(user):
        client.post("/account/logout")
        return login(client, user)

    return _login


# --- PostgreSQL -------------------------------------------------------------------------------
# A real server started once per test session (only when a test asks for it), with one
# migrated database. Tests that use it really commit; `pg_app` empties every table after each.

@pytest.fixture(scope="session")
def postgres_server():
    from tests.support.servers import start_postgres, stop_postgres

    server = start_postgres()
    yield server
    stop_postgres(server)


def make_app_for(database_url: str, smtp_server, **overrides):
    """A separate app bound to another database (PostgreSQL, or a SQLite file for subprocess tests)."""
    from confapp import create_app
    from confapp.config import TestConfig

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 30, "max_overflow": 30} if database_url.startswith("postgresql") else {}
    config.MAIL_SERVER = "127.0.0.1"
    config.MAIL_PORT = smtp_server.port
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


@pytest.fixture(scope="session")
def pg_session_app(postgres_server, smtp_server):
    from flask_migrate import upgrade

    url = postgres_server.create_database("confapp_test")
    app = make_app_for(url, smtp_server)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def pg_app(pg_session_app):
    """The PostgreSQL-backed app; every table is emptied after the test."""
    from sqlalchemy import text

    from confapp.extensions import db as database

    yield pg_session_app
    with pg_session_app.app_context():
        database.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in database.metadata.sorted_tables)
        with database.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
