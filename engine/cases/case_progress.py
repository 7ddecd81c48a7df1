"""Where a case stands, for the diagram on the case page: the path taken and what waits now.

The stored state keeps no finished history (it is pruned), so the path is found the way the
auditor's step-through finds it: re-executing the recorded events on the recorded version
(:func:`engine.audit.replay_trace.walk`). Keys are ``"process id:element id"``, also inside
called processes, so the page can mark a sub-process's own diagram. A case whose history cannot be
re-executed still shows its open tasks; the page says the path is unknown instead of guessing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.audit import log, replay, replay_trace
from engine.cases.names import Names
from engine.errors import NotFound
from engine.modelling.specs import specs_for
from engine.models import AuditEvent, Case, HumanTask, ProcessDefinition, TaskState
from engine.models.cases import CaseStatus
from engine.workflow.errors import WorkflowFailed

logger = logging.getLogger(__name__)


@dataclass
class Progress:
    instance_id: int
    process_id: str                      # the case's main process
    definition_id: int                   # the version it runs on
    visited: dict[str, int] = field(default_factory=dict)
    active: list[str] = field(default_factory=list)
    path_known: bool = True
    processes: dict[str, str] = field(default_factory=dict)  # process id -> name, main process first

    def as_dict(self) -> dict[str, object]:
        return {"process_id": self.process_id, "visited": self.visited, "active": self.active,
                "path_known": self.path_known, "processes": self.processes}


def _process_of(key: str) -> str:
    return key.split(":", 1)[0]


def _call_activities(definition: ProcessDefinition) -> list[tuple[str, str, str]]:
    """(process, call activity element, called process) of every call in the case's version."""
    spec, subprocess_specs = specs_for(definition)
    calls = []
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            called, element = getattr(task_spec, "spec", None), getattr(task_spec, "bpmn_id", None)
            if isinstance(called, str) and called in subprocess_specs and element:
                calls.append((process.name, element, called))
    return calls


def _drawn_in(definition: ProcessDefinition) -> dict[str, str]:
    """Embedded sub-process -> the process whose diagram draws it (its element id names its own spec).

    The case page fetches one diagram per process; an embedded sub-process has none of its own, its
    elements sit on a plane of its parent's file, so its keys are shown under that parent.
    """
    parents = {called: process for process, element, called in _call_activities(definition) if called == element}
    drawn: dict[str, str] = {}
    for embedded in parents:
        owner, seen = parents[embedded], {embedded}
        while owner in parents and owner not in seen:
            seen.add(owner)
            owner = parents[owner]
        drawn[embedded] = owner
    return drawn


def _as_drawn(key: str, drawn: dict[str, str]) -> str:
    process, _, element = key.partition(":")
    return f"{drawn[process]}:{element}" if process in drawn else key


def _running_calls(definition: ProcessDefinition, active: list[str]) -> set[str]:
    """The call activities that lead to an open step, so the main diagram marks where the case waits.

    A process called from two places in one parent marks both: the replayed tasks do not say which.
    """
    running = {_process_of(k) for k in active}
    marked: set[str] = set()
    calls = _call_activities(definition)
    changed = True
    while changed:
        changed = False
        for process, element, called in calls:
            key = f"{process}:{element}"
            if called in running and key not in marked:
                marked.add(key)
                running.add(process)
                changed = True
    return marked


_CACHE_SIZE = 256
_cache_lock = threading.Lock()
_paths: OrderedDict[tuple[int, str, int], tuple[dict[str, int], list[str]] | None] = OrderedDict()


def _path(session: Session, instance: Case) -> tuple[dict[str, int], list[str]] | None:
    """(visited, active) after the last recorded event; None when the history cannot be re-executed.

    Re-executing costs a replay, so the result is kept per worker keyed on the head of the case's
    audit chain: every change to a case (a step, a timer, a migration) appends an event with a new
    hash, and the same history always gives the same path, so an entry is never stale.
    """
    head = session.scalar(select(AuditEvent.hash).where(AuditEvent.chain == log.chain_for_case(instance.id))
                          .order_by(AuditEvent.seq.desc()).limit(1))
    key = (instance.id, head or "", instance.definition_id)
    with _cache_lock:
        if key in _paths:
            _paths.move_to_end(key)
            return _paths[key]
    events = [e for e in log.history(session, instance.id) if e.event_type in replay.STATE_CHANGES]
    try:
        steps = replay_trace.walk(session, instance, events)
    except (WorkflowFailed, LookupError, ValueError) as exc:
        logger.warning("case_progress.path_unknown", extra={"instance_id": instance.id,
                                                             "error": type(exc).__name__})
        steps = []
    path = (dict(steps[-1].visited), list(steps[-1].active)) if steps else None
    with _cache_lock:
        _paths[key] = path
        while len(_paths) > _CACHE_SIZE:
            _paths.popitem(last=False)
    return path


def progress(session: Session, *, actor: Actor, instance_id: int, names: Names | None = None) -> Progress:
    """The path and open elements of a case the actor may see; NotFound otherwise.

    Not logged separately: the diagram is part of the case page, whose view is logged.
    """
    if not access.can_see_case(session, actor, instance_id):
        raise NotFound("Zaak niet gevonden.")
    instance = session.get(Case, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    definition = instance.definition
    found = Progress(instance.id, definition.process_id, definition.id)
    if instance.status != CaseStatus.DESTROYED:
        path = _path(session, instance)
        if path is not None:
            found.visited, found.active = dict(path[0]), list(path[1])
        else:
            found.path_known = False
    found.active = sorted(set(found.active) | _running_calls(definition, found.active))
    drawn = _drawn_in(definition)
    if drawn:
        visited: dict[str, int] = {}
        for key, count in found.visited.items():
            visited[_as_drawn(key, drawn)] = visited.get(_as_drawn(key, drawn), 0) + count
        found.visited = visited
        found.active = sorted({_as_drawn(key, drawn) for key in found.active})
    if not found.active:  # no replay: the open human tasks still show, on the main process
        elements = session.scalars(select(HumanTask.element_id).where(
            HumanTask.instance_id == instance_id, HumanTask.state == TaskState.READY))
        found.active = sorted(f"{definition.process_id}:{e}" for e in elements)
    names = names or Names(session)
    wanted = [definition.process_id, *sorted({_process_of(k) for k in [*found.visited, *found.active]}
                                              - {definition.process_id})]
    found.processes = {pid: names.process(pid) for pid in wanted}
    found.processes[definition.process_id] = names.process(definition.process_id, definition.version)
    return found
