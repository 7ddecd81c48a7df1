"""Batch passes: many cases or messages, each in a unit of work of its own, for the edges to run.

The core's services take a session and never commit (decision 1 in docs/architecture.md); which
transaction an action runs in is the entry point's business. A pass over many items is such a
decision — one broken case must not undo or block the others — so the passes live here, beside the
command line and the server, and are run by the scheduler's jobs, the commands and the migration page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine import notify
from engine.accounts.actors import Actor
from engine.audit import seal_export, sealing
from engine.cases import reminders, timers
from engine.cases.lifecycle import reference
from engine.cases.step import ModelError
from engine.cases.storage import BlobStore
from engine.db import unit_of_work
from engine.errors import DomainError
from engine.modelling import migration
from engine.models import OutboxState
from engine.retention import retention
from engine.retention.retention_rules import RetentionRules

logger = logging.getLogger(__name__)


def fire_due_timers(factory: sessionmaker[Session], *, now: datetime | None = None,
                    clock: Callable[[], datetime] | None = None, limit: int = 500) -> int:
    """One pass: each due timer in its own unit of work, so one broken case never blocks others.

    Each timer records the time of its own transaction (``clock()`` read when its case is
    locked), not the start of the pass: under a backlog of hundreds of timers the pass takes
    long, and ``fired_at``, the audit event's time and the lateness must say when it really
    fired. ``now`` instead of ``clock`` freezes time for the whole pass (tests, ``timers run``).
    """
    if clock is not None:
        read = clock
    elif now is not None:
        frozen = now
        read = lambda: frozen  # noqa: E731 - the frozen clock of this pass
    else:
        raise TypeError("fire_due_timers takes now or clock")
    with unit_of_work(factory) as session:
        ids = timers.due_timer_ids(session, now=read(), limit=limit)
    fired = 0
    for timer_id in ids:
        try:
            with unit_of_work(factory) as session:
                fired += timers.fire_timer_if_due(session, timer_id=timer_id, clock=read)
        except ModelError:
            continue
    return fired


def send_due_reminders(factory: sessionmaker[Session], *, now: datetime, base_url: str, limit: int = 500) -> int:
    """One pass: each task in its own unit of work, so one busy or broken case never blocks others."""
    with unit_of_work(factory) as session:
        ids = reminders.due_reminder_task_ids(session, now=now, limit=limit)
    reminded = 0
    for task_id in ids:
        with unit_of_work(factory) as session:
            reminded += reminders.remind_if_due(session, task_id=task_id, now=now, base_url=base_url)
    return reminded


def destroy_expired(factory: sessionmaker[Session], *, rules: RetentionRules, now: datetime, actor: Actor,
                    trigger: str, store: BlobStore | None = None) -> retention.RunResult:
    """Plan once, then destroy each due case in its own unit of work: one failure never undoes the others."""
    with unit_of_work(factory) as session:
        due = [item.instance_id for item in retention.plan(session, rules=rules, now=now).due]
    result = retention.RunResult()
    for instance_id in due:
        try:
            with unit_of_work(factory) as session:
                record = retention.destroy_case(session, rules=rules, instance_id=instance_id, actor=actor, now=now,
                                      trigger=trigger, store=store)
        except Exception:  # noqa: BLE001 - logged with the case id; the next case still gets its turn
            logger.exception("case not destroyed", extra={"instance_id": instance_id})
            result.failed.append(instance_id)
            continue
        if record is not None:
            result.destroyed.append(record)
    return result


def deliver_due(factory: sessionmaker[Session], *, transport: notify.Transport, now: datetime, max_attempts: int,
                limit: int = 100) -> notify.Delivery:
    """Send up to ``limit`` due messages, each claimed, sent and settled on its own."""
    result = notify.Delivery()
    for _ in range(limit):
        with unit_of_work(factory) as session:
            claimed = notify.claim_due(session, now=now)
        if claimed is None:
            break
        error: str | None = None
        try:
            transport.send(claimed.email(now))
        except Exception as exc:  # any failure must reach the row, or it would be leased forever
            error = notify.describe_error(exc)
        with unit_of_work(factory) as session:
            state = notify.settle(session, message_id=claimed.id, now=now, error=error,
                                  max_attempts=max_attempts)
        if state == OutboxState.SENT:
            result.sent += 1
        elif state == OutboxState.FAILED:
            result.failed += 1
        else:
            result.retrying += 1
    return result


def export_pending(factory: sessionmaker[Session], target: str | None, *, now: datetime) -> int:
    """For the edges, after the sealing transaction committed: write every unexported seal, then mark them.

    Opens its own units of work (it runs after a commit). Marking comes after the write: if marking
    fails, the next export writes the same seals again, and reading an export skips repeated lines.
    """
    if not target:
        return 0
    with unit_of_work(factory) as session:
        pending = sealing.unexported(session)
    written = seal_export.export(target, pending)
    with unit_of_work(factory) as session:
        sealing.mark_exported(session, [record.id for record in pending], now=now)
    return written


def migrate_each(factory: sessionmaker[Session], *, actor: Actor, now: datetime, instance_ids: Iterable[int],
                 to_version: int, expected_versions: dict[int, int] | None = None) -> list[migration.Outcome]:
    """Migrate cases one by one, each in its own unit of work; a failure is reported, never spread."""
    outcomes = []
    for instance_id in instance_ids:
        expected = (expected_versions or {}).get(instance_id)
        try:
            with unit_of_work(factory) as session:
                row = migration.migrate(session, actor=actor, now=now, instance_id=instance_id, to_version=to_version,
                              expected_version=expected)
                done = migration.Outcome(instance_id, True, f"gemigreerd naar versie {to_version}", reference(row))
        except DomainError as exc:
            outcomes.append(migration.Outcome(instance_id, False, exc.message))
        except StaleDataError:
            outcomes.append(migration.Outcome(instance_id, False,
                                              "Iemand anders wijzigde de zaak tegelijk; probeer opnieuw."))
        else:
            outcomes.append(done)
    return outcomes
