from __future__ import annotations

import pytest

from tests.support.queries import count_queries as count_statements


@pytest.fixture
def count_queries(db):
    """Context manager counting the SQL statements run inside it (ROLLBACKs left out)."""
    return lambda: count_statements(db.engine, ignore=("ROLLBACK",))
