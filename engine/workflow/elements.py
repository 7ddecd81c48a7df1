"""The model elements of a process version, as plain data: id, name, kind, and for a boundary event
the task it sits on.

Pages that name elements to people (the auditor's step-through) read this instead of SpiffWorkflow's
task specs, which stay inside :mod:`engine.workflow`. The order is the parser's, which follows the
sequence flows from each start event: close to how the diagram reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# SpiffWorkflow's task spec classes by BPMN element kind; the first class in a spec's MRO that is here wins.
_KINDS = {
    "UserTask": "userTask", "ManualTask": "manualTask", "ScriptTask": "scriptTask", "ServiceTask": "serviceTask",
    "BusinessRuleTask": "businessRuleTask", "SendTask": "sendTask", "ReceiveTask": "receiveTask", "NoneTask": "task",
    "CallActivity": "callActivity", "TransactionSubprocess": "transaction", "SubWorkflowTask": "subProcess",
    "ExclusiveGateway": "exclusiveGateway", "ParallelGateway": "parallelGateway",
    "InclusiveGateway": "inclusiveGateway", "EventBasedGateway": "eventBasedGateway",
    "StartEvent": "startEvent", "EndEvent": "endEvent", "BoundaryEvent": "boundaryEvent",
    "IntermediateCatchEvent": "intermediateCatchEvent", "IntermediateThrowEvent": "intermediateThrowEvent",
}
_EVENTS = {"Timer": "timer", "Message": "message", "Signal": "signal", "Error": "error", "Escalation": "escalation",
           "Conditional": "conditional", "Terminate": "terminate", "Cancel": "cancel"}


@dataclass(frozen=True)
class Element:
    process: str            # the process (or embedded sub-process) id the element belongs to
    element: str            # its id in the model
    name: str               # its name in the model; "" when it has none
    kind: str               # BPMN element kind: "userTask", "exclusiveGateway", "boundaryEvent", ...
    event: str | None       # for an event: "timer", "message", ... (None for a plain or no event)
    attached_to: str | None  # for a boundary event: the id of the element it sits on
    calls: str | None = None  # for a call activity or sub-process: the process id it runs
    after: tuple[str, ...] = ()  # ids of the elements whose flows lead into this one

    @property
    def key(self) -> str:
        return f"{self.process}:{self.element}"


def _kind(task_spec: Any) -> str:
    for cls in type(task_spec).__mro__:
        if cls.__name__ in _KINDS:
            return _KINDS[cls.__name__]
    return "task"


def _event(task_spec: Any) -> str | None:
    definition = getattr(task_spec, "event_definition", None)
    if definition is None:
        return None
    for cls in type(definition).__mro__:
        for word, event in _EVENTS.items():
            if word in cls.__name__:
                return event
    return None


def _attached_to(task_spec: Any) -> str | None:
    """A boundary event's inputs are Spiff's split node, whose other output is the task it sits on."""
    for split in getattr(task_spec, "inputs", []):
        for other in getattr(split, "outputs", []):
            bpmn_id = getattr(other, "bpmn_id", None)
            if other is not task_spec and bpmn_id and _kind(other) != "boundaryEvent":
                return str(bpmn_id)
    return None


def _after(task_spec: Any) -> tuple[str, ...]:
    """The model elements just before this one, looking through Spiff's own nodes (boundary splits, joins)."""
    found: list[str] = []
    queue, seen = list(getattr(task_spec, "inputs", [])), set()
    while queue:
        other = queue.pop(0)
        if id(other) in seen:
            continue
        seen.add(id(other))
        bpmn_id = getattr(other, "bpmn_id", None)
        if bpmn_id:
            found.append(str(bpmn_id))
        else:
            queue.extend(getattr(other, "inputs", []))
    return tuple(found)


def elements(spec: Any, subprocess_specs: dict[str, Any]) -> list[Element]:
    """Every model element of the main process and the processes it calls, main process first."""
    found = []
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue  # Spiff's own bookkeeping (start, end join, boundary split)
            kind = _kind(task_spec)
            called = getattr(task_spec, "spec", None)
            found.append(Element(process.name, str(bpmn_id), str(getattr(task_spec, "bpmn_name", None) or ""), kind,
                                 _event(task_spec), _attached_to(task_spec) if kind == "boundaryEvent" else None,
                                 called if isinstance(called, str) and called in subprocess_specs else None,
                                 _after(task_spec)))
    return found


def process_names(spec: Any, subprocess_specs: dict[str, Any]) -> dict[str, str]:
    """Process id -> its name in the model ("" when it has none)."""
    return {process.name: str(process.description or "") for process in [spec, *subprocess_specs.values()]}
