"""engine.db.ping_when_idle: a pooled connection the server dropped is replaced before use, without a
ping on every checkout (it was one round trip of an API step's 13)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

import engine.db as db
from engine.db import make_engine


def backend_pid(engine: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(text("SELECT pg_backend_pid()")))


@pytest.fixture
def pings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[int]]:
    engine = make_engine(db_url, pool_size=1)
    seen: list[int] = []
    original = engine.dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        seen.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    yield engine, seen
    engine.dispose()


@pytest.mark.postgres_only  # a server-side backend to drop
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_the_next_request_uses_it(
        pings: tuple[Any, list[int]], db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, seen = pings
    first = backend_pid(engine)
    killer = make_engine(db_url)
    with killer.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}) is True
        connection.commit()
    killer.dispose()
    monkeypatch.setattr(db, "IDLE_BEFORE_PING_SECONDS", 0.0)  # as if it had been idle for long

    second = backend_pid(engine)  # no error: the ping found the dead connection, the pool made a new one

    assert second != first
    assert seen  # the dropped one, and (idle limit 0 here) its replacement


@pytest.mark.postgres_only
def test_a_connection_returned_a_moment_ago_is_handed_out_without_a_ping(pings: tuple[Any, list[int]]) -> None:
    engine, seen = pings
    pids = {backend_pid(engine) for _ in range(5)}
    assert len(pids) == 1  # the same pooled connection each time
    assert seen == []
