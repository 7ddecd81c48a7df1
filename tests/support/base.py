"""Constants and small helpers every kind of test uses: paths, the start time, the clock, the database URL.

In CI (``CI=true``) PostgreSQL is required: a missing ``TEST_DATABASE_URL`` fails the run instead of
silently leaving the PostgreSQL variants out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from engine.accounts.actors import Actor
from engine.db import Base, make_engine, normalize_url
from engine.workflow.bundle import SourceFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
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

def create_pg_database(url: str) -> str:
    parsed = make_url(normalize_url(url))
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)



_ENGINES: dict[str, Engine] = {}


def shared_engine(url: str) -> Engine:
    """This test process's one engine for ``url`` (tests/README.md, "Isolation and shared worlds").

    SQLAlchemy caches compiled statements per engine: with a new engine per test every test compiled every
    statement it ran anew, a tenth of the suite's time. Each test's SQLite database therefore lives at one
    path per worker and PostgreSQL's at one URL per worker, and the app, the ``factory`` fixture and the
    emptying share this engine; its pool is closed between tests.
    """
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def empty_pg(url: str) -> str:
    """Empty every table of the migrated PostgreSQL test database and restart its sequences.

    One batch of DELETEs, children first: on a test's few rows that costs a tenth of a TRUNCATE of every
    table (which creates new files for each table and index).
    """
    engine = shared_engine(url)
    with engine.begin() as conn:
        sequences = conn.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).all()
        conn.exec_driver_sql("; ".join([f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
                                       + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]))
    return url



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


def model_files(*names: str) -> list[SourceFile]:
    return [SourceFile(name, (MODELS / name).read_bytes()) for name in names]


class Clock:
    """An injected clock tests move by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


