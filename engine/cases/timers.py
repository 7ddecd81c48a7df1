"""Fire waiting BPMN timers exactly once (decision 7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import access
from engine.accounts.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.cases import cases
from engine.cases.instances import ModelError, fail, record_completion
from engine.db import unit_of_work
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import Instance, Timer, TimerState
from engine.models.instances import InstanceStatus
from engine.workflow import runner
from engine.workflow.errors import WorkflowFailed

SCHEDULER = Actor.system("planner")


MAX_REASON_LENGTH = 500


def _fire_locked(session: Session, instance: Instance, timer: Timer, actor: Actor, now: datetime,
                 manual: dict[str, str] | None = None) -> None:
    workflow = cases.load_workflow(session, instance)
    try:
        runner.fire_timer(workflow, timer.spiff_task_id, now)
    except LookupError:
        timer.state = TimerState.CANCELLED
        return
    except WorkflowFailed as exc:
        timer.state = TimerState.FAILED
        raise fail(session, instance, actor, now, exc, timer_id=timer.id) from exc
    timer.state = TimerState.FIRED
    timer.fired_at = now
    session.flush()
    created = cases.store(session, instance, workflow, now)
    log.record(session, event_type=EventType.TIMER_FIRED, actor=actor, now=now, instance_id=instance.id,
               definition_id=instance.definition_id, payload={
                   "timer_id": timer.id, "element_id": timer.element_id, "spiff_task_id": timer.spiff_task_id,
                   "due_at": timer.due_at.isoformat(),
                   "lateness_seconds": round((now - timer.due_at).total_seconds(), 3),
                   "state_sha256": cases.state_hash(instance),
                   "ready_tasks": [t.element_id for t in created],
                   **(manual or {}),
               })
    record_completion(session, instance, actor, now)


def execute_timer(session: Session, *, actor: Actor, now: datetime, timer_id: int, reason: str = "") -> Instance:
    """Fire one timer now, due or not (Camunda's "execute job"); beheerder only.

    The beheerder reads no case content, yet this moves a case on: the event says it was done by hand,
    by whom and why, and the case page shows that to the people handling the case.
    """
    if not access.can_execute_timers(actor):
        raise Forbidden("Alleen een beheerder mag een timer direct laten aflopen.")
    reason = reason.strip()
    if len(reason) > MAX_REASON_LENGTH:
        message = f"De reden is te lang: hoogstens {MAX_REASON_LENGTH} tekens."
        raise ValidationFailed(message, {"reason": message})
    timer = session.get(Timer, timer_id)
    if timer is None:
        raise NotFound("Timer niet gevonden.")
    instance = cases.require_locked(session, timer.instance_id)
    session.refresh(timer)
    if timer.state != TimerState.WAITING:
        raise Conflict("Deze timer is al afgegaan of vervallen.")
    cases.ensure_active(instance)
    _fire_locked(session, instance, timer, actor, now, manual={"manual": "beheerder", "reason": reason})
    return instance


def fire_timer_if_due(session: Session, *, timer_id: int, now: datetime | None = None,
                      clock: Callable[[], datetime] | None = None, actor: Actor = SCHEDULER) -> bool:
    """Fire one due timer under its case lock; False when someone else holds or already fired it.

    With ``clock``, the time is read once the case is locked: the firing is dated by its own
    transaction, however long others before it in the pass took.
    """
    candidate = session.get(Timer, timer_id)
    if candidate is None:
        return False
    instance = cases.lock_instance(session, candidate.instance_id, skip_locked=True)
    if instance is None:
        return False
    if clock is not None:
        now = clock()
    if now is None:
        raise TypeError("fire_timer_if_due takes now or clock")
    timer = session.scalar(
        select(Timer).where(Timer.id == timer_id).execution_options(populate_existing=True)
    )
    if timer is None or timer.state != TimerState.WAITING or timer.due_at > now:
        return False
    if instance.status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED, InstanceStatus.DESTROYED):
        timer.state = TimerState.CANCELLED
        return False
    _fire_locked(session, instance, timer, actor, now)
    return True


def due_timer_ids(session: Session, *, now: datetime, limit: int = 500) -> list[int]:
    """Due timers, oldest first, so timers missed during an outage fire in order."""
    return list(session.scalars(
        select(Timer.id).where(Timer.state == TimerState.WAITING, Timer.due_at <= now)
        .order_by(Timer.due_at, Timer.id).limit(limit)
    ))


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
        ids = due_timer_ids(session, now=read(), limit=limit)
    fired = 0
    for timer_id in ids:
        try:
            with unit_of_work(factory) as session:
                fired += fire_timer_if_due(session, timer_id=timer_id, clock=read)
        except ModelError:
            continue
    return fired
