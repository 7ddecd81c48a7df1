"""Load and store a case around one engine step, keeping the task and timer indexes in step.

Every change of a case goes through :func:`lock_instance` then :func:`store`: the state, the
task index, the timer rows and the audit event are written in the caller's one transaction.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, undefer

from engine.errors import Conflict, NotFound
from engine.instructions import render_instructions
from engine.models import HumanTask, Instance, Organisation, TaskState, Timer, TimerState
from engine.models.instances import InstanceStatus
from engine.roles import Role
from engine.services.specs import specs_for
from engine.workflow import pruning, runner, serializer
from engine.workflow.bundle import lane_role

ORGANISATIONS_KEY = "organisaties"
# Case data only intake sets (engine.services.region_context); completing a task may not change them.
SYSTEM_KEYS = frozenset({ORGANISATIONS_KEY, "regio", "termijn_terugkoppeling"})


def lock_instance(session: Session, instance_id: int, *, skip_locked: bool = False) -> Instance | None:
    """Take the case's write lock (decision 2) and return the freshly read row.

    PostgreSQL: ``SELECT ... FOR UPDATE`` (optionally ``SKIP LOCKED`` for the timer job). SQLite:
    the transaction already began IMMEDIATE, which holds the database's single write lock.
    """
    query = (
        select(Instance)
        .where(Instance.id == instance_id)
        .with_for_update(skip_locked=skip_locked, of=Instance)
        # The definition is loaded separately, after the lock: joined into FOR UPDATE, a migration that
        # committed while this transaction waited would leave the row without its (new) definition.
        .options(undefer(Instance.state), lazyload(Instance.definition))
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)


def require_locked(session: Session, instance_id: int) -> Instance:
    instance = lock_instance(session, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    return instance


def load_workflow(session: Session, instance: Instance) -> BpmnWorkflow:
    spec, subprocess_specs = specs_for(instance.definition)
    return serializer.loads(instance.state, spec=spec, subprocess_specs=subprocess_specs,
                            script_engine=runner.SCRIPT_ENGINE)


def _organisation_for(session: Session, instance: Instance, role: Role, data: dict[str, Any]) -> int:
    """A task goes to the case's gemeente unless the case data name a partner for that role."""
    wanted = data.get(ORGANISATIONS_KEY)
    slug = wanted.get(str(role)) if isinstance(wanted, dict) else None
    if isinstance(slug, str):
        found = session.scalar(select(Organisation.id).where(Organisation.slug == slug))
        if found is not None:
            return found
    return instance.organisation_id


def store(session: Session, instance: Instance, workflow: BpmnWorkflow, now: datetime) -> list[HumanTask]:
    """Write state and indexes; return the human tasks that became ready in this step."""
    pruning.prune(workflow)
    instance.state = serializer.dumps(workflow)
    instance.serializer_version = serializer.SERIALIZER_VERSION
    instance.updated_at = now
    instance.error_message = None
    instance.status = InstanceStatus.COMPLETED if workflow.completed else InstanceStatus.ACTIVE
    created = _sync_tasks(session, instance, workflow, now)
    _sync_timers(session, instance, workflow, now)
    session.flush()
    return created


def _sync_tasks(session: Session, instance: Instance, workflow: BpmnWorkflow, now: datetime) -> list[HumanTask]:
    """Index newly ready human tasks; cancel indexed ones the workflow no longer waits for."""
    default_role = Role(instance.definition.default_role)
    indexed = {t.spiff_task_id: t for t in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY)
    )}
    ready = runner.ready_human_tasks(workflow)
    created: list[HumanTask] = []
    for task in ready:
        if task.spiff_task_id in indexed:
            continue
        role = lane_role(task.task_spec, default_role)
        row = HumanTask(
            instance_id=instance.id, spiff_task_id=task.spiff_task_id, element_id=task.element_id,
            name=task.name, role=str(role), organisation_id=_organisation_for(session, instance, role, task.data),
            form=task.form, instructions=render_instructions(task.instructions, task.data),
            state=TaskState.READY, created_at=now, due_at=task.due_at,
        )
        session.add(row)
        created.append(row)
    still_ready = {t.spiff_task_id for t in ready}
    for spiff_id, row in indexed.items():
        if spiff_id not in still_ready:
            row.state = TaskState.CANCELLED
            row.completed_at = now
    return created


def _sync_timers(session: Session, instance: Instance, workflow: BpmnWorkflow, now: datetime) -> None:
    """One row per waiting timer and due time; rows the workflow no longer waits for are cancelled."""
    waiting = {(t.spiff_task_id, t.due_at): t for t in runner.waiting_timers(workflow)}
    rows = {(t.spiff_task_id, t.due_at): t for t in session.scalars(
        select(Timer).where(Timer.instance_id == instance.id, Timer.state == TimerState.WAITING)
    )}
    for key, timer in waiting.items():
        if key not in rows:
            session.add(Timer(instance_id=instance.id, spiff_task_id=timer.spiff_task_id,
                              element_id=timer.element_id, name=timer.name, kind=timer.kind,
                              due_at=timer.due_at, state=TimerState.WAITING, created_at=now))
    for key, row in rows.items():
        if key not in waiting:
            row.state = TimerState.CANCELLED


def state_hash(instance: Instance) -> str:
    """SHA-256 of the stored state; audit events carry it so replay can compare step by step."""
    return hashlib.sha256(instance.state.encode()).hexdigest()


def ensure_active(instance: Instance) -> None:
    if instance.status == InstanceStatus.DESTROYED:
        raise Conflict("Deze zaak is vernietigd (bewaartermijn verstreken).")
    if instance.status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED):
        raise Conflict("Deze zaak is al afgesloten.")
