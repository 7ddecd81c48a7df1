"""Can a case of this process ever finish? Checked at deploy, from the BPMN structure alone.

A case that waits on an element without a way out, or loops without a way to an end event, stays
active for ever; nobody notices until someone asks why it never closed. Refused at deploy:

- a start event connected to nothing;
- a task, gateway or intermediate event without an outgoing sequence flow (BPMN would read it
  as an implicit end; in a case system it is almost always a forgotten arrow);
- a process or sub-process in which no end event can be reached from its start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from lxml import etree

from engine.workflow.errors import ModelProblem
from engine.workflow.xml import BPMN_NS

_CONTAINERS = {"process", "subProcess", "transaction"}
_NEEDS_WAY_OUT = {
    "userTask", "manualTask", "task", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent",
}


def _local(node: etree._Element) -> str:
    return str(etree.QName(node).localname) if isinstance(node.tag, str) else ""


def _label(node: etree._Element) -> str:
    return f"'{node.get('name')}'" if node.get("name") else "zonder naam"


def _container_problems(container: etree._Element, filename: str) -> list[ModelProblem]:
    children = [c for c in container if isinstance(c.tag, str) and etree.QName(c).namespace == BPMN_NS]
    outgoing: dict[str, list[str]] = defaultdict(list)
    for flow in (c for c in children if _local(c) == "sequenceFlow"):
        outgoing[flow.get("sourceRef") or ""].append(flow.get("targetRef") or "")
    for boundary in (c for c in children if _local(c) == "boundaryEvent"):
        outgoing[boundary.get("attachedToRef") or ""].append(boundary.get("id") or "")
    problems: list[ModelProblem] = []

    def problem(message: str, node: etree._Element) -> None:
        problems.append(ModelProblem(message, file=filename, line=node.sourceline, element_id=node.get("id")))

    starts = [c for c in children if _local(c) == "startEvent"]
    for start in starts:
        if not outgoing.get(start.get("id") or ""):
            problem("Startgebeurtenis is met niets verbonden: een zaak die hier begint, doet niets", start)
    for node in children:
        kind = _local(node)
        if kind in _NEEDS_WAY_OUT and not outgoing.get(node.get("id") or ""):
            if kind == "subProcess" and node.get("triggeredByEvent") == "true":
                continue  # an event sub-process is entered by its event, not by a flow
            if kind == "intermediateThrowEvent" and any(_local(d) == "linkEventDefinition" for d in node):
                continue
            problem(f"Element {_label(node)} heeft geen uitgaande pijl: een zaak blijft hier staan", node)
    ends = {c.get("id") for c in children if _local(c) == "endEvent"}
    if starts and not ends & _reachable([s.get("id") or "" for s in starts], outgoing):
        what = "het proces" if _local(container) == "process" else f"deelproces {_label(container)}"
        problem(f"Vanaf de start van {what} is geen eindgebeurtenis bereikbaar: een zaak kan nooit afronden",
                container)
    return problems


def _reachable(starts: list[str], outgoing: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(outgoing.get(current, []))
    return seen


def completion_problems(roots: Iterable[tuple[str, etree._Element]]) -> list[ModelProblem]:
    """Every structural reason why a case of these BPMN files could never complete."""
    problems: list[ModelProblem] = []
    for filename, root in roots:
        if etree.QName(root).namespace != BPMN_NS:
            continue
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable") != "true":
                continue  # a partner's pool in a collaboration diagram is never run
            for container in process.iter():
                if _local(container) in _CONTAINERS and etree.QName(container).namespace == BPMN_NS:
                    problems.extend(_container_problems(container, filename))
    return problems
