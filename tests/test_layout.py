"""The shape of the code: imports point one way, without cycles, and each library stays in its place.

Read from the source with :mod:`ast`, so a lazy import inside a function counts as much as one at the
top: hiding a cycle in a function body is still a cycle. Imports under ``if TYPE_CHECKING:`` do not
run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "webapp", "signaalroute", "scheduler")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


MODULES = _modules()


def _imported_names(path: Path) -> set[str]:
    """Every absolute import the module executes, as dotted names (``from a import b`` gives ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(node) for stmt in ast.walk(tree)
               if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
               for node in ast.walk(stmt)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _own_module(name: str) -> str | None:
    """The project module a dotted name lives in (the longest prefix that is a module), or None."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {_own_module(imported) for imported in _imported_names(path)}
        # Importing a package one lives in runs its __init__ first anyway: not an edge worth a cycle.
        graph[name] = {t for t in targets if t and t != name and not name.startswith(t + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("outer", ["webapp", "signaalroute", "scheduler"])
def test_the_core_never_imports_an_entry_point(outer: str) -> None:
    offenders = sorted(name for name, path in MODULES.items() if name.startswith("engine")
                       and any(imported.split(".")[0] == outer for imported in _imported_names(path)))
    assert offenders == []


def test_the_core_knows_nothing_of_flask() -> None:
    offenders = sorted(name for name, path in MODULES.items() if name.startswith("engine")
                       and any(imported.split(".")[0].startswith("flask") for imported in _imported_names(path)))
    assert offenders == []


def test_only_engine_workflow_imports_spiffworkflow() -> None:
    offenders = sorted(name for name, path in MODULES.items()
                       if not name.startswith("engine.workflow")
                       and any(imported.split(".")[0] == "SpiffWorkflow" for imported in _imported_names(path)))
    assert offenders == []

