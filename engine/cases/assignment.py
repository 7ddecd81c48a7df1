"""Claim, release and assign tasks: who in a team holds a task, under the case lock, audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.users import user_by_username
from engine.audit import access_log, log
from engine.audit.events import EventType
from engine.cases import case_store
from engine.cases.lifecycle import visible_task
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import HumanTask, TaskState, User


def _locked_ready(session: Session, actor: Actor, task_id: int, *, coordinating: bool = False) -> HumanTask:
    """The ready task under its case's lock. ``coordinating``: a coordinator reaches every task of the
    team, also one a colleague holds; anyone else only what they may work on (others: NotFound)."""
    if coordinating:
        task = session.get(HumanTask, task_id)
        if task is None or not access.can_view_task(actor, task):
            raise NotFound("Taak niet gevonden.")
    else:
        task = visible_task(session, actor, task_id)
    case_store.require_locked(session, task.instance_id)
    session.refresh(task)
    if task.state != TaskState.READY:
        raise Conflict("Deze taak is al afgerond of vervallen; ververs de pagina.")
    return task


def _record(session: Session, event_type: EventType, actor: Actor, now: datetime, task: HumanTask,
            assignee: User | None, previous: User | None = None) -> None:
    payload = {"element_id": task.element_id, "assignee": assignee.username if assignee else None}
    if previous is not None:  # a reassignment: the history says whose hands the task left
        payload["previous_assignee"] = previous.username
    log.record(session, event_type=event_type, actor=actor, now=now, instance_id=task.instance_id, task_id=task.id,
               payload=payload)


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
    """Hand a task of the team to a colleague with the task's role in the task's organisation, also when
    another colleague holds it now (coordinators only)."""
    # First the visibility: a task the actor may not see stays a 404, for coordinators and others alike.
    task = _locked_ready(session, actor, task_id, coordinating=actor.coordinator)
    if not actor.coordinator:
        raise Forbidden("Alleen een coördinator van het team mag een taak aan een collega toewijzen.")
    colleague = user_by_username(session, username)
    if (colleague is None or not colleague.active or colleague.role != task.role
            or colleague.organisation_id != task.organisation_id):
        message = "Kies een collega met dezelfde rol binnen dezelfde organisatie."
        raise ValidationFailed(message, {"username": message})
    if task.assignee_id == colleague.id:
        return task
    previous = session.get(User, task.assignee_id) if task.assignee_id is not None else None
    task.assignee_id = colleague.id
    _record(session, EventType.TASK_ASSIGNED, actor, now, task, colleague, previous)
    return task


def view_held_task(session: Session, *, actor: Actor, now: datetime, task_id: int) -> HumanTask:
    """A coordinator opens a task of the team that a colleague holds, to see it and hand it on (read-only:
    completing stays with the holder). Logged as a read of its case, like opening any task.

    :raises NotFound: for anyone else, and for tasks outside the team, so existence never leaks.
    """
    task = session.get(HumanTask, task_id)
    if task is None or not actor.coordinator or not access.in_team(actor, task):
        raise NotFound("Taak niet gevonden.")
    access_log.record_view(session, actor=actor, now=now, instance_id=task.instance_id,
                           action=access_log.TASK_VIEWED)
    return task


def colleagues(session: Session, *, actor: Actor, task: HumanTask) -> list[User]:
    """Whom a coordinator can hand ``task`` to: active accounts with its role in its organisation."""
    if not (actor.coordinator and access.in_team(actor, task)):
        return []
    return list(session.scalars(select(User).where(User.role == task.role, User.organisation_id == task.organisation_id,
                                                   User.active.is_(True)).order_by(User.display_name, User.id)))
