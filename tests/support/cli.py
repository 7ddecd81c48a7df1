"""Moved from tests/cli/test_cli.py: shared by several test modules."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from signaalroute.cli import main
from tests.support.base import FIXTURES


@pytest.fixture
def cli_env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNAALROUTE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_FORMS_DIR", str(FIXTURES / "forms"))
    monkeypatch.delenv("SIGNAALROUTE_SECRET_KEY", raising=False)
    return tmp_path / "instance"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
