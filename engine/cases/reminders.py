"""Remind whoever holds an overdue task, once per task, by e-mail (a link only) and in the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import notify
from engine.accounts.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.cases import case_store, lifecycle
from engine.models import HumanTask, TaskState, User
from engine.models.cases import CaseStatus

SCHEDULER = Actor.system("planner")


def holders(session: Session, task: HumanTask) -> list[User]:
    """Who may work on the task now (as engine.access.can_work_on): its assignee, else the whole team."""
    if task.assignee_id is not None:
        assignee = session.get(User, task.assignee_id)
        return [assignee] if assignee is not None and assignee.active else []
    return list(session.scalars(
        select(User).where(User.role == task.role, User.organisation_id == task.organisation_id,
                           User.active.is_(True)).order_by(User.id)
    ))


def reminder_key(task_id: int, user_id: int) -> str:
    return f"reminder:task:{task_id}:user:{user_id}"


def due_reminder_task_ids(session: Session, *, now: datetime, limit: int = 500) -> list[int]:
    """Ready tasks past their due date that were not reminded yet, longest overdue first."""
    return list(session.scalars(
        select(HumanTask.id)
        .where(HumanTask.state == TaskState.READY, HumanTask.due_at <= now, HumanTask.reminded_at.is_(None))
        .order_by(HumanTask.due_at, HumanTask.id).limit(limit)
    ))


def remind_if_due(session: Session, *, task_id: int, now: datetime, base_url: str,
                  actor: Actor = SCHEDULER) -> bool:
    """Under the case lock (its audit chain has one writer): mark, enqueue one mail per holder, audit.

    False when the case is busy (try again next run) or the task no longer needs a reminder.
    """
    candidate = session.get(HumanTask, task_id)
    if candidate is None:
        return False
    instance = case_store.lock_case(session, candidate.instance_id, skip_locked=True)
    if instance is None or instance.status != CaseStatus.ACTIVE:
        return False
    task = session.scalar(select(HumanTask).where(HumanTask.id == task_id).execution_options(populate_existing=True))
    if (task is None or task.state != TaskState.READY or task.due_at is None or task.due_at > now
            or task.reminded_at is not None):
        return False
    subject, body = notify.task_mail(notify.REMINDER, base_url=base_url, task_id=task.id,
                                     reference=lifecycle.reference(instance))
    mailed, without_address = [], []
    for user in holders(session, task):
        if not user.email or not notify.is_address(user.email):
            without_address.append(user.id)
            continue
        notify.enqueue(session, key=reminder_key(task.id, user.id), kind=notify.REMINDER, recipient=user.email,
                       subject=subject, body=body, now=now, user_id=user.id, instance_id=instance.id,
                       task_id=task.id)
        mailed.append(user.id)
    task.reminded_at = now
    log.record(session, event_type=EventType.TASK_REMINDED, actor=actor, now=now, instance_id=instance.id,
               definition_id=instance.definition_id, task_id=task.id, payload={
                   "element_id": task.element_id, "due_at": task.due_at.isoformat(),
                   "mailed_user_ids": mailed, "without_address_user_ids": without_address,
               })
    return True
