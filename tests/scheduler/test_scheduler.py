"""The scheduler process wires APScheduler to the timer service; its job fires due timers."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler

from engine.config import Settings
from scheduler.main import build
from tests.services.helpers import deploy, ready, start
from tests.services.test_timers import PROCESS, waiting


def test_the_timer_job_fires_timers_that_are_due(factory, world, forms, at, db_url, tmp_path):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, datetime(2020, 1, 1, tzinfo=UTC), PROCESS)
    assert len(waiting(factory, case)) == 1
    scheduler = build(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64), factory)
    assert isinstance(scheduler, BlockingScheduler)
    assert str(scheduler.timezone) == "Europe/Amsterdam"
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"bpmn-timers", "audit-anchor"}
    job = jobs["bpmn-timers"]
    assert job.trigger.interval.total_seconds() == 1
    job.func()
    assert waiting(factory, case) == []
    assert list(ready(factory, case)) == ["herinnering"]
