"""Fault test (PostgreSQL): three scheduler processes, 1,000 timers due over six seconds, the leader is
killed with SIGKILL once it has fired part of them; every timer still fires exactly once, the rest by a standby.

The kill waits for the leader's first firings instead of a moment on the clock, so a slow start (three
interpreters, 1,000 cases in one transaction) changes nothing but the duration. The cases are started while the
schedulers start (their timers parked a day ahead), and spread over the next seconds once both are done.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from engine.accounts import organisations
from engine.accounts.actors import Actor
from engine.cases import lifecycle
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.modelling import deployments
from engine.models import AuditEvent, Timer
from tests.support.base import PG_URL, empty_pg, model_files

TIMERS = 1000
SPREAD_SECONDS = 6
LEAD_IN_SECONDS = 2  # from setting the timers' due times to the first of them
KILL_AFTER = TIMERS // 10  # fired by the leader before it is killed: the other nine tenths are left for a standby


@pytest.fixture
def pg_url(request):
    if not PG_URL:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL); CI always sets it")
    return empty_pg(request.getfixturevalue("_pg_migrated"))


def fired_count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Timer).where(Timer.state == "fired")) or 0)


def leader_pid(engine) -> int | None:
    with engine.connect() as conn:
        # This test's database only: other test runs (xdist workers, other checkouts) may have leaders too.
        name = conn.scalar(text("SELECT application_name FROM pg_stat_activity "
                                "WHERE application_name LIKE 'signaalroute-leider-%' "
                                "AND datname = current_database() LIMIT 1"))
    return int(name.rsplit("-", 1)[1]) if name else None


def test_every_timer_fires_exactly_once_when_the_leader_is_killed(pg_url, forms, tmp_path):
    engine = make_engine(pg_url)
    factory = make_session_factory(engine)
    system = Actor.system("fouttest")
    with unit_of_work(factory) as session:
        organisations.get_or_create_organisation(session, slug="eersel", name="Eersel", kind="gemeente")
        deployments.deploy(session, actor=system, now=datetime.now(UTC), files=model_files("termijn.bpmn"),
                           comment="", forms=forms)
    env = {**os.environ, "SIGNAALROUTE_DATABASE_URL": pg_url, "SIGNAALROUTE_SECRET_KEY": "f" * 64,
           "SIGNAALROUTE_INSTANCE_DIR": str(tmp_path), "SIGNAALROUTE_TIMER_POLL_SECONDS": "1"}
    schedulers = [subprocess.Popen([sys.executable, "-m", "scheduler"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL) for _ in range(3)]
    try:
        parked = datetime.now(UTC) + timedelta(days=1)  # nothing falls due while the schedulers start
        with unit_of_work(factory) as session:
            for _ in range(TIMERS):
                lifecycle.start_case(session, actor=system, now=datetime.now(UTC), process_id="termijn",
                                     data={"vervaldatum": parked.isoformat()}, organisation_slug="eersel")
        # The timers fall due only once one of the schedulers leads, however long they take to start.
        deadline = time.monotonic() + 120
        while leader_pid(engine) is None:
            assert time.monotonic() < deadline, "one of the schedulers takes the lead"
            time.sleep(0.2)
        # Only now, with every case in place and a leader, are the timers spread over the next seconds: starting
        # 1,000 cases took 3 s alone but 9.5 s beside the other tests, and a spread that ran out before they were
        # committed left nothing for a standby.
        start = datetime.now(UTC) + timedelta(seconds=LEAD_IN_SECONDS)
        with unit_of_work(factory) as session:
            timer_ids = session.scalars(select(Timer.id).order_by(Timer.id)).all()
            session.execute(update(Timer), [
                {"id": timer_id, "due_at": start + timedelta(seconds=SPREAD_SECONDS * n / TIMERS)}
                for n, timer_id in enumerate(timer_ids)])
        deadline = time.monotonic() + LEAD_IN_SECONDS + SPREAD_SECONDS + 60
        while fired_count(engine) < KILL_AFTER:
            assert time.monotonic() < deadline, "the leader fires the first timers"
            time.sleep(0.1)
        killed = leader_pid(engine)
        assert killed in {p.pid for p in schedulers}, "one of our schedulers leads"
        os.kill(killed, signal.SIGKILL)
        killed_at = datetime.now(UTC)
        assert fired_count(engine) < TIMERS, "timers were left for a standby when the leader was killed"
        deadline = time.monotonic() + SPREAD_SECONDS + 60
        while fired_count(engine) < TIMERS or leader_pid(engine) in (None, killed):
            assert time.monotonic() < deadline, "a standby takes over and fires the rest"
            time.sleep(0.5)
        successor = leader_pid(engine)
    finally:
        for process in schedulers:
            if process.poll() is None:
                process.terminate()
        for process in schedulers:
            process.wait(timeout=30)
    with unit_of_work(factory) as session:
        states = Counter(session.scalars(select(Timer.state)))
        fired = Counter(e.payload["timer_id"] for e in session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "timer.fired")))
        after_kill = session.scalar(select(func.count()).select_from(Timer).where(Timer.fired_at > killed_at))
    engine.dispose()
    assert states == {"fired": TIMERS}, "none lost"
    assert len(fired) == TIMERS and set(fired.values()) == {1}, "each fired exactly once, per the audit log"
    assert successor is not None and successor != killed, "a standby took over"
    assert after_kill > 0, "the standby fired timers the killed leader had left"
