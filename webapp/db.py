"""The request owns the transaction (docs/architecture.md, convention 2): one unit of work per request, committed before
the response leaves, so a failed commit can still become an error response.

What survives a refused request (4xx) is one policy, declared by the writer of the row in the core
(:func:`engine.db.keep_on_refusal`: a failed-login counter, an access-log entry, a model failure);
a 5xx always rolls back.

A request checks out one connection (pinged first only if it sat idle: engine.db.ping_when_idle) and
keeps it: the rate limiter's statement, which commits on its own first (and reads an API caller's token
along), and then the request's session both run on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, g
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.db import kept_on_refusal, make_engine, make_session_factory
from engine.errors import Conflict
from webapp.errors import error_response

_KEY = "signaalroute.sessions"


def init_app(app: Flask, database_url: str) -> None:
    app.extensions[_KEY] = make_session_factory(make_engine(database_url))
    app.after_request(_finish)
    app.teardown_request(_discard)


def dispose(app: Flask) -> None:
    """Close the pool (tests and shutdown); the app must not serve afterwards."""
    factory = app.extensions[_KEY]
    factory.kw["bind"].dispose()


def connection() -> Connection:
    """The request's one connection, checked out on first use and returned when the request ends."""
    if "db_connection" not in g:
        g.db_connection = engine().connect()
    found: Connection = g.db_connection
    return found


def session() -> Session:
    """The request's session (on the request's connection), opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[_KEY](bind=connection())
        g.db_session.begin()
    found: Session = g.db_session
    return found


@contextmanager
def committed_first() -> Iterator[Connection]:
    """Statements that commit on their own before the request's transaction (the rate limiter).

    PostgreSQL: in autocommit, so a single statement is a single round trip; SQLite: one short
    ``BEGIN IMMEDIATE`` transaction. Must run before the request's session opens.
    """
    if "db_session" in g:
        raise RuntimeError("committed_first() after the request's transaction began")
    conn = connection()
    if conn.dialect.name != "postgresql":
        with conn.begin():
            yield conn
        return
    conn.execution_options(isolation_level="AUTOCOMMIT")
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.execution_options(isolation_level=conn.default_isolation_level)


def factory() -> sessionmaker[Session]:
    """The session factory, for the one view that gives each item its own unit of work (a batch migration)."""
    found: sessionmaker[Session] = current_app.extensions[_KEY]
    return found


def engine() -> Engine:
    """The engine, for a short Core transaction outside the request's own (the rate limiter)."""
    bound: Engine = factory().kw["bind"]
    return bound


def end_request_transaction() -> None:
    """Commit and close the request's session now, before a view opens units of work of its own.

    On SQLite the request's transaction holds the database's write lock from its first query
    (``BEGIN IMMEDIATE``, even the login's read); another unit of work would wait for it.
    """
    db_session: Session | None = g.pop("db_session", None)
    if db_session is not None:
        try:
            db_session.commit()
        finally:
            db_session.close()
    _release()


def _release() -> None:
    conn: Connection | None = g.pop("db_connection", None)
    if conn is not None:
        conn.close()


def _finish(response: Response) -> Response:
    db_session: Session | None = g.pop("db_session", None)
    if db_session is None:
        return response
    try:
        if response.status_code < 400 or (response.status_code < 500 and kept_on_refusal(db_session)):
            db_session.commit()
        else:
            db_session.rollback()
    except (StaleDataError, IntegrityError):
        db_session.rollback()
        return error_response(Conflict("Iemand anders heeft deze zaak tegelijk gewijzigd; probeer het opnieuw."))
    finally:
        db_session.close()
    return response


def _discard(_exc: BaseException | None) -> None:
    db_session: Session | None = g.pop("db_session", None)
    try:
        if db_session is not None:
            db_session.rollback()
            db_session.close()
    finally:
        _release()
