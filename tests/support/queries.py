"""Count the SQL statements a block of code sends: for N+1-free page assertions. The one
query counter of the suite: tests do not add their own `before_cursor_execute` listeners.

    with count_queries(db.engine) as counter:
        client.get("/e/x/agenda/")
    assert counter.count == 5, counter.statements

`len(counter)` is `counter.count`, and iterating the counter gives the statements' text.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

# The per-test transaction's own statements, not the code's.
SAVEPOINTS = ("SAVEPOINT", "RELEASE", "ROLLBACK TO")


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        return iter(self.statements)


@contextmanager
def count_queries(bind, *, ignore_savepoints: bool = True, ignore: tuple[str, ...] = (), transactions: bool = False):
    """Counts statements on every connection of `bind`, an engine (including the test's bound
    connection) or one connection (`db.session.get_bind()`). SAVEPOINT/RELEASE statements from
    the per-test transaction are not counted by default; `ignore` names more statement
    beginnings not to count (e.g. "BEGIN"), compared case-insensitively.

    `transactions=True` also records where transactions end, as "-- COMMIT" and "-- ROLLBACK"
    (embedded SQLite ends them on the driver's connection, which no cursor event sees), so a
    test can cut the statements into transactions."""
    counter = QueryCounter()
    skipped = tuple(p.upper() for p in (SAVEPOINTS if ignore_savepoints else ()) + tuple(ignore))

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if skipped and statement.lstrip().upper().startswith(skipped):
            return
        counter.statements.append(statement)

    markers = {"commit": lambda conn: counter.statements.append("-- COMMIT"),
               "rollback": lambda conn: counter.statements.append("-- ROLLBACK")} if transactions else {}
    event.listen(bind, "before_cursor_execute", before_cursor_execute)
    for name, listener in markers.items():
        event.listen(bind, name, listener)
    try:
        yield counter
    finally:
        event.remove(bind, "before_cursor_execute", before_cursor_execute)
        for name, listener in markers.items():
            event.remove(bind, name, listener)


def statement_step(statement: str) -> str:
    """What a statement does, by table: "SELECT <table>" (the outer query's first table, not a
    subquery's), "INSERT <table>", "UPDATE <table>", "DELETE <table>"; otherwise its first two
    words ("BEGIN IMMEDIATE", "SAVEPOINT sa_savepoint_1"). For tests that assert which
    statements run inside a write transaction."""
    words = statement.split()
    verb = words[0].upper()
    if verb == "SELECT":
        depth = 0
        for i, word in enumerate(words):
            if word.upper() == "FROM" and depth == 0:
                return f"SELECT {words[i + 1]}"
            depth += word.count("(") - word.count(")")
    if verb in ("INSERT", "DELETE"):
        return f"{verb} {words[2]}"
    if verb == "UPDATE":
        return f"UPDATE {words[1]}"
    return " ".join(words[:2])
