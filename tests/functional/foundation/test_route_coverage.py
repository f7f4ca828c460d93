"""Every route of app.url_map has a row in an access table (every role -> expected status).

A new route without a row fails here, so authorization cannot drift unseen. The test runs every
access table (a test that calls `assert_access` or `record_access_row`, found by reading the test
files) in a child pytest that notes each requested method and URL (tests/support/access.py), then
matches those URLs against the app's own rules. The tables must pass there too.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.support.access import RECORD_ENV

ROOT = Path(__file__).resolve().parents[3]
FUNCTIONAL = ROOT / "tests" / "functional"
TABLE_CALLS = {"assert_access", "record_access_row"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _calls_a_table(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in TABLE_CALLS:
                return True
    return False


def access_table_tests() -> list[str]:
    """Node ids of every test function in tests/functional that walks an access table."""
    ids = []
    for path in sorted(FUNCTIONAL.rglob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and _calls_a_table(node):
                ids.append(f"{path.relative_to(ROOT)}::{node.name}")
    return ids


def _rule(adapter, method: str, url: str) -> str | None:
    path, _, query = url.partition("?")
    try:
        rule, _args = adapter.match(path, method=method, query_args=query, return_rule=True)
    except (RequestRedirect, HTTPException):
        return None
    return rule.rule


def test_every_route_has_a_row_in_an_access_table(app, tmp_path):
    tests = access_table_tests()
    assert len(tests) >= 10, tests  # the tables are found (a rename must not make this pass vacuously)
    record = tmp_path / "rows.txt"
    environment = dict(os.environ, **{RECORD_ENV: str(record)})
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                         cwd=ROOT, env=environment, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, "the access tables failed:\n" + run.stdout[-4000:] + run.stderr[-2000:]

    adapter = app.url_map.bind("localhost")
    covered = set()
    for line in record.read_text(encoding="utf-8").splitlines():
        method, _, url = line.partition(" ")
        rule = _rule(adapter, method, url)
        if rule is not None:
            covered.add((rule, method))
    missing = sorted(
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - IGNORED_METHODS)
        if (rule.rule, method) not in covered
    )
    assert not missing, f"{len(missing)} routes have no row in any access table:\n" + "\n".join(missing)


def test_the_finder_sees_tables_written_either_way():
    found = access_table_tests()
    assert "tests/functional/foundation/test_access_table.py::test_foundation_routes_by_role" in found
    assert any(t.startswith("tests/functional/program/test_access.py::test_manage_routes") for t in found)
