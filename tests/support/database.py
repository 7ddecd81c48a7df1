"""The database fixtures: a migrated, empty database per test, the world's people and the clock.

Every test that uses ``db_url`` (directly or through ``factory``, ``world``, ``chain``, ``app``...) runs on
SQLite; tests marked ``postgres`` run on PostgreSQL too (tests/conftest.py, tests/README.md).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
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
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, cheap parameters: the suite creates hundreds of accounts."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


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


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of the backend the test is parametrised with, private to this test."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    yield empty_pg(request.getfixturevalue("_pg_migrated"))


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def forms() -> FormRepository:
    return FormRepository(FIXTURES / "forms")


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


@pytest.fixture
def at() -> Clock:
    return Clock(START)


