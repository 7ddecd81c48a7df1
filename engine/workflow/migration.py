"""Move a running workflow onto another version of its process (docs/architecture.md, decision 3).

Elements are matched by BPMN id (SpiffWorkflow's task spec name). A case can move when every
task it is busy with (ready, waiting, started) and every subprocess it runs exist in the new
version. The move keeps those tasks, their ids, data and timers as they are; it never runs the
model (no scripts, no conditions). What lies ahead of the busy tasks is predicted again from
the new version, so the case continues on the new route. Finished history whose element the
new version no longer has is spliced out of the tree: it is in the audit log already, and the
stored state may only name elements of the version it runs on. A boundary event the new version
attaches to a task that is already open is not armed for it (it would start counting at the
migration, not when the task began); :func:`notes` says so, and the task gets the new version's
(finished) split above it so that it can complete on the new route.

SpiffWorkflow's own ``bpmn.util.diff.migrate_workflow`` resets every ready and waiting task
instead, which gives them new ids and restarts their timers; we want neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.workflow import clock, task_ids

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
AHEAD = TaskState.FUTURE | TaskState.PREDICTED_MASK


@dataclass(frozen=True)
class Obstacle:
    """Why a case cannot move: what kind of element, its name and BPMN id."""

    kind: str  # "taak" | "timer" | "deelproces" | "element" | "soort"
    name: str
    element_id: str

    def message(self, version: int) -> str:
        """The reason in Dutch, for the plan page, the API and the CLI."""
        if self.kind == "taak":
            return f"taak '{self.name}' bestaat niet in versie {version}"
        if self.kind == "timer":
            return f"wacht op timer '{self.name}' die in versie {version} ontbreekt"
        if self.kind == "deelproces":
            return f"deelproces '{self.name}' ontbreekt in versie {version}"
        if self.kind == "soort":
            return f"'{self.name}' is in versie {version} een ander soort element"
        return f"element '{self.name}' bestaat niet in versie {version}"


@dataclass(frozen=True)
class Note:
    """Not an obstacle, but worth knowing before moving: new boundary events an open task will not get."""

    task: str
    events: tuple[str, ...]

    def message(self, version: int) -> str:
        names = ", ".join(f"'{e}'" for e in self.events)
        return f"{names} uit versie {version} geldt niet voor de taak '{self.task}' die al openstaat"


class MigrationImpossible(Exception):
    def __init__(self, obstacles: list[Obstacle]):
        super().__init__(", ".join(o.element_id for o in obstacles))
        self.obstacles = obstacles


def _name(task: Task) -> str:
    spec = task.task_spec
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def _element_id(task: Task) -> str:
    return str(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


def _kind_of_missing(task: Task) -> str:
    definition = getattr(task.task_spec, "event_definition", None)
    if task.state == TaskState.WAITING and isinstance(definition, TimerEventDefinition):
        return "timer"
    if isinstance(task.task_spec, SubWorkflowTask):
        return "deelproces"
    if task.task_spec.manual:
        return "taak"
    return "element"


def _same_kind(old: Any, new: Any) -> bool:
    if type(old) is not type(new):
        return False
    old_event = getattr(old, "event_definition", None)
    return type(old_event) is type(getattr(new, "event_definition", None))


def _targets(workflow: BpmnWorkflow, new_spec: Any, new_subprocess_specs: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(workflow or subprocess, the spec it moves to, or None when the new version lacks it)."""
    pairs: list[tuple[Any, Any]] = [(workflow, new_spec)]
    for subprocess in workflow.subprocesses.values():
        pairs.append((subprocess, new_subprocess_specs.get(subprocess.spec.name)))
    return pairs


def _running(subprocess: Any) -> bool:
    return any(t.has_state(TaskState.NOT_FINISHED_MASK) for t in subprocess.tasks.values())


def obstacles(workflow: BpmnWorkflow, new_spec: Any, new_subprocess_specs: dict[str, Any]) -> list[Obstacle]:
    """Everything that keeps this workflow from moving to the new specs; empty when it can."""
    found: list[Obstacle] = []
    for current, target in _targets(workflow, new_spec, new_subprocess_specs):
        if current is not workflow:
            parent = workflow.get_task_from_id(current.parent_task_id)
            new_parent = _new_spec_of(workflow, parent, new_spec, new_subprocess_specs)
            calls_same = getattr(new_parent, "spec", None) == current.spec.name
            if _running(current) and (target is None or not calls_same):
                name = str(getattr(current.spec, "description", None) or current.spec.name)
                found.append(Obstacle("deelproces", name, current.spec.name))
                continue
            if target is None:
                continue
        for task in current.get_tasks(state=ACTIVE, skip_subprocesses=True):
            new = target.task_specs.get(task.task_spec.name)
            if new is None:
                found.append(Obstacle(_kind_of_missing(task), _name(task), _element_id(task)))
            elif not _same_kind(task.task_spec, new):
                found.append(Obstacle("soort", _name(task), _element_id(task)))
    return _unique(found)


def notes(workflow: BpmnWorkflow, new_spec: Any, new_subprocess_specs: dict[str, Any]) -> list[Note]:
    """Open tasks to which the new version attaches boundary events (terms, messages) they will not get."""
    found = []
    for current, target in _targets(workflow, new_spec, new_subprocess_specs):
        for task in current.get_tasks(state=ACTIVE, skip_subprocesses=True) if target is not None else []:
            new = target.task_specs.get(task.task_spec.name)
            split = _added_split(task, new) if new is not None else None
            if split is not None:
                events = tuple(str(o.bpmn_name or o.bpmn_id) for o in split.outputs if isinstance(o, BoundaryEvent))
                found.append(Note(_name(task), events))
    return found


def _added_split(task: Task, new: Any) -> Any:
    """The new version's boundary-event split above this task, if the task does not hang below one yet."""
    for spec in new.inputs:
        if isinstance(spec, BoundaryEventSplit) and (task.parent is None or task.parent.task_spec.name != spec.name):
            return spec
    return None


def _insert_split(current: Any, task: Task, split: Any) -> None:
    """Put a finished split between the task and its parent: the new version's join looks for it.

    Its boundary events are not created, so nothing is armed; the join then waits for the task alone.
    """
    parent = task.parent
    node = Task(current, split, state=TaskState.COMPLETED)
    node.data = dict(parent.data if parent is not None else task.data)
    node._parent = task._parent
    node._children = [task.id]
    if parent is not None:
        parent._children[parent._children.index(task.id)] = node.id
    task._parent = node.id


def _unique(found: list[Obstacle]) -> list[Obstacle]:
    seen: set[tuple[str, str]] = set()
    result = []
    for obstacle in found:
        if (obstacle.kind, obstacle.element_id) not in seen:
            seen.add((obstacle.kind, obstacle.element_id))
            result.append(obstacle)
    return result


def _new_spec_of(workflow: BpmnWorkflow, task: Task, new_spec: Any, new_subprocess_specs: dict[str, Any]) -> Any:
    """The new version's spec for a task, looked up in the (new) spec of the workflow it lives in."""
    owner = task.workflow
    target = new_spec if owner is workflow else new_subprocess_specs.get(owner.spec.name)
    return target.task_specs.get(task.task_spec.name) if target is not None else None


def migrate(workflow: BpmnWorkflow, new_spec: Any, new_subprocess_specs: dict[str, Any], now: datetime) -> None:
    """Move the workflow onto the new specs in place; raise :class:`MigrationImpossible` if it cannot.

    Deterministic (new predicted tasks take the case's own id sequence and the clock stands at
    ``now``), so replay repeats it exactly.
    """
    found = obstacles(workflow, new_spec, new_subprocess_specs)
    if found:
        raise MigrationImpossible(found)
    with task_ids.resumed(workflow), clock.frozen_at(now):
        for current, target in _targets(workflow, new_spec, new_subprocess_specs):
            if current is not workflow and target is None:
                continue  # finished subprocess the new version no longer calls: dropped below
            _repoint(current, target)
        _drop_finished_subprocesses(workflow, new_subprocess_specs)
        workflow.subprocess_specs = new_subprocess_specs
        for current in [workflow, *workflow.subprocesses.values()]:
            for task in current.get_tasks(state=ACTIVE, skip_subprocesses=True):
                split = _added_split(task, task.task_spec)
                if split is not None:
                    _insert_split(current, task, split)
            for task in _frontier(current):
                _predict_again(task)
            if current.last_task is not None and current.last_task.id not in current.tasks:
                current.last_task = None


def _repoint(current: Any, target: Any) -> None:
    """Give every task the new version's spec; splice out finished tasks whose element is gone."""
    gone: list[Task] = []
    for task in list(current.tasks.values()):
        new = target.task_specs.get(task.task_spec.name)
        if new is not None:
            task.task_spec = new
        elif task.has_state(TaskState.FINISHED_MASK):
            gone.append(task)
        elif not _ahead_of_active(task):
            raise MigrationImpossible([Obstacle("element", _name(task), _element_id(task))])
    current.spec = target
    for task in gone:
        _splice(current, task)
    for task in [t for t in current.tasks.values() if t.task_spec.name not in target.task_specs]:
        # Predicted tasks of the old route below a busy task: predicted again from the new version.
        if task.id in current.tasks and task.parent is not None:
            current._remove_task(task.id)


def _ahead_of_active(task: Task) -> bool:
    """A predicted task somewhere below a busy task (it is replaced by a fresh prediction)."""
    node = task.parent
    while node is not None:
        if node.has_state(ACTIVE):
            return True
        if not node.has_state(AHEAD):
            return False
        node = node.parent
    return False


def _splice(current: Any, task: Task) -> None:
    """Remove one finished task from the tree, handing its children to its parent.

    Children carry their full data in memory, so the delta the serializer writes stays right.
    """
    top = current.top_workflow
    if task.id in top.subprocesses:
        top.delete_subprocess(task)
    children = task.children
    parent = task.parent
    if parent is None:
        if len(children) != 1:
            raise MigrationImpossible([Obstacle("element", _name(task), _element_id(task))])
        child = children[0]
        child.data = dict(child.data)
        child._parent = None
        current.task_tree = child
    else:
        index = parent._children.index(task.id)
        parent._children[index:index + 1] = [c.id for c in children]
        for child in children:
            child._parent = parent.id
    del current.tasks[task.id]


def _drop_finished_subprocesses(workflow: BpmnWorkflow, new_subprocess_specs: dict[str, Any]) -> None:
    """A finished subprocess the new version does not call any more is history: it goes, like spliced tasks."""
    for parent_id, subprocess in list(workflow.subprocesses.items()):
        if parent_id not in workflow.subprocesses or _running(subprocess):
            continue
        parent = workflow.get_task_from_id(parent_id)
        called = getattr(parent.task_spec, "spec", None) if parent is not None else None
        if subprocess.spec.name in new_subprocess_specs and called == subprocess.spec.name:
            continue
        if parent is not None:
            workflow.delete_subprocess(parent)  # with any subprocess nested in it
        else:
            del workflow.subprocesses[parent_id]


def _frontier(current: Any) -> list[Task]:
    """Busy tasks with nothing but predictions below them: where the new route starts."""
    return [t for t in current.get_tasks(state=ACTIVE, skip_subprocesses=True)
            if all(c.has_state(AHEAD) for c in t.children)]


def _predict_again(task: Task) -> None:
    """Replace the old route's prediction below a busy task with the new version's.

    The new children get the state the old prediction had (FUTURE below a task, MAYBE below a
    boundary event), as SpiffWorkflow gave it when it predicted them while the task was ahead.
    """
    old = task.children
    states = {child.state for child in old}
    for child in old:
        task.workflow._remove_task(child.id)
    if len(states) != 1:
        task.task_spec._predict(task, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE | task.state)
        return
    task._sync_children(task.task_spec.outputs, states.pop())
    for child in task.children:
        child.task_spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
