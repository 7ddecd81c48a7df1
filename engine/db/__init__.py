"""Database plumbing: declarative base, engine/session factories and the unit of work.

Services never commit (docs/architecture.md, decision 1): the edge (web request, scheduler job, CLI
command) opens one :func:`unit_of_work` and everything an action changes commits together.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from engine.errors import DomainError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite forgets the zone; we never do)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def normalize_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver we ship), not SQLAlchemy's psycopg2 default."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite every transaction takes the write lock up front.

    ``BEGIN IMMEDIATE`` is SQLite's form of the instance lock (decision 2): two writers
    never interleave, and a reader-turned-writer cannot deadlock on lock upgrade.
    """
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit is atomic and survives a crash of the application, but is
            # fsynced only at the next checkpoint, so an OS crash or power cut can lose the last
            # commits (whole ones: a step and its audit event go together, the chain stays valid).
            # SQLite's recommended pairing with WAL; FULL would fsync every commit. Production with
            # real cases runs on PostgreSQL, which waits for the disk on every commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(normalize_url(url), **kwargs)
    ping_when_idle(engine)
    return engine


# A pooled connection idle longer than this is pinged before it is handed out; one used more recently is not.
IDLE_BEFORE_PING_SECONDS = 1.0
_RETURNED_AT = "signaalroute.returned_at"


def ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, but only for connections that sat idle in the pool.

    The ping finds a connection the server dropped (a restart, a failover, an idle timeout) and
    replaces it before a request uses it. Pinging every checkout cost an API step one round trip of
    its 13 (bench/README.md); a connection returned within the last second was alive a moment ago,
    and a restart takes longer than that, so in practice the same dropped connections are caught.
    A connection that still fails is a disconnect error: SQLAlchemy then discards the whole pool.
    """

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_RETURNED_AT, 0.0) <= IDLE_BEFORE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("connection dropped while idle") from exc  # the pool reconnects, retries


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


_KEEP_ON_REFUSAL = "signaalroute.keep_on_refusal"


def keep_on_refusal(session: Session, reason: str) -> None:
    """Declare that the rows flushed so far are committed even when this unit of work is refused.

    The one policy for what survives a refused request (a 4xx answer or a :class:`DomainError`):
    a failed-login counter, an access-log entry, a model failure on record, a draft's check result.
    The writer of such a row declares it, not the view or command that called it, so no entry
    point can forget it. A refusing service raises before it changes anything else, so nothing
    half-done lands; an unexpected error (a 5xx, any other exception) still rolls everything back.
    """
    session.info.setdefault(_KEEP_ON_REFUSAL, []).append(reason)


def kept_on_refusal(session: Session) -> bool:
    """Whether a writer in this unit of work declared rows that must survive a refusal."""
    return bool(session.info.get(_KEEP_ON_REFUSAL))


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on an exception.

    A refusal (:class:`engine.errors.DomainError`) commits what a writer declared with
    :func:`keep_on_refusal`; every other exception rolls back.
    """
    session = factory()
    try:
        session.begin()
        try:
            yield session
        except BaseException as exc:
            if isinstance(exc, DomainError) and kept_on_refusal(session) and session.is_active:
                session.commit()
            else:
                session.rollback()
            raise
        session.commit()
    finally:
        session.close()
