"""Rules the test suite keeps about itself, so that it stays fast and readable (tests/README.md)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import postgres_marks

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _test_files() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def _modules_of_the_suite() -> list[Path]:
    """Test modules, conftest files and the support package: none may import a test module or a conftest."""
    return sorted([*TESTS.rglob("test_*.py"), *TESTS.rglob("conftest.py"), *(TESTS / "support").glob("*.py")])


def test_every_database_test_that_touches_a_postgresql_matter_is_marked_postgres(request, tmp_path):
    """Locks, SKIP LOCKED, NUL, JSONB, migrations, concurrency, leadership: such a test must run on both
    backends. The detector reads the suite this session collected, and collects the rest itself."""
    items = postgres_marks.collected(request.session)
    seen = {Path(str(item.path)) for item in items}
    missing = [str(path.relative_to(ROOT)) for path in _test_files() if path not in seen]
    problems = postgres_marks.unmarked(items)
    if missing:
        report = tmp_path / "unmarked.txt"
        env = {**os.environ, "SR_POSTGRES_MARKS_REPORT": str(report)}
        env.pop("PYTEST_XDIST_WORKER", None)
        done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *missing],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        assert report.exists(), done.stdout[-2000:] + done.stderr[-2000:]
        problems += [line for line in report.read_text(encoding="utf-8").splitlines() if line]
    assert not problems, ("database tests that name a PostgreSQL matter but run on SQLite only; mark them "
                          "@pytest.mark.postgres (or @pytest.mark.sqlite_only(\"why\")):\n" + "\n".join(problems))


SAMPLE = '''
import threading

def helper(url):
    return threading.Thread(target=print)

def test_unmarked(db_url):
    helper(db_url)

def test_plain(db_url):
    assert db_url
'''


def test_the_detector_follows_a_test_into_its_module_helpers(tmp_path, monkeypatch):
    """The check above must not be blind: a thread two calls away is found, a plain test is left alone."""
    path = tmp_path / "sample_module.py"
    path.write_text(SAMPLE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import sample_module  # type: ignore[import-not-found]

    assert postgres_marks.features_of(postgres_marks.reachable_source(
        sample_module.test_unmarked, sample_module)) == ["concurrency"]
    assert postgres_marks.features_of(postgres_marks.reachable_source(sample_module.test_plain, sample_module)) == []


@pytest.mark.parametrize("path", _modules_of_the_suite(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_module_imports_another_test_module_or_a_conftest(path):
    """Shared helpers live in tests/support/; fixtures load through pytest_plugins, never by import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module] + \
               [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    wrong = [name for name in imported if name.startswith("tests.") and
             name.rsplit(".", 1)[-1].startswith(("test_", "conftest"))]
    assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}; move what it needs to tests/support/"
