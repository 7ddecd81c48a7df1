"""APScheduler BlockingScheduler (Europe/Amsterdam) with an SQLAlchemy job store for calendar jobs.

It fires due BPMN timers every poll interval, enqueues reminders for overdue tasks every minute,
sends the e-mail outbox every few seconds, runs the meeting calendar (plan, call, freeze agendas)
every minute, seals the audit chain heads every few minutes (``SIGNAALROUTE_ZEGEL_INTERVAL_MINUTEN``),
reports cases that wait for nothing every quarter of an hour, and every night at
03.00 uur verifies and seals the whole audit log and then applies the retention periods
(``retention.toml``), in that order, as one job (see :func:`jobs.nightly`). Timers are rows
(decision 7) fired through :func:`signaalroute.passes.fire_due_timers`, each under its case
lock. Any number of these processes may run: one leads (see :mod:`scheduler.leader`),
the others stand by (on PostgreSQL helping fire timers) and take over within a poll interval when
it dies.

Only the leader attaches the persistent (SQLAlchemy) job store: APScheduler does not support
several processes sharing one, a standby could consume a run and skip it. The poll jobs live
in memory in every process and are guarded by leadership.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from datetime import datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from engine import logs
from engine.audit.seal_key import seal_key
from engine.cases.storage import DirectoryBlobStore
from engine.config import Settings, load_settings
from engine.db import make_engine, make_session_factory
from engine.notify import SmtpConfig
from engine.regions.regions import load_regions
from engine.retention.retention_rules import load_rules
from engine.workflow.calendar import ENV_VARIABLE as CALENDAR_VARIABLE
from engine.workflow.calendar import calendar_from_env
from scheduler import jobs
from scheduler.jobs import system_clock
from scheduler.leader import Leadership

logger = logging.getLogger(__name__)
PERSISTENT = "persistent"
MAIL_POLL_SECONDS = 10
REMINDER_POLL_SECONDS = 60  # due dates are whole minutes at best; a reminder a minute late is on time
MEETING_POLL_SECONDS = 60  # calls and agenda freezes are set to the minute
STRANDED_POLL_SECONDS = 15 * 60  # a report for people: every quarter of an hour is soon enough
NIGHTLY_HOUR = 3  # exists exactly once every night in Europe/Amsterdam (02.00 does not, or twice)
NIGHTLY_JOB = "nachtwerk"
# The separate seal and retention jobs of older releases, before one nightly job fixed their order.
_RETIRED_JOBS = ("audit-anchor", "bewaartermijnen")


def _attach_calendar_jobs(scheduler: BaseScheduler, factory: sessionmaker[Session]) -> None:
    if PERSISTENT not in scheduler._jobstores:  # noqa: SLF001 - APScheduler has no public lookup
        scheduler.add_jobstore(SQLAlchemyJobStore(engine=factory.kw["bind"]), alias=PERSISTENT)
    for retired in _RETIRED_JOBS:  # an older release stored them in the job store
        with contextlib.suppress(JobLookupError):
            scheduler.remove_job(retired, jobstore=PERSISTENT)
    scheduler.add_job(jobs.nightly, "cron", hour=NIGHTLY_HOUR, minute=0, id=NIGHTLY_JOB, jobstore=PERSISTENT,
                      replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=6 * 3600)


def _detach_calendar_jobs(scheduler: BaseScheduler) -> None:
    if PERSISTENT in scheduler._jobstores:  # noqa: SLF001
        scheduler.remove_jobstore(PERSISTENT, shutdown=True)


def build(settings: Settings, factory: sessionmaker[Session] | None = None,
          clock: Callable[[], datetime] = system_clock) -> BlockingScheduler:
    """The scheduler with its jobs; ``factory`` and ``clock`` let tests pass their own database and time.

    Every job reads ``clock`` (through its runtime), never the system time itself.
    """
    factory = factory or make_session_factory(make_engine(settings.database_url))
    scheduler = BlockingScheduler(timezone="Europe/Amsterdam")
    jobs.install(jobs.Runtime(
        factory=factory, leadership=Leadership(factory.kw["bind"]),
        on_leading=lambda: _attach_calendar_jobs(scheduler, factory),
        on_standby=lambda: _detach_calendar_jobs(scheduler),
        base_url=settings.base_url, smtp=SmtpConfig.from_settings(settings),
        mail_max_attempts=settings.mail_max_attempts,
        regions=load_regions(settings.regions_dir),
        calendar=calendar_from_env(os.environ.get(CALENDAR_VARIABLE)),
        retention_rules=load_rules(settings.retention_file),
        file_store=DirectoryBlobStore(settings.file_store_dir),
        seal_key=seal_key(settings), seal_export=settings.seal_export, clock=clock,
    ))
    poll = settings.timer_poll_seconds
    now = clock()
    scheduler.add_job(jobs.contend, "interval", seconds=poll, id="leadership", coalesce=True, max_instances=1,
                      next_run_time=now)
    scheduler.add_job(jobs.fire_timers, "interval", seconds=poll, id="bpmn-timers", coalesce=True,
                      max_instances=1, next_run_time=now, misfire_grace_time=None)
    scheduler.add_job(jobs.send_reminders, "interval", seconds=REMINDER_POLL_SECONDS, id="reminders",
                      coalesce=True, max_instances=1, next_run_time=now, misfire_grace_time=None)
    scheduler.add_job(jobs.send_mail, "interval", seconds=MAIL_POLL_SECONDS, id="outbox", coalesce=True,
                      max_instances=1, next_run_time=now, misfire_grace_time=None)
    scheduler.add_job(jobs.seal_audit_log, "interval", minutes=settings.seal_interval_minutes, id="audit-zegel",
                      coalesce=True, max_instances=1, misfire_grace_time=None)
    scheduler.add_job(jobs.run_meetings, "interval", seconds=MEETING_POLL_SECONDS, id="overleg", coalesce=True,
                      max_instances=1, next_run_time=now, misfire_grace_time=None)
    scheduler.add_job(jobs.report_stranded_cases, "interval", seconds=STRANDED_POLL_SECONDS, id="vastgelopen",
                      coalesce=True, max_instances=1, next_run_time=now, misfire_grace_time=None)
    return scheduler


def main() -> None:
    settings = load_settings()
    logs.configure(settings.log_level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per second is noise
    logger.info("scheduler starting", extra={"poll_seconds": settings.timer_poll_seconds,
                                             "smtp": "configured" if settings.smtp_host else "none"})
    if not settings.smtp_host:
        logger.warning("no SMTP host configured: e-mail stays in the outbox (SIGNAALROUTE_SMTP_HOST)")
    try:
        build(settings).start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("scheduler stopped")
