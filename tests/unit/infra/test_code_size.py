"""Files and views small enough to read in one go: no module of confapp over 400 lines, no view
function over 40 (a longer view is holding rules that belong in a service)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3] / "confapp"
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT.parent)): n for p in ROOT.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def test_no_view_function_is_over_40_lines():
    long = {}
    for path in ROOT.rglob("views*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ROUTE_DECORATORS for d in node.decorator_list):
                if (length := node.end_lineno - node.lineno + 1) > 40:
                    long[f"{path.relative_to(ROOT.parent)}:{node.name}"] = length
    assert long == {}
