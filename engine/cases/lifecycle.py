"""Start cases, complete their tasks and read them back."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, literal, null, select, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.audit import access_log, log
from engine.audit.events import EventType
from engine.cases import case_store
from engine.cases.step import ModelError, ready_elements, take_step
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.modelling import form_catalogue
from engine.modelling.deployments import latest_definition
from engine.modelling.forms import NUL_MESSAGE, FormRepository, nul_fields
from engine.modelling.specs import specs_for
from engine.models import (
    AccessLogEntry,
    AuditChainHead,
    AuditEvent,
    Case,
    CaseFigure,
    HumanTask,
    Organisation,
    ProcessDefinition,
    TaskState,
    Timer,
    TimerState,
)
from engine.models.cases import CaseStatus
from engine.monitoring import figures
from engine.workflow import runner, serializer
from engine.workflow.errors import WorkflowFailed

MAX_DATA_KEYS = 200
logger = logging.getLogger(__name__)


@dataclass
class CaseView:
    id: int
    process_id: str
    process_version: int
    status: str
    organisation: str
    created_at: datetime
    updated_at: datetime
    version: int
    error_message: str | None
    reference: str = ""
    # Rows of human_task and timer (read with Core): the same attribute names as HumanTask and Timer.
    ready_tasks: list[Row[Any]] = field(default_factory=list)
    timers: list[Row[Any]] = field(default_factory=list)
    acuut: bool = False  # someone was in acute danger at intake: marked "Acuut" wherever the case shows


def _check_data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationFailed("De gegevens moeten een JSON-object zijn.", {"data": "Verwacht een object"})
    if len(data) > MAX_DATA_KEYS:
        raise ValidationFailed("Te veel velden in de gegevens.", {"data": f"Hoogstens {MAX_DATA_KEYS} velden"})
    bad = [k for k in data if not isinstance(k, str) or not k.isidentifier() or k.startswith("_")]
    if bad:
        message = "Veldnamen moeten namen zijn zonder spaties en mogen niet met '_' beginnen."
        raise ValidationFailed(message, {str(k): message for k in bad})
    nul = nul_fields(data)
    if nul:  # PostgreSQL cannot store it in JSONB, SQLite could: refused on both, in the same words
        raise ValidationFailed("De gegevens bevatten een NUL-teken.", dict.fromkeys(nul, NUL_MESSAGE))
    return canonical_data(data)


def canonical_data(data: dict[str, Any]) -> dict[str, Any]:
    """Submitted data as plain JSON with sorted keys, at every depth.

    The audit log keeps the data as PostgreSQL JSONB, which reorders keys; replay feeds that back
    into the engine, and key order shows in the stored state. Sorting on the way in makes the
    original run and the replay see the same dicts. Non-JSON values are refused here too.
    """
    try:
        canonical: dict[str, Any] = json.loads(json.dumps(data, sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("De gegevens moeten gewone JSON-waarden zijn.", {"data": "Geen geldige JSON"}) from exc
    return canonical


VORM_KEY = "vorm"  # the form of exploitation; indexed on the case for work-list filters


def reference(instance: Case) -> str:
    """The number a melder quotes: year of the report and the case number, e.g. SR-2026-00042."""
    return f"SR-{instance.created_at.year}-{instance.id:05d}"


def start_case(session: Session, *, actor: Actor, now: datetime, process_id: str, data: dict[str, Any],
                   organisation_slug: str | None = None) -> Case:
    """Start the newest version of a process for the actor's organisation (or a named gemeente)."""
    if not actor.is_system and not access.can_start_cases(actor):
        raise Forbidden("U mag geen zaken starten.")
    data = _check_data(data)
    definition = latest_definition(session, process_id)
    organisation_id = actor.organisation_id
    if organisation_slug is not None:
        organisation_id = session.scalar(select(Organisation.id).where(Organisation.slug == organisation_slug))
        if organisation_id is None:
            raise ValidationFailed("Onbekende organisatie.", {"organisation": "Onbekende organisatie"})
    if organisation_id is None:
        raise ValidationFailed("Geef de organisatie van de zaak op.", {"organisation": "Verplicht"})
    spec, subprocess_specs = specs_for(definition)
    try:
        workflow = runner.start(spec, subprocess_specs, data, now)
    except WorkflowFailed as exc:
        logger.error("case not started: model error", extra={"definition_id": definition.id,
                                                             "element_id": exc.element_id})
        raise ModelError(exc.message, {"element_id": exc.element_id}) from exc
    instance = Case(
        definition_id=definition.id, organisation_id=organisation_id, started_by_id=actor.user_id,
        status=CaseStatus.ACTIVE, state="", acuut=data.get("acuut") is True,
        serializer_version=serializer.SERIALIZER_VERSION, created_at=now, updated_at=now,
    )
    session.add(instance)
    session.flush()
    log.new_chain(session, instance.id)
    step = take_step(session, instance, actor=actor, now=now, event_type=EventType.INSTANCE_STARTED,
                     workflow=workflow, new_case=True, payload=lambda created: {
                         "process_id": definition.process_id, "version": definition.version, "data": data,
                         "seed": runner.seed_of(workflow), "ready_tasks": ready_elements(created),
                     })
    figures.record_start(session, instance, process_id=definition.process_id, data=data, now=now,
                         created_roles=[t.role for t in step.created])
    return instance


def visible_task(session: Session, actor: Actor, task_id: int) -> HumanTask:
    """The task, if the actor may work on it; otherwise NotFound, so existence never leaks."""
    task = session.get(HumanTask, task_id)
    if task is None or not access.can_work_on(actor, task):
        raise NotFound("Taak niet gevonden.")
    return task


_TASK_TABLE = cast(Table, HumanTask.__table__)
_TASK_AND_DEFINITION = (select(HumanTask, ProcessDefinition)
                        .join(Case, Case.id == HumanTask.instance_id)
                        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
                        .where(HumanTask.id == bindparam("id")))
_HEAD_TABLE = cast(Table, AuditChainHead.__table__)
_FIGURE_TABLE = cast(Table, CaseFigure.__table__)
# After the lock, in one statement: the task's state (the re-check), the case chain's head (for its
# audit event) and the case's row of figures (for the monitoring counts); all read fresh, after the
# lock was granted.
_TASK_STATE_AND_HEAD = (select(_TASK_TABLE.c.state, _HEAD_TABLE.c.seq, _HEAD_TABLE.c.hash, *figures.READ_COLUMNS)
                        .select_from(_TASK_TABLE
                                     .outerjoin(_HEAD_TABLE, _HEAD_TABLE.c.chain == bindparam("chain"))
                                     .outerjoin(_FIGURE_TABLE,
                                                _FIGURE_TABLE.c.instance_id == _TASK_TABLE.c.instance_id))
                        .where(_TASK_TABLE.c.id == bindparam("id")))


def _task_and_definition(session: Session, actor: Actor, task_id: int) -> tuple[HumanTask, ProcessDefinition]:
    """:func:`visible_task` plus its case's process version, read in one statement.

    The definition then sits in the session's identity map, so loading the case after the lock
    finds it there instead of querying again (unless a migration moved the case meanwhile).
    """
    found = session.execute(_TASK_AND_DEFINITION, {"id": task_id}).first()
    if found is None or not access.can_work_on(actor, found[0]):
        raise NotFound("Taak niet gevonden.")
    return found[0], found[1]


def complete_task(session: Session, *, actor: Actor, now: datetime, task_id: int, data: dict[str, Any],
                  forms: FormRepository, audit_context: dict[str, Any] | None = None) -> Case:
    """Complete a ready human task: validate, lock the case, re-check, run, store, audit.

    The readiness check is repeated after taking the lock: of two people completing the same
    task, the second finds it no longer ready and gets a Conflict, with nothing of theirs stored.
    """
    task, definition = _task_and_definition(session, actor, task_id)
    data = _check_data(data)
    reserved = case_store.SYSTEM_KEYS & set(data)
    if reserved:  # routing and region facts are set at intake; a task must not redirect the case
        raise ValidationFailed("Het formulier bevat velden die alleen het systeem mag zetten.",
                               {key: "Dit veld mag u niet invullen." for key in sorted(reserved)})
    if task.form:  # the form as deployed with the case's process version, so an old case keeps its form
        problems = form_catalogue.validate_for(session, definition.id, task.form, data, fallback=forms)
        if problems:
            raise ValidationFailed("Het formulier bevat fouten.", problems)
    instance = case_store.require_locked(session, task.instance_id)
    # Re-read under the lock: only the state decides, so one column instead of refreshing the object.
    fresh = session.execute(_TASK_STATE_AND_HEAD, {"id": task.id, "chain": log.chain_for_case(instance.id)}).one()
    set_committed_value(task, "state", fresh.state)
    if fresh.seq is not None:  # no head row (removed by someone): record() reads the events instead
        log.remember_head(session, instance.id, seq=fresh.seq, hash_=fresh.hash)
    if task.state != TaskState.READY:
        raise Conflict("Deze taak is al afgerond of vervallen; ververs de pagina.")
    case_store.ensure_active(instance)

    try:
        step = take_step(session, instance, actor=actor, now=now, event_type=EventType.TASK_COMPLETED, task_id=task.id,
                  move=lambda workflow: runner.complete_human_task(workflow, task.spiff_task_id, data, now),
                  completing=case_store.Completion(task.id, task.spiff_task_id, actor.user_id, now),
                  cause=(task.element_id, task.name),
                  vorm=data[VORM_KEY][:20] if isinstance(data.get(VORM_KEY), str) else None,
                  payload=lambda created: {
                      "element_id": task.element_id, "spiff_task_id": task.spiff_task_id, "data": data,
                      "ready_tasks": ready_elements(created),
                      **({"context": audit_context} if audit_context else {}),
                  })
    except LookupError as exc:
        raise Conflict("Deze taak wacht niet meer op invoer.") from exc
    completed = {"state": TaskState.COMPLETED, "completed_at": now, "completed_by_id": actor.user_id}
    for key, value in completed.items():  # the session's object says what the row now says
        set_committed_value(task, key, value)
    figures.record_step(session, instance, now=now, task=task, data=data,
                        created_roles=[t.role for t in step.created], figure=figures.from_row(fresh))
    return instance


def get_case(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> CaseView:
    """A case as the actor may see it; the view is written to the access log."""
    if not access.can_see_case(session, actor, instance_id):
        raise NotFound("Zaak niet gevonden.")
    instance = session.get(Case, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id, action=access_log.CASE_VIEWED)
    return view_of(session, instance)


def view_task(session: Session, *, actor: Actor, now: datetime, task_id: int) -> HumanTask:
    """A task opened to work on it; logged as a read of its case."""
    task = visible_task(session, actor, task_id)
    access_log.record_view(session, actor=actor, now=now, instance_id=task.instance_id,
                           action=access_log.TASK_VIEWED)
    return task


_TIMER_TABLE = cast(Table, Timer.__table__)
_ORGANISATION_TABLE = cast(Table, Organisation.__table__)


def _view_statement() -> Any:
    """The case's ready tasks, its waiting timers and its organisation's slug in one round trip.

    A UNION ALL over the columns of both tables (each branch pads what it lacks with typed NULLs,
    so the first branch gives every column its type); ``row_kind`` says which branch a row is from.
    Built once (a statement memoizes its cache key).
    """
    names: dict[str, Any] = {}
    for table in (_TASK_TABLE, _TIMER_TABLE):
        for column in table.columns:
            names.setdefault(column.name, column.type)
    names["organisation_slug"] = _ORGANISATION_TABLE.c.slug.type

    def branch(kind: str, table: Table | None, **given: Any) -> Any:
        columns: list[Any] = [literal(kind).label("row_kind")]
        for name, type_ in names.items():
            if name in given:
                columns.append(given[name].label(name))
            elif table is not None and name in table.c:
                columns.append(table.c[name])
            else:
                columns.append(sql_cast(null(), type_).label(name))
        return select(*columns)

    tasks = branch("task", _TASK_TABLE).where(_TASK_TABLE.c.instance_id == bindparam("id"),
                                               _TASK_TABLE.c.state == TaskState.READY)
    timers = branch("timer", _TIMER_TABLE).where(_TIMER_TABLE.c.instance_id == bindparam("id"),
                                                  _TIMER_TABLE.c.state == TimerState.WAITING)
    organisation = branch("organisation", None, organisation_slug=_ORGANISATION_TABLE.c.slug).where(
        _ORGANISATION_TABLE.c.id == bindparam("organisation_id"))
    return union_all(tasks, timers, organisation)


_VIEW = _view_statement()


def view_of(session: Session, instance: Case) -> CaseView:
    session.flush()  # Core reads below do not autoflush; the view must show what this transaction changed
    rows = list(session.connection().execute(_VIEW, {"id": instance.id, "organisation_id": instance.organisation_id}))
    ready_tasks = sorted((row for row in rows if row.row_kind == "task"), key=lambda row: row.id)
    timers = sorted((row for row in rows if row.row_kind == "timer"), key=lambda row: (row.due_at, row.id))
    organisation = next((row.organisation_slug for row in rows if row.row_kind == "organisation"), None)
    return CaseView(
        id=instance.id,
        process_id=instance.definition.process_id,
        process_version=instance.definition.version,
        status=instance.status,
        organisation=organisation or "",
        created_at=instance.created_at,
        updated_at=instance.updated_at,
        version=instance.version,
        error_message=instance.error_message,
        reference=reference(instance),
        ready_tasks=ready_tasks,
        timers=timers,
        acuut=instance.acuut,
    )


def _ready_tasks_query(for_case: bool) -> Select[tuple[HumanTask]]:
    query = select(HumanTask).where(HumanTask.state == TaskState.READY, access.BOUND_TASK_FILTER)
    if for_case:
        query = query.where(HumanTask.instance_id == bindparam("instance_id"))
    return (query.order_by(HumanTask.created_at.desc(), HumanTask.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))


# Built once (with and without a case): a statement memoizes its cache key.
_READY_FOR_ACTOR = {for_case: _ready_tasks_query(for_case) for for_case in (False, True)}


def list_tasks(session: Session, *, actor: Actor, instance_id: int | None = None, limit: int = 100,
               offset: int = 0) -> list[HumanTask]:
    """The actor's ready tasks, newest case first."""
    params = access.task_filter_params(actor)
    if params is None:  # access.task_filter matches no task for this actor
        return []
    params.update(instance_id=instance_id, limit=limit, offset=offset)
    return list(session.execute(_READY_FOR_ACTOR[instance_id is not None], params).scalars())


def case_history(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> list[AuditEvent]:
    if not access.can_see_case(session, actor, instance_id):
        raise NotFound("Zaak niet gevonden.")
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id, action=access_log.HISTORY_VIEWED)
    return log.history(session, instance_id)


def case_access_log(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> list[AccessLogEntry]:
    """Who viewed the case when: auditors only, and looking is itself logged."""
    if actor.role != Role.AUDITOR:
        raise Forbidden("Alleen een auditor mag het toegangslog van een zaak inzien.")
    if session.get(Case, instance_id) is None:
        raise NotFound("Zaak niet gevonden.")
    entries = access_log.views_of(session, instance_id)
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id,
                           action=access_log.ACCESS_LOG_VIEWED)
    return entries


__all__ = ["CaseView", "ModelError", "complete_task", "get_case", "list_tasks", "start_case"]
