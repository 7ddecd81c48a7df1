"""The scheduler process wires APScheduler to the core services; only the leader runs jobs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.config import Settings
from scheduler import jobs
from scheduler.leader import Leadership
from scheduler.main import build
from tests.support.helpers import PROCESS, deploy, ready, start, waiting

pytestmark = pytest.mark.postgres


def test_the_leader_fires_due_timers_and_a_standby_does_not(factory, world, forms, at, db_url, tmp_path):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, datetime(2020, 1, 1, tzinfo=UTC), PROCESS)
    assert len(waiting(factory, case)) == 1
    rival = Leadership(factory.kw["bind"])
    assert rival.try_acquire(), "another process leads first"
    scheduler = build(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64), factory)
    assert isinstance(scheduler, BlockingScheduler)
    assert str(scheduler.timezone) == "Europe/Amsterdam"
    jobs_by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs_by_id) == {"leadership", "bpmn-timers", "reminders", "outbox", "overleg", "audit-zegel",
                               "vastgelopen"}
    assert jobs_by_id["bpmn-timers"].trigger.interval.total_seconds() == 1

    jobs.contend()
    if db_url.startswith("sqlite"):  # on PostgreSQL a standby helps (tests/scheduler/test_timer_times.py)
        jobs.fire_timers()
        assert len(waiting(factory, case)) == 1, "a standby fires nothing"
    assert "nachtwerk" not in {job.id for job in scheduler.get_jobs()}, "calendar jobs only on the leader"
    rival.release()
    jobs.contend()
    assert "nachtwerk" in {job.id for job in scheduler.get_jobs()}
    jobs.fire_timers()
    assert waiting(factory, case) == []
    assert list(ready(factory, case)) == ["herinnering"]
    jobs._runtime.leadership.release()


def test_only_one_of_two_contenders_leads_until_it_lets_go(factory):
    first, second = Leadership(factory.kw["bind"]), Leadership(factory.kw["bind"])
    assert first.try_acquire() and not second.try_acquire()
    assert first.is_leader and not second.is_leader
    first.release()
    assert second.try_acquire()
    second.release()
