"""The database fixtures: a migrated, empty database per test, the world's people and the clock.

Every test that uses ``db_url`` (directly or through ``factory``, ``world``, ``chain``, ``app``...) runs on
SQLite; tests marked ``postgres`` run on PostgreSQL too (tests/conftest.py, tests/README.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import organisations, passwords, users
from engine.accounts.actors import Actor
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.db.migrate import upgrade
from engine.modelling.forms import FormRepository
from tests.support.base import (
    COORDINATORS,
    FIXTURES,
    PASSWORD,
    PG_URL,
    START,
    Clock,
    World,
    create_pg_database,
    empty_pg,
    shared_engine,
)
from webapp import db as webapp_db


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Real argon2, cheap parameters: the suite creates hundreds of accounts and recovery codes.

    Session-scoped, so the worlds built once per worker (scenes, tours) get it too: with production
    parameters one scene's twenty logins with their recovery codes cost 27 s of argon2. The dummy hash
    an unknown name is checked against keeps production cost (tests/security/test_login_attacks.py).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_migrated() -> str:
    url = create_pg_database(PG_URL)
    upgrade(url)
    return url


# Seeded templates: what a world fixture (``chain``, ``keten``) writes into an empty database at START, done once
# per worker on a copy of the migrated template. A test whose first database writer that fixture is starts
# from a copy of the seeded file instead of repeating the work (tests/README.md, "Shared worlds").
Seed = Callable[[sessionmaker[Session]], None]
SEEDS: dict[str, Seed] = {}
SEEDED = pytest.StashKey[str | None]()


def seeds(fixture: str) -> Callable[[Seed], Seed]:
    """Register ``seed`` as what ``fixture`` writes first; the fixture skips it when ``seeded(request, fixture)``."""

    def register(seed: Seed) -> Seed:
        SEEDS[fixture] = seed
        return seed

    return register


def seeded(request: pytest.FixtureRequest, fixture: str) -> bool:
    """Whether this test's database was copied from ``fixture``'s seeded template (so it holds that work)."""
    return request.node.stash.get(SEEDED, None) == fixture


def _set_up_order(request: pytest.FixtureRequest) -> list[str]:
    """The test's fixtures in the order pytest sets them up: depth first, in argument order."""
    definitions = request.node._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order or name not in definitions:
            return
        # A fixture that overrides one of the same name and asks for it (``def f(f, ...)``) sets up the
        # overridden one first: walk every definition of the name, most general first, skipping the name itself.
        for definition in definitions[name]:
            for argument in definition.argnames:
                if argument != name:
                    visit(argument)
        order.append(name)

    for name in request.fixturenames:
        visit(name)
    return order


def _seed_for(request: pytest.FixtureRequest) -> str | None:
    """The seeded fixture this test may start from: the first set up among those that can write to the
    database or move the clock, with nothing of that kind before it except what it needs itself."""
    definitions = request.node._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
    order = _set_up_order(request)

    def closure(name: str) -> set[str]:
        found: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in found or current not in definitions:
                continue
            found.add(current)
            todo.extend(definitions[current][-1].argnames)
        return found

    for name in order:
        if name in SEEDS:
            return name
        if name in ("db_url", "factory", "at"):
            continue  # what a seeded fixture needs itself; empty database, clock at START
        if closure(name) & {"db_url", "at"}:
            return None  # it may write or move the clock before the seeded fixture runs
    return None


class Templates:
    """Seeded SQLite templates, each built the first time a test needs it."""

    def __init__(self, directory: Path, empty: Path):
        self.directory = directory
        self.empty = empty
        self.built: dict[str, Path] = {}

    def sqlite(self, fixture: str) -> Path:
        if fixture not in self.built:
            path = self.directory / f"{fixture}.sqlite"
            shutil.copy(self.empty, path)
            engine = make_engine(f"sqlite:///{path}")
            SEEDS[fixture](make_session_factory(engine))
            engine.dispose()
            with closing(sqlite3.connect(path)) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file each test copies
            self.built[fixture] = path
        return self.built[fixture]


@pytest.fixture(scope="session")
def _seeded_templates(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Templates:
    return Templates(tmp_path_factory.mktemp("seeded"), _sqlite_template)


@pytest.fixture(scope="session", autouse=True)
def _one_engine_per_database() -> Iterator[None]:
    """The app's engine is the test process's shared one for its URL (``shared_engine``): warm statement cache."""

    def engine_for(url: str, **kwargs: Any) -> Engine:
        return make_engine(url, **kwargs) if kwargs else shared_engine(url)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(webapp_db, "make_engine", engine_for)
        yield


@pytest.fixture(scope="session")
def _sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every test of this process finds its SQLite database: one path, so one engine (``shared_engine``)."""
    return tmp_path_factory.mktemp("database") / "test.sqlite"


def _replace_sqlite_file(path: Path, source: Path) -> None:
    """Put a copy of ``source`` at ``path``: a new file (a connection the last test left open keeps the old
    one), and no write-ahead log of the last test's database beside it (SQLite would replay it into this one)."""
    shared_engine(f"sqlite:///{path}").dispose()
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    copy = path.with_name(path.name + ".new")
    shutil.copy(source, copy)
    os.replace(copy, path)


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty database of the backend the test is parametrised with, private to this test.

    On SQLite, a test whose first writer is a seeded world fixture gets a copy of that fixture's template.
    """
    if request.param == "sqlite":
        path: Path = request.getfixturevalue("_sqlite_path")
        seed = _seed_for(request)
        request.node.stash[SEEDED] = seed
        templates: Templates = request.getfixturevalue("_seeded_templates")
        _replace_sqlite_file(path, templates.sqlite(seed) if seed else templates.empty)
        url = f"sqlite:///{path}"
    else:
        url = empty_pg(request.getfixturevalue("_pg_migrated"))
    yield url
    shared_engine(url).dispose()


@pytest.fixture
def factory(db_url: str) -> sessionmaker[Session]:
    return make_session_factory(shared_engine(db_url))


@pytest.fixture
def forms() -> FormRepository:
    return FormRepository(FIXTURES / "forms")


PEOPLE = {
    "af": ("af", "eersel"), "af_bergeijk": ("af", "bergeijk"), "politie": ("politie", "politie-ob"),
    "zoco": ("zorgcoordinator", "eersel"), "oov": ("oov", "eersel"),
    "regisseur": ("procesregisseur", "zvh-ob"), "beheerder": ("beheerder", "eersel"),
    "auditor": ("auditor", "eersel"), "melder": ("melder", "eersel"),
}


@seeds("world")
def _seed_world(factory: sessionmaker[Session]) -> None:
    """The small region's organisations and people, created at START."""
    system = Actor.system("test")
    with unit_of_work(factory) as session:
        for slug, name, kind in [("eersel", "Gemeente Eersel", "gemeente"),
                                 ("bergeijk", "Gemeente Bergeijk", "gemeente"),
                                 ("politie-ob", "Politie Oost-Brabant AVIM", "partner"),
                                 ("zvh-ob", "Zorg- en Veiligheidshuis", "partner")]:
            organisations.get_or_create_organisation(session, slug=slug, name=name, kind=kind)
        for username, (role, org) in PEOPLE.items():
            users.create_user(session, actor=system, now=START, username=username, password=PASSWORD,
                              role=role, organisation_slug=org, coordinator=username in COORDINATORS)


@pytest.fixture
def world(request: pytest.FixtureRequest, factory: sessionmaker[Session]) -> World:
    """The world's people, from the worker's seeded template or created here when something wrote first."""
    if not seeded(request, "world"):
        _seed_world(factory)
    actors = {}
    with unit_of_work(factory) as session:
        for username in PEOPLE:
            user = users.user_by_username(session, username)
            assert user is not None
            actors[username] = users.actor_for(user)
    return World(**actors)


@pytest.fixture
def at() -> Clock:
    return Clock(START)


