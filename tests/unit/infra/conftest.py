"""A SQLite file configured the way the app configures its own (WAL, write lock), with a table t (n)."""
import pytest
from sqlalchemy import create_engine, text

from confapp import sqlite


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'test.db'}")
    sqlite.configure_sqlite(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    sqlite.stop_background_checkpoint(engine)
    engine.dispose()
