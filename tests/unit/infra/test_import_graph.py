"""The import graph of confapp: one direction between domains and no loops between modules.

Read from the source with `ast` (every import counts, the ones inside functions too, since a
deferred import is still a dependency). The rules, and why, are in docs/development.md
("Dependency direction"):

- no module of confapp imports itself back, directly or around a circle;
- a domain's rules (services, queries, models, emails...) import only the domains below it in
  ALLOWED; entry points (views, blueprints, CLI, job tasks, the demo, the worker) sit on top and
  may call any domain's services;
- another domain's models may be imported from anywhere: the schema is one (relationships
  name each other), and a model has no rules to get tangled in;
- no module imports another module's underscore names.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3] / "confapp"

# Who may import whom, among the domains' rule modules. "core" is confapp's top-level modules
# (extensions, errors, types, money, mail, jobs...), which import no domain at all.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "audit": {"core"},
    "accounts": {"core", "audit"},
    "events": {"core", "audit", "accounts"},
    "webhooks": {"core", "audit", "accounts", "events"},
    "outreach": {"core", "audit", "accounts", "events"},
    "registration": {"core", "audit", "accounts", "events", "outreach"},
    "program": {"core", "audit", "accounts", "events", "outreach", "registration"},
    "payments": {"core", "audit", "accounts", "events", "outreach", "registration"},
    "online": {"core", "audit", "accounts", "events", "outreach", "registration", "program"},
    "checkin": {"core", "audit", "accounts", "events", "outreach", "registration", "program", "payments", "online"},
    "reports": {"core", "audit", "accounts", "events", "outreach", "registration", "program", "payments", "checkin", "online"},
}
# Webhooks' outbox sits low, so that every domain above it can write its occurrences into it.
for _above in list(ALLOWED)[list(ALLOWED).index("webhooks") + 1:]:
    ALLOWED[_above].add("webhooks")
ENTRY_POINT_NAMES = {"blueprint", "cli", "tasks"}
ENTRY_POINT_PACKAGES = {"demo", "api"}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, imported names, line) for every import in the module that names a confapp module."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names if alias.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("confapp"):
                continue
            names = [alias.name for alias in node.names]
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            plain = [n for n in names if f"{target}.{n}" not in MODULES]
            if target in MODULES and (plain or not submodules):
                found.append((target, plain, node.lineno))
            found += [(sub, [], node.lineno) for sub in submodules]
    return [(target, names, line) for target, names, line in found if target != name]


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (ROOT / parts[1]).is_dir() else "core"


def _is_entry_point(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return (module in ("confapp", "confapp.worker") or _domain(module) in ENTRY_POINT_PACKAGES
            or last in ENTRY_POINT_NAMES or last == "views" or last.startswith("views_"))


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, on_stack, stack, result, counter = {}, {}, set(), [], [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target, _, _ in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return result


def test_the_graph_is_read():
    assert len(MODULES) > 100
    assert any(t == "confapp.registration.models" for t, _, _ in GRAPH["confapp.payments.ledger"])


def test_no_module_imports_itself_back():
    assert _cycles() == []


def test_the_import_test_finds_a_loop(tmp_path, monkeypatch):
    """The cycle finder itself: a two-module loop is reported."""
    monkeypatch.setitem(GRAPH, "confapp.mail", GRAPH["confapp.mail"] + [("confapp.outreach.services", [], 1)])
    assert any("confapp.mail" in component for component in _cycles())


def test_domains_import_only_the_domains_below_them():
    wrong = []
    for module, imports in GRAPH.items():
        if _is_entry_point(module):
            continue
        source = _domain(module)
        for target, _, line in imports:
            target_domain = _domain(target)
            if target_domain == source or target.endswith(".models"):
                continue
            if target_domain not in ALLOWED.get(source, set()):
                wrong.append(f"{MODULES[module].relative_to(ROOT.parent)}:{line} imports {target}")
    assert wrong == []


def test_the_direction_table_has_no_loop():
    seen: set[str] = set()
    for domain in ALLOWED:  # listed bottom-up: each may name only domains listed before it
        assert ALLOWED[domain] <= seen, domain
        seen.add(domain)


def test_no_module_imports_another_modules_private_names():
    private = [f"{MODULES[module].relative_to(ROOT.parent)}:{line} imports {target}.{name}"
               for module, imports in GRAPH.items() for target, names, line in imports
               for name in names if name.startswith("_") and not name.startswith("__")]
    assert private == []
