"""Which tests touch behaviour that differs between SQLite and PostgreSQL, read from their source.

A test that uses the database runs on SQLite only, unless it is marked ``@pytest.mark.postgres``; then it
runs on PostgreSQL too. The mark belongs on every test whose outcome can depend on the database: row
locks and SKIP LOCKED, advisory locks and scheduler leadership, NUL characters, JSONB, migrations,
concurrent connections, and code that branches on the dialect. ``unmarked`` finds the tests whose own
source, or that of the module's helpers and fixtures they use, names one of those features without the
mark; tests/test_suite_rules.py runs it over the whole suite so a new test cannot forget the mark. A test
that names such a feature but does not depend on the database says so: ``@pytest.mark.sqlite_only("why")``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import os
import re
import textwrap
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import pytest

# feature -> pattern in test source. Words, not prose: "PostgreSQL" in a docstring counts on purpose.
FEATURES: dict[str, re.Pattern[str]] = {
    "concurrency": re.compile(r"\bthreading\b|\bThread\(|\bBarrier\(|ThreadPoolExecutor|multiprocessing"),
    "row locks": re.compile(r"with_for_update|skip_locked|FOR UPDATE|SKIP LOCKED|lock_instance|lock_case"
                            r"|require_locked"),
    "advisory locks / leadership": re.compile(r"advisory|\bLeadership\b|\bcontend\(|pg_try_advisory"),
    "NUL characters": re.compile(r"\\x00|\\u0000|\\0|\bNUL\b"),
    "JSONB": re.compile(r"JSONB|jsonb"),
    "migrations": re.compile(r"\bupgrade\(|\bdowngrade\(|alembic|\bmigrate\.|_create_pg_database"),
    "backend branch": re.compile(r"postgresql|postgres\b|dialect"),
    "dialect-specific upsert": re.compile(r"rate_limits|_per_minute_|\boutbox\b|OutboxMessage"),
}


@functools.cache  # parametrised tests and shared fixtures are read once, not once per test
def _source(obj: Callable[..., Any]) -> str:
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        return ""


@functools.cache
def _names(source: str) -> frozenset[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    return frozenset({node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} |
                     {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)})


def reachable_source(function: Callable[..., Any], module: ModuleType,
                     fixtures: Iterable[Callable[..., Any]] = ()) -> str:
    """The test's source plus that of the module's own functions and fixtures it reaches (transitively)."""
    todo = [function, *[f for f in fixtures if getattr(f, "__module__", None) == module.__name__]]
    seen: set[int] = set()
    parts: list[str] = []
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        source = _source(obj)
        parts.append(source)
        for name in _names(source):
            value = getattr(module, name, None)
            value = getattr(value, "__wrapped__", value)  # a fixture function under pytest's wrapper
            if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == module.__name__:
                todo.append(value)
    return "\n".join(parts)


def features_of(source: str) -> list[str]:
    return [name for name, pattern in FEATURES.items() if pattern.search(source)]


def unmarked(items: Iterable[pytest.Item]) -> list[str]:
    """Node ids (with the features found) of database tests that name a database feature but lack the mark."""
    problems: dict[str, str] = {}
    found_for: dict[tuple[Any, ...], list[str]] = {}
    for item in items:
        if not isinstance(item, pytest.Function) or "db_url" not in item.fixturenames:
            continue
        if item.get_closest_marker("postgres") or item.get_closest_marker("postgres_only") \
                or item.get_closest_marker("sqlite_only") \
                or _backends_chosen_by_hand(item):
            continue
        fixtures = tuple(defs[-1].func for name, defs in item._fixtureinfo.name2fixturedefs.items() if defs)
        key = (item.function, item.module, fixtures)
        if key not in found_for:  # the variants of a parametrised test share their source
            found_for[key] = features_of(reachable_source(item.function, item.module, fixtures))
        found = found_for[key]
        if found:
            problems[item.nodeid.split("[")[0]] = ", ".join(found)
    return [f"{nodeid}: {found}" for nodeid, found in sorted(problems.items())]


DESELECTED = pytest.StashKey[list[pytest.Item]]()


def remember_deselected(items: list[pytest.Item]) -> None:
    """Keep what ``-m``/``-k`` left out: the rule test checks those too, whatever a run selects."""
    if items:
        items[0].config.stash.setdefault(DESELECTED, []).extend(items)


def collected(session: pytest.Session) -> list[pytest.Item]:
    """The items this session collected, the deselected ones included."""
    return [*session.items, *session.config.stash.get(DESELECTED, [])]


def write_report(items: list[pytest.Item]) -> None:
    """With SR_POSTGRES_MARKS_REPORT=<file> (tests/test_suite_rules.py sets it): write the problems there."""
    target = os.environ.get("SR_POSTGRES_MARKS_REPORT")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            out.write("\n".join(unmarked(items)))


def _backends_chosen_by_hand(item: pytest.Function) -> bool:
    """``@pytest.mark.parametrize("db_url", [...], indirect=True)``: the test chose its backends itself."""
    return any(argnames(mark) and "db_url" in argnames(mark) for mark in item.iter_markers("parametrize"))


def argnames(mark: pytest.Mark) -> list[str]:
    names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
    if isinstance(names, str):
        return [n.strip() for n in names.split(",")]
    return list(names)
