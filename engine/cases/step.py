"""One step of a case: load → run → store → audit → completion, the same for every way a case moves.

Completing a task, firing a timer, starting a case and migrating a case to another version differ
only in what runs the engine and what the audit event says; the order of the rest is a rule
(decisions 1 and 2 in docs/architecture.md): the state, the task and timer index, the audit event
with the state's hash and the completion event land in the caller's transaction, under the case
lock the caller took. Writing that order once means a new way to move a case cannot forget a part.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.cases import case_store
from engine.cases.case_store import NewTask
from engine.db import keep_on_refusal
from engine.errors import DomainError
from engine.models import AuditEvent, Case, HumanTask
from engine.models.cases import CaseStatus
from engine.workflow import runner
from engine.workflow.errors import WorkflowFailed
from engine.workflow.runner import Workflow

logger = logging.getLogger(__name__)


class ModelError(DomainError):
    """The case hit an error in its model; the case is flagged and the action undone."""

    code, status = "fout_in_model", 422


@dataclass(frozen=True)
class Step:
    """What a step left behind: the workflow as stored, the tasks it made ready and its audit event."""

    workflow: Workflow
    created: list[NewTask]
    event: AuditEvent


def take_step(session: Session, instance: Case, *, actor: Actor, now: datetime, event_type: EventType,
              payload: Callable[[list[NewTask]], dict[str, Any]],
              move: Callable[[Workflow], None] | None = None, workflow: Workflow | None = None,
              before_store: Callable[[], None] | None = None, after_store: Callable[[Workflow], None] | None = None,
              task_id: int | None = None, vorm: str | None = None, new_case: bool = False,
              completing: case_store.Completion | None = None,
              failure_context: dict[str, Any] | None = None, cause: tuple[str, str] | None = None) -> Step:
    """Move a locked case one step and record it; the caller holds the lock and checked what it needs.

    :param move: runs the engine on the loaded workflow (None: ``workflow`` is already where it goes).
        A model error becomes the case's failure on record (:func:`fail`); other exceptions pass.
    :param payload: the event's particulars, given the tasks the step made ready; the state's
        hash is added here, so every state change carries it for replay.
    :param before_store: rows the step changes besides the case (a task completed, a timer fired).
    :param after_store: checks and index repairs that need the stored state (migration).
    :param new_case: the case was inserted in this transaction (it has no index rows to read).
    :param completing: the human task the step completes, marked completed with the case row.
    :param cause: (element id, name) of the task or timer that moves the case, when the step may
        withdraw other ready tasks (a partner's answer ends the AF's chase): each withdrawn task gets
        a ``task.withdrawn`` event after the step's own, with the reason the model gives.
    """
    if workflow is None:
        workflow = case_store.load_workflow(session, instance)
    withdrawn: list[runner.WithdrawnTask] = []
    if move is not None:
        were_ready = runner.ready_human_task_ids(workflow) if cause is not None else set()
        try:
            move(workflow)
        except WorkflowFailed as exc:
            raise fail(session, instance, actor, now, exc, **(failure_context or {})) from exc
        if were_ready:  # before storing: pruning may drop the sub-process whose end explains it
            withdrawn = runner.withdrawn_tasks(workflow, were_ready)
    if before_store is not None:
        before_store()
    created = case_store.store(session, instance, workflow, now, vorm=vorm, new_case=new_case, completing=completing)
    if after_store is not None:
        after_store(workflow)
    event = log.record(session, event_type=event_type, actor=actor, now=now, instance_id=instance.id,
                       definition_id=instance.definition_id, task_id=task_id,
                       payload={**payload(created), "state_sha256": case_store.state_hash(instance)})
    if withdrawn and cause is not None:
        record_withdrawn(session, instance, now, withdrawn, cause)
    record_completion(session, instance, actor, now)
    return Step(workflow, created, event)


PROCESS = Actor.system("proces")  # who withdraws a task: the process, on what a person or timer did


def record_withdrawn(session: Session, instance: Case, now: datetime, withdrawn: list[runner.WithdrawnTask],
                     cause: tuple[str, str]) -> None:
    """One audit event per task the step withdrew, in the step's transaction, with the model's reason.

    :func:`case_store.store` has already marked the rows cancelled, so they left every werkbak with the step.
    """
    rows = session.execute(select(HumanTask.id, HumanTask.spiff_task_id).where(
        HumanTask.instance_id == instance.id,
        HumanTask.spiff_task_id.in_([item.spiff_task_id for item in withdrawn])).order_by(HumanTask.id))
    row_ids = {row.spiff_task_id: row.id for row in rows}
    for item in withdrawn:
        log.record(session, event_type=EventType.TASK_WITHDRAWN, actor=PROCESS, now=now, instance_id=instance.id,
                   definition_id=instance.definition_id, task_id=row_ids.get(item.spiff_task_id), payload={
                       "element_id": item.element_id, "spiff_task_id": item.spiff_task_id,
                       "reason": item.reason, "reason_element": item.reason_element,
                       "after_element_id": cause[0], "after_task": cause[1],
                   })


def ready_elements(created: list[NewTask]) -> list[str]:
    return [task.element_id for task in created]


def record_completion(session: Session, instance: Case, actor: Actor, now: datetime) -> None:
    if instance.status == CaseStatus.COMPLETED:
        log.record(session, event_type=EventType.INSTANCE_COMPLETED, actor=actor, now=now,
                   instance_id=instance.id, definition_id=instance.definition_id, payload={})


def fail(session: Session, instance: Case, actor: Actor, now: datetime, exc: WorkflowFailed,
         **context: Any) -> ModelError:
    """Record a model failure durably (the step itself is not stored) and return the error to raise.

    Keeps the last good state and flags the case so a beheerder sees it needs attention.
    The flag and its audit event are declared to survive the refusal (:func:`engine.db.keep_on_refusal`).
    """
    logger.error("case step failed: model error", extra={"instance_id": instance.id,
                                                         "element_id": exc.element_id})
    instance.status = CaseStatus.ERROR
    instance.error_message = exc.message
    instance.updated_at = now
    log.record(session, event_type=EventType.INSTANCE_FAILED, actor=actor, now=now, instance_id=instance.id,
               definition_id=instance.definition_id,
               payload={"message": exc.message, "element_id": exc.element_id, **context})
    session.flush()
    keep_on_refusal(session, "model failure on record")
    return ModelError(exc.message, {"element_id": exc.element_id})
