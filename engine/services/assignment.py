"""Claim, release and assign tasks: who in a team holds a task, under the case lock, audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.models import HumanTask, TaskState, User
from engine.services import cases
from engine.services.instances import visible_task
from engine.services.users import user_by_username


def _locked_ready(session: Session, actor: Actor, task_id: int) -> HumanTask:
    task = visible_task(session, actor, task_id)
    cases.require_locked(session, task.instance_id)
    session.refresh(task)
    if task.state != TaskState.READY:
        raise Conflict("Deze taak is al afgerond of vervallen; ververs de pagina.")
    return task


def _record(session: Session, event_type: EventType, actor: Actor, now: datetime, task: HumanTask,
            assignee: User | None) -> None:
    log.record(session, event_type=event_type, actor=actor, now=now, instance_id=task.instance_id, task_id=task.id,
               payload={"element_id": task.element_id, "assignee": assignee.username if assignee else None})


def claim(session: Session, *, actor: Actor, now: datetime, task_id: int) -> HumanTask:
    """Take a team task as your own, so colleagues see it is being handled."""
    task = _locked_ready(session, actor, task_id)
    if task.assignee_id == actor.user_id:
        return task
    task.assignee_id = actor.user_id
    _record(session, EventType.TASK_CLAIMED, actor, now, task, session.get(User, actor.user_id))
    return task


def release(session: Session, *, actor: Actor, now: datetime, task_id: int) -> HumanTask:
    """Give a claimed task back to the team."""
    task = _locked_ready(session, actor, task_id)
    if task.assignee_id != actor.user_id:
        raise Conflict("U heeft deze taak niet in behandeling.")
    task.assignee_id = None
    _record(session, EventType.TASK_RELEASED, actor, now, task, None)
    return task


def assign(session: Session, *, actor: Actor, now: datetime, task_id: int, username: str) -> HumanTask:
    """Hand a task to a colleague with the task's role in the task's organisation (coordinators only)."""
    task = _locked_ready(session, actor, task_id)  # first: a task the actor may not see stays a 404
    if not actor.coordinator:
        raise Forbidden("Alleen een coördinator van het team mag een taak aan een collega toewijzen.")
    colleague = user_by_username(session, username)
    if (colleague is None or not colleague.active or colleague.role != task.role
            or colleague.organisation_id != task.organisation_id):
        message = "Kies een collega met dezelfde rol binnen dezelfde organisatie."
        raise ValidationFailed(message, {"username": message})
    task.assignee_id = colleague.id
    _record(session, EventType.TASK_ASSIGNED, actor, now, task, colleague)
    return task
