"""Advance a workflow: start, complete a human task, fire a timer; and read what it waits for.

Every call runs with the workflow clock frozen at the caller's ``now``. Nothing here touches
the database: services load and store the state around these calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import TerminateEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState as SpiffState

from engine.workflow import clock, sandbox, subprocess_completion, task_ids
from engine.workflow.bundle import task_form, task_instructions
from engine.workflow.errors import WorkflowFailed
from engine.workflow.script_engine import SandboxScriptEngine

SCRIPT_ENGINE = SandboxScriptEngine()
subprocess_completion.install()


@dataclass(frozen=True)
class ReadyTask:
    """A human task the workflow waits for."""

    spiff_task_id: str
    element_id: str
    name: str
    lane: str | None
    form: str | None
    instructions: str | None
    task_spec: Any
    data: dict[str, Any]
    due_at: datetime | None = None  # when the first timer attached to the task fires (its term)


@dataclass(frozen=True)
class WithdrawnTask:
    """A human task the workflow stopped waiting for without anyone completing it.

    ``reason`` is the name of the terminate end event that ended its (sub-)process, as the model
    says it ("Partner meldt een strafrechtelijk onderzoek"); ``None`` when the model gives none.
    """

    spiff_task_id: str
    element_id: str
    name: str
    reason: str | None
    reason_element: str | None


@dataclass(frozen=True)
class WaitingTimer:
    spiff_task_id: str
    element_id: str
    name: str
    kind: str
    due_at: datetime


def _element_id(task: Task) -> str:
    return str(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


def _sandbox_cause(exc: BaseException) -> sandbox.SandboxError | None:
    """The sandbox's own (Dutch) error, wherever SpiffWorkflow wrapped it in the chain."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, sandbox.SandboxError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _fail(exc: Exception) -> WorkflowFailed:
    """Turn an engine or sandbox error into one Dutch message naming the element."""
    task = getattr(exc, "task", None)
    element_id = _element_id(task) if task is not None else None
    sandbox_error = _sandbox_cause(exc)
    if sandbox_error is not None:
        detail = sandbox_error.message
    else:
        detail = exc.args[0] if exc.args else type(exc).__name__
    where = f" in '{element_id}'" if element_id else ""
    return WorkflowFailed(f"Fout in het model{where}: {detail}", element_id=element_id)


STRANDED_MESSAGE = (
    "De zaak kan na deze stap niet verder: er is geen taak, termijn of gebeurtenis meer waarop zij wacht, "
    "en zij is niet afgerond. De stap is niet opgeslagen; meld dit aan de beheerder."
)


def _advance(workflow: BpmnWorkflow, now: datetime) -> None:
    with task_ids.resumed(workflow), clock.frozen_at(now):
        try:
            workflow.do_engine_steps()
        except (SpiffWorkflowException, sandbox.SandboxError) as exc:
            raise _fail(exc) from exc
    _require_movable(workflow)


def can_move(workflow: BpmnWorkflow) -> bool:
    """Whether anything can still happen to the case: done, a ready task, or a waiting timer or event.

    A task waiting without an event (a join waiting for a branch) moves only if something else can.
    """
    if workflow.completed:
        return True
    if workflow.get_tasks(state=SpiffState.READY):
        return True
    return any(isinstance(task.task_spec, CatchingEvent) for task in workflow.get_tasks(state=SpiffState.WAITING))


def _require_movable(workflow: BpmnWorkflow) -> None:
    """A step may never leave a case with nothing to wait for (it would stall a signal unseen): that is an error,
    not a 200."""
    if can_move(workflow):
        return
    # Where it stopped: a join still waiting for a branch, else the activity left half-done.
    def modelled(state: SpiffState) -> list[Task]:
        return [t for t in workflow.get_tasks(state=state) if getattr(t.task_spec, "bpmn_id", None)]

    stuck = modelled(SpiffState.WAITING) or modelled(SpiffState.STARTED)
    element_id = _element_id(stuck[-1]) if stuck else None
    raise WorkflowFailed(STRANDED_MESSAGE, element_id=element_id)


def start(spec: Any, subprocess_specs: dict[str, Any], data: dict[str, Any], now: datetime,
          seed: UUID | None = None) -> BpmnWorkflow:
    """Create a workflow, seed its start with ``data`` and run until it waits.

    ``seed`` fixes the task ids (see :mod:`engine.workflow.task_ids`); replay passes the recorded one.
    """
    with task_ids.seeded(seed or uuid4()) as counter, clock.frozen_at(now):
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=SCRIPT_ENGINE)
        for task in workflow.get_tasks(state=SpiffState.READY):
            task.set_data(**data)
        task_ids.remember(workflow, counter)
    _advance(workflow, now)
    return workflow


def seed_of(workflow: BpmnWorkflow) -> str:
    return str(workflow.data[task_ids.KEY]["seed"])


def find_task(workflow: BpmnWorkflow, spiff_task_id: str) -> Task | None:
    try:
        return workflow.get_task_from_id(UUID(spiff_task_id))
    except (ValueError, KeyError, SpiffWorkflowException):
        return None


def complete_human_task(workflow: BpmnWorkflow, spiff_task_id: str, data: dict[str, Any], now: datetime) -> None:
    """Complete a ready user/manual task with the submitted data and run on."""
    task = find_task(workflow, spiff_task_id)
    if task is None or task.state != SpiffState.READY or not task.task_spec.manual:
        raise LookupError(spiff_task_id)
    with task_ids.resumed(workflow), clock.frozen_at(now):
        try:
            task.set_data(**data)
            task.run()
        except (SpiffWorkflowException, sandbox.SandboxError) as exc:
            raise _fail(exc) from exc
    _advance(workflow, now)


def fire_timer(workflow: BpmnWorkflow, spiff_task_id: str, now: datetime) -> None:
    """Fire exactly this waiting timer (whatever its due time), then run on."""
    task = find_task(workflow, spiff_task_id)
    if task is None or task.state != SpiffState.WAITING:
        raise LookupError(spiff_task_id)
    definition = _timer_definition(task)
    if isinstance(definition, CycleTimerEventDefinition):
        value = task._get_internal_data("event_value")
        if isinstance(value, dict):
            value["next"] = datetime.min.replace(tzinfo=now.tzinfo).isoformat()
    else:
        task._set_internal_data(event_fired=True)
    with task_ids.resumed(workflow), clock.frozen_at(now):
        try:
            workflow.refresh_timers()
        except (SpiffWorkflowException, sandbox.SandboxError) as exc:
            raise _fail(exc) from exc
    _advance(workflow, now)


def ready_human_task_ids(workflow: BpmnWorkflow) -> set[str]:
    """The ids of the human tasks the workflow waits for; cheap, for comparing before and after a step."""
    return {str(task.id) for task in workflow.get_tasks(state=SpiffState.READY, manual=True)}


def withdrawn_tasks(workflow: BpmnWorkflow, were_ready: set[str]) -> list[WithdrawnTask]:
    """Which of the human tasks ready before a step the step cancelled, and the model's reason.

    Read before the state is stored: pruning may drop a finished sub-process and with it the
    terminate end event that explains the cancellation.
    """
    found = []
    for spiff_task_id in sorted(were_ready):
        task = find_task(workflow, spiff_task_id)
        if task is None or task.state != SpiffState.CANCELLED:
            continue
        ended_by = [t for t in task.workflow.get_tasks(state=SpiffState.COMPLETED)
                    if isinstance(getattr(t.task_spec, "event_definition", None), TerminateEventDefinition)]
        terminate = max(ended_by, key=lambda t: t.last_state_change) if ended_by else None
        found.append(WithdrawnTask(
            spiff_task_id=spiff_task_id, element_id=_element_id(task),
            name=str(task.task_spec.bpmn_name or _element_id(task)),
            reason=str(terminate.task_spec.bpmn_name) if terminate and terminate.task_spec.bpmn_name else None,
            reason_element=_element_id(terminate) if terminate else None,
        ))
    return found


def ready_human_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    return [
        ReadyTask(
            spiff_task_id=str(task.id),
            element_id=_element_id(task),
            name=str(task.task_spec.bpmn_name or _element_id(task)),
            lane=getattr(task.task_spec, "lane", None),
            form=task_form(task.task_spec),
            instructions=task_instructions(task.task_spec),
            task_spec=task.task_spec,
            data=task.data,
            due_at=_term_of(task),
        )
        for task in workflow.get_tasks(state=SpiffState.READY, manual=True)
    ]


def _term_of(task: Any) -> datetime | None:
    """A boundary timer on a task is its term: the task is due when the earliest one fires.

    SpiffWorkflow runs a task with boundary events under a shared parent, so its attached timers
    are the waiting timer siblings of the task.
    """
    if task.parent is None:
        return None
    dues = []
    for sibling in task.parent.children:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling is not task and sibling.state == SpiffState.WAITING and isinstance(definition, TimerEventDefinition):
            due = _due_at(sibling, definition)
            if due is not None:
                dues.append(due)
    return min(dues, default=None)


def _timer_kind(definition: TimerEventDefinition) -> str:
    if isinstance(definition, CycleTimerEventDefinition):
        return "cycle"
    if isinstance(definition, DurationTimerEventDefinition):
        return "duration"
    return "date"


def _due_at(task: Task, definition: TimerEventDefinition) -> datetime | None:
    """When Spiff will consider this timer due; it stores that in the task's internal data."""
    value = task._get_internal_data("event_value")
    if not value:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        return datetime.fromisoformat(str(value["next"])) if value.get("cycles", 0) != 0 else None
    if isinstance(definition, DurationTimerEventDefinition):
        due: datetime = TimerEventDefinition.get_datetime(str(value))
        return due
    parsed = TimerEventDefinition.parse_time_or_duration(str(value))
    return parsed if isinstance(parsed, datetime) else None


def _timer_definition(task: Task) -> TimerEventDefinition | None:
    """The timer a waiting task waits for, also inside an event-based gateway.

    An event-based gateway waits as one task with a multiple-event definition (its timer and its
    message, say). SpiffWorkflow 3.2 keeps one due time per task, so such a gateway has one timer.
    """
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        timers = [d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)]
        return timers[0] if timers else None
    return definition if isinstance(definition, TimerEventDefinition) else None


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    timers = []
    for task in workflow.get_tasks(state=SpiffState.WAITING):
        definition = _timer_definition(task)
        if definition is None:
            continue
        due = _due_at(task, definition)
        if due is None:
            continue
        timers.append(
            WaitingTimer(
                spiff_task_id=str(task.id),
                element_id=_element_id(task),
                name=str(task.task_spec.bpmn_name or _element_id(task)),
                kind=_timer_kind(definition),
                due_at=due,
            )
        )
    return timers


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data as the case last left it: the most recently completed task's data."""
    done = workflow.get_tasks(state=SpiffState.COMPLETED)
    if not done:
        return dict(workflow.data)
    return dict(max(done, key=lambda t: t.last_state_change).data)


Workflow = BpmnWorkflow
"""A running case's workflow, as the rest of the core names it without importing SpiffWorkflow."""


def element_key(task: Task) -> str | None:
    """``process:element`` of a task that stands for a model element; None for Spiff's own bookkeeping."""
    bpmn_id = getattr(task.task_spec, "bpmn_id", None)
    return f"{task.workflow.spec.name}:{bpmn_id}" if bpmn_id else None


def visited_elements(workflow: BpmnWorkflow) -> list[tuple[str, str]]:
    """(task id, element key) of every completed element, for counting visits across steps."""
    return [(str(task.id), key) for task in workflow.get_tasks(state=SpiffState.COMPLETED)
            if (key := element_key(task))]


def waiting_elements(workflow: BpmnWorkflow) -> list[str]:
    """Element keys the case waits at now: ready tasks and waiting events, sorted."""
    return sorted({key for task in workflow.get_tasks(state=SpiffState.READY | SpiffState.WAITING)
                   if (key := element_key(task))})
