"""The scheduler's jobs as importable functions (the SQLAlchemy job store stores references).

Every job runs only in the leading process; standbys keep contending for leadership. One
exception: on PostgreSQL standbys help fire due BPMN timers. That is safe because each timer fires
under its case's row lock taken with ``SKIP LOCKED`` and re-checks the timer's state after the lock
(a timer another process fired is skipped), and it turns catch-up after an outage from one
process's work into all of theirs. On SQLite (one host, one writer at a time) helping would only
queue for the database's write lock, so there the leader alone fires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from engine import notify
from engine.audit import sealing, verification
from engine.audit.seal_key import SealKey
from engine.cases import stranded
from engine.cases.storage import BlobStore
from engine.cases.timers import SCHEDULER
from engine.db import unit_of_work
from engine.meetings import meetings
from engine.regions.regions import Region
from engine.retention import retention
from engine.retention.retention_rules import RetentionRules
from engine.workflow.calendar import WorkingDayCalendar
from scheduler.leader import Leadership
from signaalroute import passes


def system_clock() -> datetime:
    """The wall clock, in UTC: the default every job reads through its runtime."""
    return datetime.now(UTC)


logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    factory: sessionmaker[Session]
    leadership: Leadership
    on_leading: Callable[[], None] = lambda: None
    on_standby: Callable[[], None] = lambda: None
    leading: bool = False
    base_url: str = "http://127.0.0.1:8000"
    smtp: notify.SmtpConfig | None = None  # None: mail stays in the outbox
    mail_max_attempts: int = 8
    clock: Callable[[], datetime] = system_clock
    unsent_reported: int = 0  # pending count last logged without SMTP, so the log says it once
    regions: dict[str, Region] = field(default_factory=dict)
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)
    unplanned_reported: dict[str, str] = field(default_factory=dict)  # region -> why, logged once
    retention_rules: RetentionRules | None = None  # None: no retention job (tests that do not need it)
    file_store: BlobStore | None = None  # the bytes of case files, deleted with their case
    seal_key: SealKey | None = None  # None: no seals (tests that do not need them)
    seal_export: str | None = None  # SIGNAALROUTE_ZEGEL_EXPORT: file path or "syslog"


_runtime: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _runtime
    _runtime = runtime


def _leading() -> Runtime | None:
    if _runtime is None:
        raise RuntimeError("scheduler jobs run before scheduler.jobs.install()")
    return _runtime if _runtime.leadership.is_leader else None


def contend() -> None:
    """Try to take over leadership (the lock frees when a leader dies); react to changes."""
    if _runtime is None:
        return
    leads = _runtime.leadership.try_acquire()
    if leads and not _runtime.leading:
        _runtime.leading = True
        _runtime.on_leading()
    elif not leads and _runtime.leading:
        _runtime.leading = False
        _runtime.on_standby()


def _firing_timers() -> Runtime | None:
    """The leader, or on PostgreSQL any process (see the module docstring)."""
    runtime = _leading()
    if runtime is None and _runtime is not None and _runtime.factory.kw["bind"].dialect.name == "postgresql":
        return _runtime
    return runtime


def fire_timers() -> None:
    runtime = _firing_timers()
    if runtime is None:
        return
    fired = passes.fire_due_timers(runtime.factory, clock=runtime.clock)
    if fired:
        logger.info("timers fired", extra={"count": fired, "leader": runtime.leadership.is_leader})


def verify_audit_log() -> None:
    """Nightly: verify the whole log (every event once, streamed), then seal; export the seal.

    The verification seals in its own transaction, after checking: a chain cut short since the last
    seal shows against its head row and that seal first, and the seal takes the heads from the head
    rows, so a cut is never sealed in. The recorded problems stay visible on the beheer page.
    """
    runtime = _leading()
    if runtime is None or runtime.seal_key is None:
        return
    now = runtime.clock()
    with unit_of_work(runtime.factory) as session:
        checked = verification.run(session, actor=SCHEDULER, now=now, trigger=verification.SCHEDULER,
                                   verifier=runtime.seal_key.verifier, key=runtime.seal_key)
        outcome = {"verification_id": checked.id, "ok": checked.ok, "problems": len(checked.problems)}
    if outcome["ok"]:
        logger.info("audit log verified", extra=outcome)
    else:
        logger.warning("audit log verification found problems", extra=outcome)
    _export_seals(runtime, now)


def seal_audit_log() -> None:
    """Every few minutes: seal the chain heads that moved since the last seal, and export the seal."""
    runtime = _leading()
    if runtime is None or runtime.seal_key is None:
        return
    now = runtime.clock()
    with unit_of_work(runtime.factory) as session:
        made = sealing.seal(session, key=runtime.seal_key, now=now)
    logger.info("audit log sealed", extra={"anchor_id": made.id, "count": len(made.heads)})
    _export_seals(runtime, now)


def _export_seals(runtime: Runtime, now: datetime) -> None:
    try:
        written = passes.export_pending(runtime.factory, runtime.seal_export, now=now)
    except OSError:
        logger.exception("audit seals not exported; the next pass tries again")
        return
    if written:
        logger.info("audit seals exported", extra={"count": written})


def nightly() -> None:
    """Verify and seal, then retention: one job, so their order holds on every night, DST nights included.

    As two cron jobs at 02.00 and 03.00 uur Europe/Amsterdam both ran at 01.00 UTC on the night
    the clocks go forward (02.00 does not exist), and the seal ran twice on the night they go back
    (02.00 happens twice). 03.00 uur exists exactly once every night. A failed seal is logged and
    retention still runs, as it did when they were separate jobs.
    """
    try:
        verify_audit_log()
    except Exception:
        logger.exception("nightly audit verification and seal failed")
    apply_retention()


def report_stranded_cases() -> None:
    """Log active cases with nothing to wait for; a person decides what happens to them."""
    runtime = _leading()
    if runtime is None:
        return
    with unit_of_work(runtime.factory) as session:
        found = stranded.stranded_case_ids(session)
    if found:
        logger.error("active cases wait for nothing (no task, timer or event): they need a beheerder",
                     extra={"count": len(found), "instance_ids": found[:100]})


def send_reminders() -> None:
    """Enqueue one reminder per overdue task; the outbox job sends them."""
    runtime = _leading()
    if runtime is None:
        return
    reminded = passes.send_due_reminders(runtime.factory, now=runtime.clock(), base_url=runtime.base_url)
    if reminded:
        logger.info("task reminders enqueued", extra={"count": reminded})


def run_meetings() -> None:
    """Plan meetings from the region profiles, send calls for signals, freeze agendas, add late acute signals."""
    runtime = _leading()
    if runtime is None:
        return
    with unit_of_work(runtime.factory) as session:
        result = meetings.run_cycle(session, regions=runtime.regions, calendar=runtime.calendar,
                                    now=runtime.clock(), base_url=runtime.base_url)
    for region, outcome in result["planned"].items():
        if isinstance(outcome, str) and runtime.unplanned_reported.get(region) != outcome:
            logger.warning("meetings not planned from the region profile", extra={"region": region,
                                                                                    "reason": outcome})
            runtime.unplanned_reported[region] = outcome
    if result["called"] or result["frozen"] or result["acute_added"]:
        logger.info("meeting cycle", extra={k: result[k] for k in ("called", "frozen", "acute_added")})


def apply_retention() -> None:
    """Nightly: destroy the content of every case whose retention period has passed.

    Each case in its own transaction under its lock (engine.retention.retention); the log line
    carries counts and case ids only.
    """
    runtime = _leading()
    if runtime is None or runtime.retention_rules is None:
        return
    result = passes.destroy_expired(runtime.factory, rules=runtime.retention_rules, now=runtime.clock(),
                                       actor=SCHEDULER, trigger=retention.PLANNER, store=runtime.file_store)
    if result.destroyed or result.failed:
        logger.info("retention applied", extra={"destroyed": [r.instance_id for r in result.destroyed],
                                                "failed": result.failed})


def send_mail() -> None:
    """Deliver due outbox messages; without an SMTP host they wait, and the log says so (once per count)."""
    runtime = _leading()
    if runtime is None:
        return
    if runtime.smtp is None:
        with unit_of_work(runtime.factory) as session:
            pending = notify.pending_count(session)
        if pending and pending != runtime.unsent_reported:
            logger.warning("mail kept in outbox: no SMTP host configured (SIGNAALROUTE_SMTP_HOST)",
                           extra={"pending": pending})
        runtime.unsent_reported = pending
        return
    with notify.SmtpTransport(runtime.smtp) as transport:
        delivery = passes.deliver_due(runtime.factory, transport=transport, now=runtime.clock(),
                                      max_attempts=runtime.mail_max_attempts)
    if delivery.sent or delivery.retrying or delivery.failed:
        logger.info("mail delivered", extra=asdict(delivery))
