"""APScheduler BlockingScheduler (Europe/Amsterdam): fires due BPMN timers every poll interval and
seals the audit log daily at 02.00 uur.

Timers are rows (decision 7): this process only claims and fires them through
:func:`engine.services.timers.fire_due_timers`, each in its own unit of work, so several
schedulers may run side by side and every timer still fires once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from engine import logs
from engine.audit import anchor
from engine.config import Settings, load_settings
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.services.timers import fire_due_timers

logger = logging.getLogger(__name__)


def build(settings: Settings, factory: sessionmaker[Session] | None = None) -> BlockingScheduler:
    """The scheduler with its jobs; ``factory`` lets tests pass their own database sessions."""
    factory = factory or make_session_factory(make_engine(settings.database_url))
    scheduler = BlockingScheduler(timezone="Europe/Amsterdam")

    def fire_timers() -> None:
        fired = fire_due_timers(factory, now=datetime.now(UTC))
        if fired:
            logger.info("timers fired", extra={"count": fired})

    scheduler.add_job(fire_timers, "interval", seconds=settings.timer_poll_seconds, id="bpmn-timers",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))

    def seal_audit_log() -> None:
        with unit_of_work(factory) as session:
            sealed = anchor.seal(session, now=datetime.now(UTC))
        logger.info("audit log sealed", extra={"anchor_id": sealed.id})

    scheduler.add_job(seal_audit_log, "cron", hour=2, minute=0, id="audit-anchor", coalesce=True,
                      misfire_grace_time=6 * 3600)
    return scheduler


def main() -> None:
    settings = load_settings()
    logs.configure(settings.log_level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per second is noise
    logger.info("scheduler starting", extra={"poll_seconds": settings.timer_poll_seconds})
    try:
        build(settings).start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("scheduler stopped")
