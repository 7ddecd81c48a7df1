"""Fire waiting BPMN timers exactly once (decision 7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.audit.events import EventType
from engine.cases import case_store
from engine.cases.step import ModelError, ready_elements, take_step
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import Case, Timer, TimerState
from engine.models.cases import CaseStatus
from engine.monitoring import figures
from engine.workflow import runner

SCHEDULER = Actor.system("planner")


MAX_REASON_LENGTH = 500


def _fire_locked(session: Session, instance: Case, timer: Timer, actor: Actor, now: datetime,
                 manual: dict[str, str] | None = None) -> None:
    def mark_fired() -> None:
        timer.state = TimerState.FIRED
        timer.fired_at = now
        session.flush()

    try:
        step = take_step(session, instance, actor=actor, now=now, event_type=EventType.TIMER_FIRED,
                  move=lambda workflow: runner.fire_timer(workflow, timer.spiff_task_id, now),
                  before_store=mark_fired, failure_context={"timer_id": timer.id},
                  cause=(timer.element_id, timer.name),
                  payload=lambda created: {
                      "timer_id": timer.id, "element_id": timer.element_id, "spiff_task_id": timer.spiff_task_id,
                      "due_at": timer.due_at.isoformat(),
                      "lateness_seconds": round((now - timer.due_at).total_seconds(), 3),
                      "ready_tasks": ready_elements(created),
                      **(manual or {}),
                  })
    except LookupError:  # the workflow no longer waits for this timer
        timer.state = TimerState.CANCELLED
        return
    except ModelError:
        timer.state = TimerState.FAILED
        raise
    figures.record_step(session, instance, now=now, created_roles=[t.role for t in step.created])


def execute_timer(session: Session, *, actor: Actor, now: datetime, timer_id: int, reason: str = "") -> Case:
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
    instance = case_store.require_locked(session, timer.instance_id)
    session.refresh(timer)
    if timer.state != TimerState.WAITING:
        raise Conflict("Deze timer is al afgegaan of vervallen.")
    case_store.ensure_active(instance)
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
    instance = case_store.lock_case(session, candidate.instance_id, skip_locked=True)
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
    if instance.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED, CaseStatus.DESTROYED):
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
