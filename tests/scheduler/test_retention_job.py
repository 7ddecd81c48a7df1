"""The retention job: once a day (03.00 uur, after the audit seal), on the leading scheduler only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from engine.config import Settings
from engine.db import unit_of_work
from engine.models import DestructionRecord
from scheduler import jobs
from scheduler.leader import Leadership
from scheduler.main import build
from tests.support.helpers import deploy, start
from tests.support.retention import write_rules

pytestmark = pytest.mark.postgres


def destroyed(factory):
    with unit_of_work(factory) as session:
        return list(session.scalars(select(DestructionRecord.instance_id)))


def test_the_leader_destroys_expired_cases_once_a_day_and_a_standby_does_not(factory, world, forms, at, db_url,
                                                                            tmp_path):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")  # never touched again: a running signal without decision
    rival = Leadership(factory.kw["bind"])
    assert rival.try_acquire(), "another process leads first"
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64,
                        retention_file=write_rules(tmp_path))
    scheduler = build(settings, factory)
    jobs._runtime.clock = lambda: at() + timedelta(days=3 * 365)
    try:
        jobs.contend()
        assert "nachtwerk" not in {job.id for job in scheduler.get_jobs()}, "calendar jobs only on the leader"
        jobs.apply_retention()
        assert destroyed(factory) == [], "a standby destroys nothing"

        rival.release()
        jobs.contend()
        job = scheduler.get_job("nachtwerk")  # seal, then retention (scheduler.jobs.nightly)
        assert isinstance(job.trigger, CronTrigger)
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"], fields["day"]) == ("3", "0", "*"), "every day at 03.00 uur"
        assert str(job.trigger.timezone) == "Europe/Amsterdam"
        jobs.apply_retention()
        jobs.apply_retention()
        assert destroyed(factory) == [case], "destroyed once, however often the job runs"
    finally:
        jobs._runtime.leadership.release()
