"""engine.db.built_once: an upsert built at import is compiled once, and still runs with each call's values."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import elements

from engine.db.built_once import built_once

COUNTS = Table("counts", MetaData(), Column("name", String, primary_key=True), Column("n", Integer))


def _upsert() -> Any:
    statement = sqlite_insert(COUNTS).values(name=bindparam("name"), n=bindparam("by"))
    return statement.on_conflict_do_update(index_elements=["name"], set_={"n": COUNTS.c.n + statement.excluded.n})


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = elements.ClauseElement._compiler

    def counting(self: Any, dialect: Any, **kw: Any) -> Any:
        compiled = original(self, dialect, **kw)
        seen.append(str(compiled))
        return compiled

    monkeypatch.setattr(elements.ClauseElement, "_compiler", counting)
    return seen


def test_an_upsert_built_once_is_compiled_once_and_counts_right(compiles: list[str]) -> None:
    engine = create_engine("sqlite://")
    COUNTS.metadata.create_all(engine)
    plain, keyed = _upsert(), built_once(_upsert())
    with engine.begin() as connection:
        for statement in (plain, plain, keyed, keyed, keyed):
            connection.execute(statement, {"name": "a", "by": 2})
        assert connection.execute(select(COUNTS.c.n)).scalar_one() == 10
    upserts = [sql for sql in compiles if sql.startswith("INSERT INTO counts")]
    assert len(upserts) == 3  # the plain one each time (SQLAlchemy 2.0 has no key for it), the keyed one once


def test_a_statement_derived_from_one_built_once_is_its_own(compiles: list[str]) -> None:
    engine = create_engine("sqlite://")
    COUNTS.metadata.create_all(engine)
    keyed = built_once(_upsert())
    derived = keyed.returning(COUNTS.c.n)  # a copy: must not run as the cached original
    with engine.begin() as connection:
        connection.execute(keyed, {"name": "b", "by": 1})
        assert connection.execute(derived, {"name": "b", "by": 4}).scalar_one() == 5
        assert connection.execute(derived, {"name": "b", "by": 1}).scalar_one() == 6
