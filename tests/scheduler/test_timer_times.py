"""Timers are dated by their own transaction; standbys help on PostgreSQL; the nightly jobs keep
their order on DST nights; stranded cases are reported."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent, Case, Timer
from engine.workflow import runner
from scheduler import jobs
from scheduler.leader import Leadership
from scheduler.main import NIGHTLY_JOB, build
from signaalroute import passes
from tests.support.helpers import PROCESS, complete, deploy, ready, start, waiting

pytestmark = pytest.mark.postgres


class TickingClock:
    """Every read is one second later: what a backlog pass looks like from inside."""

    def __init__(self, start: datetime):
        self.now = start
        self.reads: list[datetime] = []

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        self.reads.append(self.now)
        return self.now


def test_each_timer_records_the_moment_its_own_transaction_fired_it(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    cases = [start(factory, world.af, at(), PROCESS) for _ in range(3)]
    clock = TickingClock(at() + timedelta(days=3))
    assert passes.fire_due_timers(factory, clock=clock) == 3
    with unit_of_work(factory) as session:
        rows = list(session.scalars(select(Timer).where(Timer.state == "fired").order_by(Timer.fired_at)))
        events = {e.payload["timer_id"]: e for e in session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "timer.fired"))}
    assert sorted(r.instance_id for r in rows) == cases
    fired_at = [r.fired_at for r in rows]
    assert len(set(fired_at)) == 3, "not the start of the pass, three different moments"
    assert set(fired_at) <= set(clock.reads[1:]), "each read after the pass began"
    for row in rows:
        event = events[row.id]
        assert event.occurred_at == row.fired_at
        assert event.payload["lateness_seconds"] == (row.fired_at - row.due_at).total_seconds()


def test_a_standby_helps_fire_timers_on_postgresql_and_leaves_it_to_the_leader_on_sqlite(
        factory, world, forms, at, db_url, tmp_path):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, datetime(2020, 1, 1, tzinfo=UTC), PROCESS)
    leader = Leadership(factory.kw["bind"])
    assert leader.try_acquire()
    try:
        build(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64), factory)
        jobs.contend()
        assert not jobs._runtime.leadership.is_leader
        jobs.fire_timers()
        if factory.kw["bind"].dialect.name == "postgresql":
            assert waiting(factory, case) == [], "the standby fired the due timer"
            assert list(ready(factory, case)) == ["herinnering"]
        else:
            assert len(waiting(factory, case)) == 1, "SQLite has one writer: only the leader fires"
    finally:
        leader.release()


def _fire_times(trigger, since: datetime, until: datetime) -> list[datetime]:
    times, previous, now = [], None, since
    while True:
        nxt = trigger.get_next_fire_time(previous, now)
        if nxt is None or nxt >= until:
            return times
        times.append(nxt.astimezone(UTC))
        previous, now = nxt, nxt + timedelta(seconds=1)


def test_the_nightly_job_runs_once_on_both_dst_nights_and_seals_before_retention(factory, db_url, tmp_path,
                                                                                  monkeypatch):
    scheduler = build(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64), factory)
    try:
        jobs.contend()
        assert {"audit-anchor", "bewaartermijnen"}.isdisjoint(j.id for j in scheduler.get_jobs())
        trigger = scheduler.get_job(NIGHTLY_JOB).trigger
    finally:
        jobs._runtime.leadership.release()
    spring = _fire_times(trigger, datetime(2027, 3, 27, 12, tzinfo=UTC), datetime(2027, 3, 29, 12, tzinfo=UTC))
    autumn = _fire_times(trigger, datetime(2026, 10, 24, 12, tzinfo=UTC), datetime(2026, 10, 26, 12, tzinfo=UTC))
    assert spring == [datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 3, 29, 1, tzinfo=UTC)]
    assert autumn == [datetime(2026, 10, 25, 2, tzinfo=UTC), datetime(2026, 10, 26, 2, tzinfo=UTC)]

    done: list[str] = []
    monkeypatch.setattr(jobs, "verify_audit_log", lambda: done.append("seal"))
    monkeypatch.setattr(jobs, "apply_retention", lambda: done.append("retention"))
    jobs.nightly()
    assert done == ["seal", "retention"]


def test_the_stranded_case_report_names_the_case_and_changes_nothing(factory, world, forms, at, db_url, tmp_path,
                                                                     monkeypatch, caplog):
    deploy(factory, world.regisseur, at(), forms, "vastgelopen.bpmn")
    healthy = start(factory, world.af, at(), "vastgelopen")
    stranded = start(factory, world.af, at(), "vastgelopen")
    tasks = ready(factory, stranded)
    complete(factory, world.af, at(), forms, tasks["tweede"].id, {"samen": False})
    # As an older release (or a restored backup) would have stored it: the step check skipped.
    monkeypatch.setattr(runner, "_require_movable", lambda workflow: None)
    complete(factory, world.af, at(), forms, tasks["eerste"].id, {})
    monkeypatch.undo()
    with unit_of_work(factory) as session:
        state_before = session.get(Case, stranded).state

    build(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64), factory)
    try:
        jobs.contend()
        caplog.set_level(logging.INFO)
        jobs.report_stranded_cases()
    finally:
        jobs._runtime.leadership.release()
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.instance_ids == [stranded] and healthy not in record.instance_ids
    with unit_of_work(factory) as session:
        instance = session.get(Case, stranded)
        assert (instance.status, instance.state) == ("active", state_before), "reported, not repaired"
