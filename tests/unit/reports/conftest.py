from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event as sa_event


@pytest.fixture
def count_queries(db):
    """Context manager counting the SQL statements run inside it."""

    @contextlib.contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa_event.remove(engine, "before_cursor_execute", before)

    return counting
