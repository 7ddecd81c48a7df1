"""Replay a case from its audit log on its recorded process version, step by step (decision 5).

The case is started again with the recorded seed, data and time; every recorded task
completion and timer firing is applied at its recorded time; after each step the state's hash
must equal the one the event recorded, and at the end the state must equal the stored one.
Models are read from the bytes as they are stored now (cached by a fresh hash of those bytes),
so a model edited in place in the database shows up as a divergence at the first step it changes.

A case moved to another process version (``instance.migrated``) is moved the same way during
replay, and continues on the new version's specs; a reverted migration takes back the state
replay itself had before that migration, and the specs it had then.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.audit import log
from engine.audit.audit_phrases import EVENT_LABELS, Vocabulary
from engine.audit.events import EventType
from engine.cases.lifecycle import canonical_data
from engine.dutch import datum
from engine.errors import Forbidden, NotFound
from engine.modelling.specs import specs_from_stored_bytes
from engine.models import AuditEvent, Case, Deployment, DestructionRecord, ProcessDefinition
from engine.models.cases import CaseStatus
from engine.workflow import migration, pruning, runner, serializer
from engine.workflow.errors import WorkflowFailed

STATE_CHANGES = {EventType.INSTANCE_STARTED, EventType.TASK_COMPLETED, EventType.TIMER_FIRED,
                 EventType.INSTANCE_MIGRATED, EventType.INSTANCE_MIGRATION_REVERTED}
Specs = tuple[Any, dict[str, Any]]


@dataclass
class Divergence:
    step: int
    event_seq: int | None
    event_type: str | None
    message: str
    expected: str | None = None
    actual: str | None = None


@dataclass
class ReplayReport:
    instance_id: int
    consistent: bool
    steps: int
    divergence: Divergence | None = None
    notes: list[str] = field(default_factory=list)
    destroyed: str | None = None  # set when retention destroyed the case: nothing is left to replay

    def as_dict(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "consistent": self.consistent, "steps": self.steps,
                "divergence": asdict(self.divergence) if self.divergence else None, "destroyed": self.destroyed}


def specs_as_stored_now(session: Session, definition: ProcessDefinition) -> Specs:
    """Parse the version's model from its stored bytes, so an in-place edit in the database shows up."""
    deployment = session.get(Deployment, definition.deployment_id)
    assert deployment is not None
    return specs_from_stored_bytes(deployment, definition.process_id)


def _specs_of(session: Session, definition_id: Any) -> Specs:
    definition = session.get(ProcessDefinition, definition_id) if isinstance(definition_id, int) else None
    if definition is None:
        raise LookupError(f"procesversie {definition_id} bestaat niet")
    return specs_as_stored_now(session, definition)


class VersionsInForce:
    """The specs replay runs on now, and what it had before each migration (to undo one exactly)."""

    def __init__(self, session: Session, specs: Specs, definition_id: int | None = None):
        self.session = session
        self.current = specs
        self.definition_id = definition_id  # the process version in force (what a diagram should show)
        self._before: dict[int, tuple[str, Specs, int | None]] = {}

    @classmethod
    def at_start(cls, session: Session, instance: Case, start: AuditEvent) -> VersionsInForce:
        """The version the case started on: a migrated case's row names the version it moved to."""
        started_on = session.get(ProcessDefinition, start.definition_id) if start.definition_id else None
        definition = started_on or instance.definition
        return cls(session, specs_as_stored_now(session, definition), definition.id)

    def step(self, workflow: Any, state: str, event: AuditEvent) -> Any:
        """Redo one state-changing event (a migration or its revert included); returns the workflow."""
        if event.event_type == EventType.INSTANCE_MIGRATED:
            return self.migrate(workflow, state, event)
        if event.event_type == EventType.INSTANCE_MIGRATION_REVERTED:
            return self.revert(event)
        return apply_recorded_event(workflow, event, *self.current)

    def migrate(self, workflow: Any, state: str, event: AuditEvent) -> Any:
        target = event.payload.get("to_definition_id")
        new = _specs_of(self.session, target)
        self._before[event.seq] = (state, self.current, self.definition_id)
        migration.migrate(workflow, *new, event.occurred_at)
        self.current, self.definition_id = new, target
        return workflow

    def revert(self, event: AuditEvent) -> Any:
        seq = event.payload.get("migration_seq")
        if not isinstance(seq, int) or seq not in self._before:
            raise LookupError(f"overzetting {seq} staat niet eerder in het auditlog")
        state, self.current, self.definition_id = self._before.pop(seq)
        spec, subprocess_specs = self.current
        return serializer.loads(state, spec=spec, subprocess_specs=subprocess_specs, script_engine=runner.SCRIPT_ENGINE)


def state_as_stored(workflow: Any) -> str:
    """The state text the live path would have stored after this step (pruned, serialized)."""
    pruning.prune(workflow)
    return serializer.dumps(workflow)


def replay_case(session: Session, instance_id: int) -> ReplayReport:
    """Re-execute one case; report the first divergence precisely."""
    instance = session.get(Case, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    if instance.status == CaseStatus.DESTROYED:
        record = session.scalar(select(DestructionRecord).where(DestructionRecord.instance_id == instance_id))
        when = datum(record.destroyed_at) if record else "onbekende datum"
        rule = record.rule if record else "onbekend"
        return ReplayReport(instance_id, consistent=True, steps=0,
                            destroyed=f"Vernietigd op {when} volgens regel ‘{rule}’")
    events = [e for e in log.history(session, instance_id) if e.event_type in STATE_CHANGES]
    report = ReplayReport(instance_id=instance_id, consistent=False, steps=0)
    if not events or events[0].event_type != EventType.INSTANCE_STARTED or "seed" not in events[0].payload:
        report.divergence = Divergence(0, None, None, "De start van de zaak staat niet (volledig) in het auditlog")
        return report
    try:
        versions = VersionsInForce.at_start(session, instance, events[0])
    except Exception as exc:  # noqa: BLE001 - any parse failure is a divergence to report
        report.divergence = Divergence(0, None, None, f"Het opgeslagen model kan niet worden gelezen: {exc}")
        return report
    workflow, state = None, ""
    for step, event in enumerate(events, start=1):
        try:
            workflow = versions.step(workflow, state, event)
        except (WorkflowFailed, LookupError, migration.MigrationImpossible) as exc:
            # The runner's LookupError carries only an engine task id: no reader can use that.
            reason = ("deze taak of termijn staat op dit punt niet (meer) klaar in het model"
                      if type(exc) is LookupError else str(exc))
            report.divergence = Divergence(step, event.seq, event.event_type,
                                           f"Stap {step} ({step_in_words(session, event)}) kan niet opnieuw "
                                           f"worden uitgevoerd: {reason}")
            return report
        state = state_as_stored(workflow)
        # The live path reloads the case from its stored text before every step; so does replay,
        # or anything the stored text does not carry would make the two drift apart.
        spec, subprocess_specs = versions.current
        workflow = serializer.loads(state, spec=spec, subprocess_specs=subprocess_specs,
                                    script_engine=runner.SCRIPT_ENGINE)
        actual = hashlib.sha256(state.encode()).hexdigest()
        expected = event.payload.get("state_sha256")
        if actual != expected:
            report.divergence = Divergence(step, event.seq, event.event_type,
                                           f"Toestand na stap {step} ({step_in_words(session, event)}) wijkt "
                                           "af van de vastgelegde toestand",
                                           expected=expected, actual=actual)
            return report
        report.steps = step
    if state != instance.state:
        report.divergence = Divergence(report.steps, None, None,
                                       "Eindtoestand wijkt af van de opgeslagen toestand van de zaak")
        return report
    report.consistent = True
    return report


def step_in_words(session: Session, event: AuditEvent) -> str:
    """A replay step as a reader knows it: "Taak afgerond: ‘Signaal verrijken’", never a task id."""
    vocabulary = Vocabulary(session)
    vocabulary.preload([event])
    label = EVENT_LABELS.get(event.event_type, "Gebeurtenis")
    name = vocabulary.known_task_name(event)
    return f"{label}: ‘{name}’" if name else label


def apply_recorded_event(workflow: Any, event: AuditEvent, spec: Any, subprocess_specs: dict[str, Any]) -> Any:
    """Redo one start, task completion or timer firing at its recorded time; returns the workflow.

    Any other event type leaves the workflow as it is (migrations are handled by the caller).
    """
    payload = event.payload
    if event.event_type == EventType.INSTANCE_STARTED:
        return runner.start(spec, subprocess_specs, canonical_data(payload.get("data") or {}), event.occurred_at,
                            seed=UUID(payload["seed"]))
    if event.event_type == EventType.TASK_COMPLETED:
        runner.complete_human_task(workflow, payload["spiff_task_id"], canonical_data(payload.get("data") or {}),
                                   event.occurred_at)
    elif event.event_type == EventType.TIMER_FIRED:
        runner.fire_timer(workflow, payload["spiff_task_id"], event.occurred_at)
    return workflow


def replay_for(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> ReplayReport:
    """Replay on behalf of an auditor (or the system); the replay itself is audited."""
    if not actor.is_system and actor.role != Role.AUDITOR:
        raise Forbidden("Alleen een auditor mag een zaak opnieuw afspelen.")
    report = replay_case(session, instance_id)
    if report.destroyed:  # a destroyed case's chain holds only erased payloads; nothing to add to it
        return report
    log.record(session, event_type=EventType.INSTANCE_REPLAYED, actor=actor, now=now, instance_id=instance_id,
               payload={"consistent": report.consistent, "steps": report.steps})
    return report


def all_case_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Case.id).order_by(Case.id)))
