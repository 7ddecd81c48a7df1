"""Migration of running cases to a newer version of their process, and back.

A process fix must reach the cases already running on the flawed version, and a wrong move must be
reversible, so moving and moving back are both explicit, audited actions (docs/architecture.md, decision 3).

Deploying never moves running cases (docs/architecture.md, decision 3); a procesregisseur does, case by
case, after :func:`plan` showed which can move and why the others cannot. :func:`migrate` and
:func:`revert` each change one case under its lock, through :func:`cases.store`, with the audit
event in the same transaction. :func:`signaalroute.passes.migrate_each` gives every case its own unit of work, so
one failing case never undoes the others.

A revert writes back the exact state text from before the migration (kept in ``case_migration``),
and only while nothing happened since: no task completed, no timer fired.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer, undefer

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.audit import log
from engine.audit.events import EventType
from engine.cases import case_store
from engine.cases.instructions import render_instructions
from engine.cases.lifecycle import reference
from engine.cases.step import take_step
from engine.errors import Conflict, DomainError, Forbidden, NotFound
from engine.modelling import model_ownership
from engine.modelling.deployments import latest_definition
from engine.modelling.specs import specs_for
from engine.models import (
    AuditEvent,
    Case,
    CaseMigration,
    HumanTask,
    ProcessDefinition,
    TaskState,
    Timer,
    TimerState,
)
from engine.models.cases import CaseStatus
from engine.workflow import migration, runner, serializer
from engine.workflow.bundle import lane_role
from engine.workflow.runner import Workflow

logger = logging.getLogger(__name__)

# Cases that may move: running ones, and ones stuck on a model error (a fixed version is the cure).
MOVABLE = (CaseStatus.ACTIVE, CaseStatus.ERROR)
# Cases a plan reads (with their stored state) at once; bounds its memory, whatever the number of cases.
BATCH = 200
# After these, a revert would undo work: the case moved on.
PROGRESS = (EventType.TASK_COMPLETED, EventType.TIMER_FIRED)


class CannotMigrate(DomainError):
    """The case cannot move to that version; ``details`` lists the reasons in Dutch."""

    code, status = "niet_migreerbaar", 409


@dataclass(frozen=True)
class CasePlan:
    instance_id: int
    reference: str
    from_version: int
    version: int  # the case row's version: a migration of a case changed since the plan is refused
    ready_tasks: list[str]
    eligible: bool
    reasons: list[str]
    notes: list[str] = field(default_factory=list)  # e.g. a new term an open task will not get


@dataclass(frozen=True)
class Revertible:
    instance_id: int
    reference: str
    from_version: int  # the version the case is on now
    to_version: int  # the version a revert restores
    migrated_at: datetime
    possible: bool
    reason: str | None


@dataclass
class Plan:
    process_id: str
    name: str
    to_version: int
    versions: list[int] = field(default_factory=list)  # every deployed version of the process, newest first
    cases: list[CasePlan] = field(default_factory=list)
    revertible: list[Revertible] = field(default_factory=list)

    @property
    def eligible(self) -> list[CasePlan]:
        return [c for c in self.cases if c.eligible]

    @property
    def ineligible(self) -> list[CasePlan]:
        return [c for c in self.cases if not c.eligible]

    def as_dict(self) -> dict[str, Any]:
        return {"process_id": self.process_id, "name": self.name, "to_version": self.to_version,
                "versions": self.versions, "cases": [asdict(c) for c in self.cases],
                "revertible": [asdict(r) | {"migrated_at": r.migrated_at.isoformat()} for r in self.revertible]}


@dataclass(frozen=True)
class Outcome:
    """What happened to one case of a batch: migrated or failed, with the reason."""

    instance_id: int
    ok: bool
    message: str
    reference: str | None = None  # known when the case was found


def _require(actor: Actor) -> None:
    if not actor.is_system and not access.can_migrate(actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag zaken naar een andere procesversie overzetten.")


def definition(session: Session, process_id: str, version: int) -> ProcessDefinition:
    found = session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id,
                                                           ProcessDefinition.version == version))
    if found is None:
        raise NotFound(f"Versie {version} van proces '{process_id}' bestaat niet.")
    return found


def newest_version(session: Session, process_id: str) -> int:
    """The version a plan aims at when none is asked for."""
    return latest_definition(session, process_id).version


def _ready_names(session: Session, instance_ids: Iterable[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    ids = list(instance_ids)
    if ids:
        rows = session.execute(select(HumanTask.instance_id, HumanTask.name).where(
            HumanTask.instance_id.in_(ids), HumanTask.state == TaskState.READY).order_by(HumanTask.id))
        for instance_id, name in rows:
            names.setdefault(instance_id, []).append(name)
    return names


def _dry_run(session: Session, instance: Case, target: ProcessDefinition,
             now: datetime) -> tuple[list[str], list[str]]:
    """(reasons the case cannot move, notes): no reasons when a real migration would succeed. Nothing is stored."""
    new_spec, new_subprocess_specs = specs_for(target)
    workflow = case_store.load_workflow(session, instance)
    notes = [n.message(target.version) for n in migration.notes(workflow, new_spec, new_subprocess_specs)]
    try:
        migration.migrate(workflow, new_spec, new_subprocess_specs, now)
        serializer.loads(serializer.dumps(workflow), spec=new_spec, subprocess_specs=new_subprocess_specs,
                         script_engine=runner.SCRIPT_ENGINE)
    except migration.MigrationImpossible as exc:
        return [o.message(target.version) for o in exc.obstacles], []
    except Exception as exc:  # noqa: BLE001 - whatever SpiffWorkflow objects to is a reason, not a crash
        logger.info("dry run of a migration failed", extra={"instance_id": instance.id, "error": type(exc).__name__})
        return [f"de toestand past niet op versie {target.version} ({type(exc).__name__})"], []
    return [], notes


def _movable_batches(session: Session, process_id: str, to_version: int) -> Iterator[list[Case]]:
    """The cases a plan covers, oldest id first, :data:`BATCH` at a time.

    Keyset paging on the id ("after the last one seen") rather than OFFSET: each batch is one index
    range scan, and a case that closes meanwhile cannot shift a later case out of its page. Only one
    batch's state texts are referenced at a time; the session's identity map holds the rows weakly.
    """
    after = 0
    while True:
        batch = list(session.scalars(
            select(Case).join(ProcessDefinition, Case.definition_id == ProcessDefinition.id)
            .where(ProcessDefinition.process_id == process_id, ProcessDefinition.version < to_version,
                   Case.status.in_(MOVABLE), Case.id > after)
            .options(undefer(Case.state)).order_by(Case.id).limit(BATCH)
        ))
        if batch:
            yield batch
        if len(batch) < BATCH:
            return
        after = batch[-1].id


def plan(session: Session, *, actor: Actor, now: datetime, process_id: str, to_version: int) -> Plan:
    """Every running case of the process on an older version: can it move to ``to_version``, and if not, why.

    Each case is dry-run on its stored state; the cases are read in batches (:func:`_movable_batches`),
    so a process with thousands of running cases does not hold every state text in memory at once.
    """
    _require(actor)
    model_ownership.require_may_change_process(session, actor, process_id)
    target = definition(session, process_id, to_version)
    versions = session.scalars(select(ProcessDefinition.version).where(ProcessDefinition.process_id == process_id)
                               .order_by(ProcessDefinition.version.desc()))
    result = Plan(process_id=process_id, name=target.name, to_version=to_version, versions=list(versions))
    for batch in _movable_batches(session, process_id, to_version):
        names = _ready_names(session, (r.id for r in batch))
        for instance in batch:
            reasons, notes = _dry_run(session, instance, target, now)
            result.cases.append(CasePlan(
                instance_id=instance.id, reference=reference(instance), from_version=instance.definition.version,
                version=instance.version, ready_tasks=names.get(instance.id, []), eligible=not reasons,
                reasons=reasons, notes=notes,
            ))
    result.revertible = _revertible(session, process_id)
    return result


def _latest_migration(session: Session, instance_id: int) -> CaseMigration | None:
    return session.scalar(select(CaseMigration).where(CaseMigration.instance_id == instance_id,
                                                      CaseMigration.reverted_at.is_(None))
                          .order_by(CaseMigration.id.desc()).limit(1))


def _revert_obstacle(session: Session, instance: Case, row: CaseMigration) -> str | None:
    """Why this migration can no longer be reverted; None when it can."""
    if instance.status not in MOVABLE:
        return "de zaak is afgesloten"
    moved_on = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.chain == log.chain_for_case(instance.id), AuditEvent.seq > row.audit_seq,
        AuditEvent.event_type.in_([str(e) for e in PROGRESS])))
    changed = case_store.state_hash(instance) != row.state_after_sha256
    if moved_on or changed or instance.definition_id != row.to_definition_id:
        return "de zaak is na de overzetting verder gegaan"
    return None


def _revertible(session: Session, process_id: str) -> list[Revertible]:
    """Cases of this process whose latest migration is still in force, with whether it can be undone.

    After a mass migration that is every case: like :func:`plan`, read :data:`BATCH` cases (and their
    state, to see whether it changed) at a time; the kept ``state_before`` text is not needed here.
    """
    def in_force(*columns: Any) -> Select[Any]:
        return (select(*columns).select_from(CaseMigration).join(Case, CaseMigration.instance_id == Case.id)
                .join(ProcessDefinition, CaseMigration.to_definition_id == ProcessDefinition.id)
                .where(ProcessDefinition.process_id == process_id, CaseMigration.reverted_at.is_(None),
                       Case.definition_id == CaseMigration.to_definition_id))

    instance_ids = list(session.scalars(in_force(Case.id).distinct().order_by(Case.id)))
    found = []
    for start in range(0, len(instance_ids), BATCH):
        rows = session.execute(
            in_force(CaseMigration, Case).where(Case.id.in_(instance_ids[start:start + BATCH]))
            .options(undefer(Case.state), defer(CaseMigration.state_before)).order_by(CaseMigration.id.desc())
        ).all()
        seen: set[int] = set()
        for row, instance in rows:
            if instance.id in seen:
                continue
            seen.add(instance.id)
            back_to = session.get(ProcessDefinition, row.from_definition_id)
            assert back_to is not None
            obstacle = _revert_obstacle(session, instance, row)
            found.append(Revertible(instance_id=instance.id, reference=reference(instance),
                                    from_version=instance.definition.version, to_version=back_to.version,
                                    migrated_at=row.migrated_at, possible=obstacle is None, reason=obstacle))
    return sorted(found, key=lambda r: r.instance_id)


def _ready_elements(session: Session, instance_id: int) -> list[str]:
    return list(session.scalars(select(HumanTask.element_id).where(
        HumanTask.instance_id == instance_id, HumanTask.state == TaskState.READY).order_by(HumanTask.id)))


def _refresh_index_rows(session: Session, instance: Case, workflow: Any) -> None:
    """Ready tasks and waiting timers keep their rows (and ids); names, form, instructions and lane follow the version.

    ``cases.store`` only indexes tasks that became ready; a task that stays ready keeps what its
    row says. After a change of version that would be the old version's form and lane.
    """
    timers = {r.spiff_task_id: r for r in session.scalars(select(Timer).where(
        Timer.instance_id == instance.id, Timer.state == TimerState.WAITING))}
    for timer in runner.waiting_timers(workflow):
        if timer.spiff_task_id in timers:
            timers[timer.spiff_task_id].element_id = timer.element_id
            timers[timer.spiff_task_id].name = timer.name
    case_store.set_task_process_name(session, instance)  # the "proces" order follows the version too
    rows = {r.spiff_task_id: r for r in session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY))}
    default_role = Role(instance.definition.default_role)
    for task in runner.ready_human_tasks(workflow):
        row = rows.get(task.spiff_task_id)
        if row is None:
            continue
        row.element_id, row.name, row.form = task.element_id, task.name, task.form
        row.instructions = render_instructions(task.instructions, task.data)
        role = lane_role(task.task_spec, default_role)
        if row.role != str(role):  # another lane: the task goes to that role's team
            row.role = str(role)
            row.organisation_id = case_store._organisation_for(session, instance, role, task.data)
            row.assignee_id = None
    session.flush()


def _prove_loadable(instance: Case, target: ProcessDefinition) -> None:
    """The next step loads the stored text with the new specs; a state that would not load is never committed."""
    spec, subprocess_specs = specs_for(target)
    try:
        serializer.loads(instance.state, spec=spec, subprocess_specs=subprocess_specs,
                         script_engine=runner.SCRIPT_ENGINE)
    except Exception as exc:  # noqa: BLE001 - any failure means: do not store this (the caller rolls back)
        reason = f"de toestand past niet op versie {target.version} ({type(exc).__name__})"
        raise CannotMigrate(f"Zaak {reference(instance)} kan niet naar versie {target.version}: {reason}.",
                            [reason]) from exc


def migrate(session: Session, *, actor: Actor, now: datetime, instance_id: int, to_version: int,
            expected_version: int | None = None) -> Case:
    """Move one case to ``to_version`` of its process, under the case lock, audited with before and after.

    :param expected_version: the case row's version the caller planned with; a case changed since
        then is refused with :class:`Conflict` rather than moved unseen.
    :raises CannotMigrate: when an active task or running subprocess is missing in that version.
    """
    _require(actor)
    instance = case_store.require_locked(session, instance_id)
    if expected_version is not None and instance.version != expected_version:
        raise Conflict("De zaak is gewijzigd sinds het overzicht werd gemaakt; bekijk het overzicht opnieuw.")
    if instance.status not in MOVABLE:
        raise Conflict("Deze zaak is al afgesloten.")
    source = instance.definition
    model_ownership.require_may_change_process(session, actor, source.process_id)
    target = definition(session, source.process_id, to_version)
    if target.version <= source.version:
        raise Conflict(f"De zaak staat al op versie {source.version}; overzetten kan alleen naar een nieuwere versie.")
    new_spec, new_subprocess_specs = specs_for(target)
    workflow = case_store.load_workflow(session, instance)
    notes = [n.message(target.version) for n in migration.notes(workflow, new_spec, new_subprocess_specs)]
    try:
        migration.migrate(workflow, new_spec, new_subprocess_specs, now)
    except migration.MigrationImpossible as exc:
        reasons = [o.message(target.version) for o in exc.obstacles]
        raise CannotMigrate(f"Zaak {reference(instance)} kan niet naar versie {target.version}: "
                            + "; ".join(reasons) + ".", reasons) from exc
    before, before_hash = instance.state, case_store.state_hash(instance)
    before_serializer, ready_before = instance.serializer_version, _ready_elements(session, instance.id)

    def switch_version() -> None:
        instance.definition = target

    def check_stored(stored: Workflow) -> None:
        _prove_loadable(instance, target)
        _refresh_index_rows(session, instance, stored)

    event = take_step(session, instance, actor=actor, now=now, event_type=EventType.INSTANCE_MIGRATED,
                      workflow=workflow, before_store=switch_version, after_store=check_stored,
                      payload=lambda _created: {
                          "process_id": target.process_id, "from_version": source.version,
                          "to_version": target.version, "from_definition_id": source.id,
                          "to_definition_id": target.id, "state_sha256_before": before_hash,
                          "ready_tasks_before": ready_before,
                          "ready_tasks_after": _ready_elements(session, instance.id),
                          **({"notes": notes} if notes else {}),
                      }).event
    after_hash = case_store.state_hash(instance)
    session.add(CaseMigration(
        instance_id=instance.id, from_definition_id=source.id, to_definition_id=target.id, state_before=before,
        serializer_version_before=before_serializer, state_before_sha256=before_hash, state_after_sha256=after_hash,
        audit_seq=event.seq, migrated_at=now, migrated_by_id=actor.user_id,
    ))
    session.flush()
    return instance


def revert(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> Case:
    """Put a migrated case back on the version it came from, exactly as it was; only if nothing happened since.

    :raises Conflict: when there is no migration in force, or the case moved on after it.
    """
    _require(actor)
    instance = case_store.require_locked(session, instance_id)
    model_ownership.require_may_change_process(session, actor, instance.definition.process_id)
    row = _latest_migration(session, instance.id)
    if row is None or row.to_definition_id != instance.definition_id:
        raise Conflict("Deze zaak heeft geen overzetting die teruggedraaid kan worden.")
    obstacle = _revert_obstacle(session, instance, row)
    if obstacle is not None:
        raise Conflict(f"Terugdraaien kan niet meer: {obstacle}.")
    source, back_to = instance.definition, session.get(ProcessDefinition, row.from_definition_id)
    assert back_to is not None
    spec, subprocess_specs = specs_for(back_to)
    workflow = serializer.loads(row.state_before, spec=spec, subprocess_specs=subprocess_specs,
                                script_engine=runner.SCRIPT_ENGINE)
    before_hash, ready_before = case_store.state_hash(instance), _ready_elements(session, instance.id)

    def switch_back() -> None:
        instance.definition = back_to

    def check_restored(stored: Workflow) -> None:
        if instance.state != row.state_before:  # never "almost" restored: the unit of work rolls back
            raise Conflict("De vorige toestand van de zaak kan niet exact worden hersteld.")
        _refresh_index_rows(session, instance, stored)
        row.reverted_at, row.reverted_by_id = now, actor.user_id

    take_step(session, instance, actor=actor, now=now, event_type=EventType.INSTANCE_MIGRATION_REVERTED,
              workflow=workflow, before_store=switch_back, after_store=check_restored,
              payload=lambda _created: {
                  "process_id": back_to.process_id, "from_version": source.version, "to_version": back_to.version,
                  "from_definition_id": source.id, "to_definition_id": back_to.id, "migration_seq": row.audit_seq,
                  "state_sha256_before": before_hash,
                  "ready_tasks_before": ready_before, "ready_tasks_after": _ready_elements(session, instance.id),
              })
    return instance




def eligible_ids(session: Session, *, actor: Actor, now: datetime, process_id: str, to_version: int) -> dict[int, int]:
    """Case id -> row version of every case that can move now ("alle geschikte zaken")."""
    found = plan(session, actor=actor, now=now, process_id=process_id, to_version=to_version)
    return {c.instance_id: c.version for c in found.eligible}
