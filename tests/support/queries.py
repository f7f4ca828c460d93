"""Count the SQL statements a block of code sends: for N+1-free page assertions.

    with count_queries(db.engine) as counter:
        client.get("/e/x/agenda/")
    assert counter.count == 5, counter.statements
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine, *, ignore_savepoints: bool = True):
    """Counts statements on every connection of `engine` (including the test's bound connection).
    SAVEPOINT/RELEASE statements from the per-test transaction are not counted by default."""
    counter = QueryCounter()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        text = statement.strip().upper()
        if ignore_savepoints and (text.startswith("SAVEPOINT") or text.startswith("RELEASE") or text.startswith("ROLLBACK TO")):
            return
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
