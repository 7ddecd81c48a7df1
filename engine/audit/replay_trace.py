"""Step-through replay for the auditor: after each recorded event, which elements were visited and which wait.

Built on the same re-execution as :mod:`engine.audit.replay` (recorded version, recorded times,
deterministic task ids), so what the auditor steps through is what replay verified. Visits are counted
as tasks complete, before pruning drops finished history from the state.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.audit import access_log, log, replay
from engine.audit.events import EventType
from engine.errors import Forbidden, NotFound
from engine.models import AuditEvent, Case
from engine.workflow import runner, serializer

TRACE_VIEWED = "case.replayed"


@dataclass
class Step:
    number: int
    seq: int
    event_type: str
    occurred_at: datetime
    actor: str | None
    element_id: str | None
    data: dict[str, Any]
    visited: dict[str, int] = field(default_factory=dict)   # "process:element" -> times completed so far
    active: list[str] = field(default_factory=list)         # "process:element" ready or waiting now
    definition_id: int | None = None                        # the process version in force after the step
    event: AuditEvent | None = field(default=None, repr=False)  # the recorded event, to phrase it
    # Tasks the step withdrew, with the reason the model gives, found by the re-execution itself
    withdrawn: list[str] = field(default_factory=list)


@dataclass
class Trace:
    instance_id: int
    process_id: str
    steps: list[Step]
    consistent: bool
    divergence: replay.Divergence | None


def trace(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> Trace:
    """Re-execute the case event by event; stop at the first divergence and say so."""
    if not actor.is_system and actor.role != Role.AUDITOR:
        raise Forbidden("Alleen een auditor mag een zaak stap voor stap afspelen.")
    instance = session.get(Case, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id, action=TRACE_VIEWED)
    events = [e for e in log.history(session, instance_id) if e.event_type in replay.STATE_CHANGES]
    report = replay.replay_case(session, instance_id)
    if not events or report.divergence is not None and report.divergence.step <= 1:
        return Trace(instance_id, instance.definition.process_id, [], report.consistent, report.divergence)
    stop = report.divergence.step if report.divergence is not None else None
    steps = walk(session, instance, events, stop_before=stop)
    return Trace(instance_id, instance.definition.process_id, steps, report.consistent, report.divergence)


# Steps that can end other ready tasks (a partner's answer ends the AF's chase); a migration maps tasks
# onto another version and is described by its own event.
WITHDRAWING = {EventType.TASK_COMPLETED, EventType.TIMER_FIRED}


def withdrawn_in_words(item: runner.WithdrawnTask) -> str:
    """"‘Terugkoppeling opvragen bij de politie’ vervalt: partner meldt een strafrechtelijk onderzoek"."""
    reason = item.reason or "het proces wacht niet meer op deze taak"
    return f"‘{item.name}’ vervalt: {reason[:1].lower()}{reason[1:]}"


def walk(session: Session, instance: Case, events: list[AuditEvent], *,
         stop_before: int | None = None) -> list[Step]:
    """Re-execute the recorded state changes in order, noting after each what was visited and what waits.

    Shared by the auditor's step-through and the case page's diagram (engine.cases.case_progress).
    """
    if not events:
        return []
    versions = replay.VersionsInForce.at_start(session, instance, events[0])
    state = ""
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    steps, workflow = [], None
    for number, event in enumerate(events, start=1):
        if stop_before is not None and number >= stop_before:
            break
        were_ready: set[str] = set()
        if workflow is not None and event.event_type in WITHDRAWING:
            were_ready = runner.ready_human_task_ids(workflow)
        workflow = versions.step(workflow, state, event)
        withdrawn = [withdrawn_in_words(item) for item in runner.withdrawn_tasks(workflow, were_ready)]
        for task_id, key in runner.visited_elements(workflow):
            if task_id not in seen:
                seen.add(task_id)
                counts[key] += 1
        active = runner.waiting_elements(workflow)
        payload = event.payload
        steps.append(Step(number, event.seq, event.event_type, event.occurred_at, event.actor_username,
                          payload.get("element_id"), dict(payload.get("data") or {}), dict(counts), active,
                          versions.definition_id, event, withdrawn))
        state = replay.state_as_stored(workflow)
        spec, subprocess_specs = versions.current
        workflow = serializer.loads(state, spec=spec, subprocess_specs=subprocess_specs,
                                    script_engine=runner.SCRIPT_ENGINE)
    return steps
