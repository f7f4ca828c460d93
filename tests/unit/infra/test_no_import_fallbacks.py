"""Every domain of confapp and every dependency in pyproject.toml is always installed, so no module
guards an import with `except ImportError` / `except ModuleNotFoundError`: such a fallback (left from
building the domains in parallel) turns a real import error into a quietly missing feature. The
application factory alone asks each domain for its optional parts (blueprint, cli, tasks)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3] / "confapp"
ALLOWED = {"confapp/__init__.py"}  # optional_module: a domain without cli.py or tasks.py
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def _caught(handler: ast.ExceptHandler) -> set[str]:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {node.id for node in types if isinstance(node, ast.Name)}


def test_no_module_falls_back_when_an_import_fails():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT.parent).as_posix()
        if name in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None and _caught(node) & IMPORT_ERRORS:
                found.append(f"{name}:{node.lineno}")
    assert found == []
