"""Load and store a case around one engine step, keeping the task and timer indexes in step.

Every change of a case goes through :func:`lock_case` then :func:`store`: the state, the
task index, the timer rows and the audit event are written in the caller's one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, inspect, literal, null, select, union_all, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, lazyload, undefer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from engine.accounts.roles import Role
from engine.cases.instructions import render_instructions
from engine.db import UTCDateTime
from engine.errors import Conflict, NotFound
from engine.modelling.specs import specs_for
from engine.models import Case, HumanTask, Organisation, ProcessDefinition, TaskState, Timer, TimerState
from engine.models.cases import CaseStatus
from engine.workflow import pruning, runner, serializer
from engine.workflow.bundle import lane_role
from engine.workflow.runner import Workflow

ORGANISATIONS_KEY = "organisaties"
# Case data only intake sets (engine.cases.region_context); completing a task may not change them.
SYSTEM_KEYS = frozenset({ORGANISATIONS_KEY, "regio", "termijn_terugkoppeling", "termijnen"})


def lock_case(session: Session, instance_id: int, *, skip_locked: bool = False) -> Case | None:
    """Take the case's write lock (decision 2) and return the freshly read row.

    PostgreSQL: ``SELECT ... FOR UPDATE`` (optionally ``SKIP LOCKED`` for the timer job). SQLite:
    the transaction already began IMMEDIATE, which holds the database's single write lock.
    """
    return session.execute(_LOCK[skip_locked], {"instance_id": instance_id}).scalar()


# Built once per variant (a statement memoizes its cache key, which with these options costs).
_LOCK = {
    skip_locked: (
        select(Case)
        .where(Case.id == bindparam("instance_id"))
        .with_for_update(skip_locked=skip_locked, of=Case)
        # The definition is loaded separately, after the lock: joined into FOR UPDATE, a migration that
        # committed while this transaction waited would leave the row without its (new) definition.
        .options(undefer(Case.state), lazyload(Case.definition))
        .execution_options(populate_existing=True)
    )
    for skip_locked in (False, True)
}


def require_locked(session: Session, instance_id: int) -> Case:
    instance = lock_case(session, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    return instance


def load_workflow(session: Session, instance: Case) -> Workflow:
    spec, subprocess_specs = specs_for(instance.definition)
    return serializer.loads(instance.state, spec=spec, subprocess_specs=subprocess_specs,
                            script_engine=runner.SCRIPT_ENGINE)


def _organisation_for(session: Session, instance: Case, role: Role, data: dict[str, Any]) -> int:
    """A task goes to the case's gemeente unless the case data name a partner for that role."""
    wanted = data.get(ORGANISATIONS_KEY)
    slug = wanted.get(str(role)) if isinstance(wanted, dict) else None
    if isinstance(slug, str):
        found = session.scalar(select(Organisation.id).where(Organisation.slug == slug))
        if found is not None:
            return found
    return instance.organisation_id


def store(session: Session, instance: Case, workflow: Workflow, now: datetime, *,
          vorm: str | None = None, new_case: bool = False, completing: Completion | None = None) -> list[NewTask]:
    """Write state and indexes; return the human tasks that became ready in this step.

    ``vorm``: the form of exploitation a completed task recorded (None keeps the case's), written
    in the same UPDATE of the case row. ``new_case``: the case was inserted in this transaction, so
    it has no index rows to read. ``completing``: the human task this step completes, marked
    completed before the index is read.

    The ORM flushes the case row first (its version check, and whatever the caller changed); the
    task and timer indexes are then written with Core statements: an ORM object per index row cost
    more than the rest of the step (see bench/README.md).
    """
    pruning.prune(workflow)
    vorm_before = instance.vorm
    values: dict[str, Any] = {
        "state": serializer.dumps(workflow), "serializer_version": serializer.SERIALIZER_VERSION,
        "updated_at": now, "error_message": None,
        "status": CaseStatus.COMPLETED if workflow.completed else CaseStatus.ACTIVE,
        "vorm": instance.vorm if vorm is None else vorm,
    }
    index = _write_case_row(session, instance, values, completing)
    if values["vorm"] != vorm_before:  # the werkbak filters on the tasks' copy (migration 0024)
        session.connection().execute(_SET_TASK_VORM, {"case_id": instance.id, "task_vorm": task_vorm(values["vorm"])})
        _expire_loaded_of_case(session, instance.id, ["vorm"])
    if index is None:
        index = ({}, {}) if new_case else _read_index(session, instance)
    indexed_tasks, timer_rows = index
    created = _sync_tasks(session, instance, workflow, now, indexed_tasks)
    _sync_timers(session, instance, workflow, now, timer_rows)
    return created


@dataclass(frozen=True)
class Completion:
    """The human task a step completes: marked completed with the case row's write (one statement on PostgreSQL)."""

    task_id: int
    spiff_task_id: str
    by: int | None
    now: datetime

    def params(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "new_state": TaskState.COMPLETED, "now": self.now, "by": self.by}


_INSTANCES = cast(Table, Case.__table__)
_CASE_WRITES = ("state", "serializer_version", "updated_at", "error_message", "status", "vorm")
# Parameters are named case_<column>: a parameter named like a column of a table that a statement (or
# one of its CTEs) updates would be added to that UPDATE's SET by Core.
_WRITE_CASE = (update(_INSTANCES)
               .where(_INSTANCES.c.id == bindparam("case_id"), _INSTANCES.c.version == bindparam("old_version"))
               .values({**{name: bindparam(f"case_{name}") for name in _CASE_WRITES},
                        "version": bindparam("new_version")}))


def _write_case_row(session: Session, instance: Case, values: dict[str, Any],
                    completing: Completion | None) -> _Index | None:
    """The case row's UPDATE with its version check (decision 2), as the ORM would write it.

    Without other pending changes on the row (the usual step) one Core statement does it and the
    session's object is told the new committed values; otherwise the ORM flushes it all together.
    On PostgreSQL the Core UPDATE also marks the completed task and reads the case's index (one
    round trip): then the index is returned, else None (the caller reads it).
    """
    connection = session.connection()
    if inspect(instance).modified or instance.version is None:
        _complete(connection, completing)
        for key, value in values.items():
            setattr(instance, key, value)
        session.flush()
        return None
    session.flush()  # the caller's changes to other rows go first, as they did with one ORM flush
    if all(getattr(instance, key) == value for key, value in values.items()):
        _complete(connection, completing)
        return None  # nothing changed: the ORM would not write the row nor raise its version either
    old_version = instance.version
    params = {"case_id": instance.id, "old_version": old_version, "new_version": old_version + 1,
              "index_case_id": instance.id, **{f"case_{key}": value for key, value in values.items()},
              **(completing.params() if completing else {})}
    index: _Index | None = None
    if connection.dialect.name == "postgresql":
        rows = connection.execute(_WRITE_CASE_AND_READ_INDEX[completing is not None], params).all()
        written = sum(1 for row in rows if row.kind == "case")
        index = _index_of(row for row in rows if row.kind != "case")
        if completing is not None:  # the read saw the statement's start: the task was still ready then
            index[0].pop(completing.spiff_task_id, None)
    else:
        _complete(connection, completing)
        written = connection.execute(_WRITE_CASE, params).rowcount
    if written != 1:
        raise StaleDataError(f"UPDATE statement on table 'instance' expected to update 1 row(s); "
                             f"{written} were matched.")
    for key, value in {**values, "version": old_version + 1}.items():
        set_committed_value(instance, key, value)
    return index


def _complete(connection: Any, completing: Completion | None) -> None:
    if completing is not None:
        connection.execute(_COMPLETE_TASK, completing.params())


@dataclass(frozen=True)
class NewTask:
    """A human task row :func:`store` added to the index."""

    id: int
    element_id: str
    role: str


_TASKS = cast(Table, HumanTask.__table__)
_TIMERS = cast(Table, Timer.__table__)
_SET_TASK_VORM = update(_TASKS).where(_TASKS.c.instance_id == bindparam("case_id")).values(
    vorm=bindparam("task_vorm"))


def task_vorm(vorm: str | None) -> str:
    """The case's vorm as its tasks carry it: "onbekend" while it has none (the werkbak's filter value)."""
    return "onbekend" if vorm is None else vorm


def task_process_name(definition: ProcessDefinition) -> str:
    return process_sort_name(definition.name, definition.process_id)


def process_sort_name(name: str | None, process_id: str) -> str:
    """The process name the werkbak's "proces" order groups by: the version's name, else its process id."""
    return name or process_id


def set_task_process_name(session: Session, instance: Case) -> None:
    """After a change of version (migration, revert): every task of the case sorts under the new name."""
    session.connection().execute(update(_TASKS).where(_TASKS.c.instance_id == instance.id).values(
        process_name=task_process_name(instance.definition)))
    _expire_loaded_of_case(session, instance.id, ["process_name"])


def _expire_loaded_of_case(session: Session, instance_id: int, keys: list[str]) -> None:
    """Task objects of the case the session holds must reload the columns a Core UPDATE rewrote."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, HumanTask) and inspect(loaded).dict.get("instance_id") == instance_id:
            session.expire(loaded, keys)


# Built once: a statement object memoizes its cache key, so executing it again skips that work.
# The case's ready tasks and waiting timers in one round trip (the timer columns of a task row are NULL).
_INDEX = union_all(
    select(literal("task").label("kind"), _TASKS.c.spiff_task_id, _TASKS.c.id,
           sql_cast(null(), UTCDateTime()).label("due_at"))
    .where(_TASKS.c.instance_id == bindparam("index_case_id"), _TASKS.c.state == TaskState.READY),
    select(literal("timer"), _TIMERS.c.spiff_task_id, _TIMERS.c.id, _TIMERS.c.due_at)
    .where(_TIMERS.c.instance_id == bindparam("index_case_id"), _TIMERS.c.state == TimerState.WAITING),
)
_COMPLETE_TASK = update(_TASKS).where(_TASKS.c.id == bindparam("task_id")).values(
    state=bindparam("new_state"), completed_at=bindparam("now"), completed_by_id=bindparam("by"))


def _write_case_and_read_index(completing: bool) -> Any:
    """PostgreSQL: the case row's versioned UPDATE (and the completed task's) with the index read, one statement.

    The UPDATEs are data-modifying CTEs; the case row comes back as kind "case" (none: the version
    check failed). The index read does not depend on them and sees what earlier statements of the
    step wrote, but not the task completed in this one (it sees the statement's start).
    """
    written = _WRITE_CASE.returning(_INSTANCES.c.id).cte("written")
    case_row = select(literal("case"), sql_cast(null(), _TASKS.c.spiff_task_id.type), written.c.id,
                      sql_cast(null(), UTCDateTime()))
    if completing:
        case_row = case_row.add_cte(_COMPLETE_TASK.cte("completed"))
    return union_all(*_INDEX.selects, case_row)


_WRITE_CASE_AND_READ_INDEX = {completing: _write_case_and_read_index(completing) for completing in (False, True)}
_INSERT_TASKS = insert(_TASKS).returning(_TASKS.c.id, sort_by_parameter_order=True)
_CANCEL_TASKS = update(_TASKS).where(_TASKS.c.id.in_(bindparam("ids", expanding=True))).values(
    state=TaskState.CANCELLED, completed_at=bindparam("now"))
_INSERT_TIMERS = insert(_TIMERS)
_CANCEL_TIMERS = update(_TIMERS).where(_TIMERS.c.id.in_(bindparam("ids", expanding=True))).values(
    state=TimerState.CANCELLED)


def _expire_loaded(session: Session, model: type[HumanTask] | type[Timer], ids: list[int], keys: list[str]) -> None:
    """Rows changed by a Core statement: objects of them the session already holds must reload."""
    for row_id in ids:
        loaded = session.identity_map.get(identity_key(model, row_id))
        if loaded is not None:
            session.expire(loaded, keys)


_Index = tuple[dict[str, int], dict[tuple[str, datetime], int]]


def _read_index(session: Session, instance: Case) -> _Index:
    """Ready task ids by spiff task id, and waiting timer ids by (spiff task id, due time)."""
    return _index_of(session.connection().execute(_INDEX, {"index_case_id": instance.id}))


def _index_of(rows: Any) -> _Index:
    tasks: dict[str, int] = {}
    timers: dict[tuple[str, datetime], int] = {}
    for row in rows:
        if row.kind == "task":
            tasks[row.spiff_task_id] = row.id
        else:
            timers[(row.spiff_task_id, row.due_at)] = row.id
    return tasks, timers


def _sync_tasks(session: Session, instance: Case, workflow: Workflow, now: datetime,
                indexed: dict[str, int]) -> list[NewTask]:
    """Index newly ready human tasks; cancel indexed ones the workflow no longer waits for."""
    connection = session.connection()
    ready = runner.ready_human_tasks(workflow)
    new = [task for task in ready if task.spiff_task_id not in indexed]
    created: list[NewTask] = []
    if new:
        default_role = Role(instance.definition.default_role)
        rows = []
        for task in new:
            role = lane_role(task.task_spec, default_role)
            rows.append({
                "instance_id": instance.id, "spiff_task_id": task.spiff_task_id, "element_id": task.element_id,
                "name": task.name, "role": str(role),
                "organisation_id": _organisation_for(session, instance, role, task.data), "assignee_id": None,
                "form": task.form, "instructions": render_instructions(task.instructions, task.data),
                "state": TaskState.READY, "due_at": task.due_at, "created_at": now, "completed_at": None,
                "completed_by_id": None, "reminded_at": None, "acuut": instance.acuut,
                "vorm": task_vorm(instance.vorm), "process_name": task_process_name(instance.definition),
            })
        ids = connection.execute(_INSERT_TASKS, rows).scalars().all()
        created = [NewTask(row_id, task.element_id, str(row["role"]))
                   for row_id, task, row in zip(ids, new, rows, strict=True)]
    still_ready = {t.spiff_task_id for t in ready}
    gone = [row_id for spiff_id, row_id in indexed.items() if spiff_id not in still_ready]
    if gone:
        connection.execute(_CANCEL_TASKS, {"ids": gone, "now": now})
        _expire_loaded(session, HumanTask, gone, ["state", "completed_at"])
    return created


def _sync_timers(session: Session, instance: Case, workflow: Workflow, now: datetime,
                 rows: dict[tuple[str, datetime], int]) -> None:
    """One row per waiting timer and due time; rows the workflow no longer waits for are cancelled."""
    connection = session.connection()
    waiting = {(t.spiff_task_id, t.due_at): t for t in runner.waiting_timers(workflow)}
    added = [{"instance_id": instance.id, "spiff_task_id": timer.spiff_task_id, "element_id": timer.element_id,
              "name": timer.name, "kind": timer.kind, "due_at": timer.due_at, "state": TimerState.WAITING,
              "fired_at": None, "created_at": now}
             for key, timer in waiting.items() if key not in rows]
    if added:
        connection.execute(_INSERT_TIMERS, added)
    gone = [row_id for key, row_id in rows.items() if key not in waiting]
    if gone:
        connection.execute(_CANCEL_TIMERS, {"ids": gone})
        _expire_loaded(session, Timer, gone, ["state"])


def state_hash(instance: Case) -> str:
    """SHA-256 of the stored state; audit events carry it so replay can compare step by step."""
    return hashlib.sha256(instance.state.encode()).hexdigest()


def ensure_active(instance: Case) -> None:
    if instance.status == CaseStatus.DESTROYED:
        raise Conflict("Deze zaak is vernietigd (bewaartermijn verstreken).")
    if instance.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED):
        raise Conflict("Deze zaak is al afgesloten.")
