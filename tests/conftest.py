"""Shared fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

In CI (``CI=true``) PostgreSQL is required: a missing ``TEST_DATABASE_URL`` or an unreachable
server fails the run instead of silently skipping half the suite.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import organisations, passwords, users
from engine.accounts.actors import Actor
from engine.db import Base, make_engine, make_session_factory, normalize_url, unit_of_work
from engine.db.migrate import upgrade
from engine.modelling.forms import FormRepository
from engine.workflow.bundle import SourceFile

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = FIXTURES / "models"
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")

if IN_CI and not PG_URL:
    raise RuntimeError("CI=true requires TEST_DATABASE_URL (PostgreSQL tests may not be skipped)")

_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under pytest-xdist (make test uses -n)
if PG_URL and _WORKER:  # each worker gets its own PostgreSQL database, derived from the one configured
    _parsed = make_url(PG_URL)
    PG_URL = _parsed.set(database=f"{_parsed.database}_{_WORKER}").render_as_string(hide_password=False)

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10.00 uur in Amsterdam


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, cheap parameters: the suite creates hundreds of accounts."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _create_pg_database(url: str) -> str:
    parsed = make_url(normalize_url(url))
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_migrated() -> str:
    url = _create_pg_database(PG_URL)
    upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each backend, private to this test."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    yield empty_pg(request.getfixturevalue("_pg_migrated"))


def empty_pg(url: str) -> str:
    """Empty every table of the migrated PostgreSQL test database (faster than re-migrating)."""
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def forms() -> FormRepository:
    return FormRepository(FIXTURES / "forms")


@dataclass
class World:
    """The people of a small region, as actors services accept."""

    af: Actor
    af_bergeijk: Actor
    politie: Actor
    zoco: Actor
    oov: Actor
    regisseur: Actor
    beheerder: Actor
    auditor: Actor
    melder: Actor


PASSWORD = "correct-paard-batterij-niet"
COORDINATORS = {"af", "politie"}  # the world's team coordinators: they may assign tasks to a colleague


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    system = Actor.system("test")
    people = {
        "af": ("af", "eersel"), "af_bergeijk": ("af", "bergeijk"), "politie": ("politie", "politie-ob"),
        "zoco": ("zorgcoordinator", "eersel"), "oov": ("oov", "eersel"),
        "regisseur": ("procesregisseur", "zvh-ob"), "beheerder": ("beheerder", "eersel"),
        "auditor": ("auditor", "eersel"), "melder": ("melder", "eersel"),
    }
    actors = {}
    with unit_of_work(factory) as session:
        for slug, name, kind in [("eersel", "Gemeente Eersel", "gemeente"),
                                 ("bergeijk", "Gemeente Bergeijk", "gemeente"),
                                 ("politie-ob", "Politie Oost-Brabant AVIM", "partner"),
                                 ("zvh-ob", "Zorg- en Veiligheidshuis", "partner")]:
            organisations.get_or_create_organisation(session, slug=slug, name=name, kind=kind)
        for username, (role, org) in people.items():
            user = users.create_user(session, actor=system, now=START, username=username, password=PASSWORD,
                                     role=role, organisation_slug=org, coordinator=username in COORDINATORS)
            actors[username] = users.actor_for(user)
    return World(**actors)


def model_files(*names: str) -> list[SourceFile]:
    return [SourceFile(name, (MODELS / name).read_bytes()) for name in names]


@pytest.fixture
def at() -> Clock:
    return Clock(START)


class Clock:
    """An injected clock tests move by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


from tests.browser_session import browser  # noqa: E402,F401 - one Chromium per session (Playwright's rule)
from tests.chain import chain  # noqa: E402,F401 - the chain of all four regions, for stories and UI tests
