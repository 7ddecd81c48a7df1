"""The suite's fixtures load as plugins from tests/support/; this file decides which backends a test runs on.

Database tests run on SQLite. Those marked ``@pytest.mark.postgres`` (behaviour that depends on the
database: locks, SKIP LOCKED, NUL, JSONB, migrations, concurrency, leadership) run on PostgreSQL too;
tests/test_suite_rules.py checks that no such test lacks the mark. See tests/README.md.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.support")  # helpers' asserts explain themselves, like the tests'

from tests.support.base import BACKENDS  # noqa: E402
from tests.support.postgres_marks import argnames, remember_deselected, write_report  # noqa: E402

pytest_plugins = [
    "tests.support.database",
    "tests.support.browser_session",
    "tests.support.chain",
    "tests.support.app",
    "tests.support.web",
    "tests.support.werkbak",
    "tests.support.cli",
    "tests.support.scheduler",
    "tests.support.browser",
    "tests.support.retention",
    "tests.support.scene",
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Database tests run on SQLite; those marked ``postgres`` on PostgreSQL too (tests/support/postgres_marks.py)."""
    if "db_url" not in metafunc.fixturenames:
        return
    if any("db_url" in argnames(mark) for mark in metafunc.definition.iter_markers("parametrize")):
        return  # the test chose its backends itself
    if metafunc.definition.get_closest_marker("postgres_only") is not None:
        # Only PostgreSQL can show it (row locks, two writers at once); CI always has PostgreSQL.
        metafunc.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
        return
    marked = metafunc.definition.get_closest_marker("postgres") is not None
    metafunc.parametrize("db_url", BACKENDS if marked else ["sqlite"], indirect=True)


def pytest_deselected(items: list[pytest.Item]) -> None:
    remember_deselected(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    write_report(session.items)
