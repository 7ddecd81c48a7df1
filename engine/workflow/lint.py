"""Model checks beyond "it parses": what a procesregisseur must fix before a model goes live.

- every flow node is reachable from a start event (boundary events through their host,
  elements of a subprocess through the subprocess);
- an exclusive gateway that splits has a default flow, so no signal can get stuck on it;
- (strict, for the models in ``processes/``) every user task sits in a lane and names a form.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from engine.workflow.bundle import BPMN_NS, FORM_PROPERTY
from engine.workflow.errors import ModelProblem

_NS = {"bpmn": BPMN_NS}
_FLOW_NODES = {
    "startEvent", "endEvent", "userTask", "manualTask", "task", "scriptTask", "serviceTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
}


def _local(node: etree._Element) -> str:
    return str(etree.QName(node).localname)


def lint_process(process: etree._Element, filename: str, *, strict: bool) -> list[ModelProblem]:
    problems: list[ModelProblem] = []
    nodes = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str) and _local(n) in _FLOW_NODES}
    edges: dict[str, list[str]] = defaultdict(list)
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        edges[flow.get("sourceRef") or ""].append(flow.get("targetRef") or "")
    for node_id, node in nodes.items():
        if _local(node) == "boundaryEvent":
            edges[node.get("attachedToRef") or ""].append(node_id or "")
        if _local(node) in ("subProcess", "transaction"):
            for child in node:
                if isinstance(child.tag, str) and _local(child) == "startEvent":
                    edges[node_id or ""].append(child.get("id") or "")
    starts = [n.get("id") for n in process if isinstance(n.tag, str) and _local(n) == "startEvent"]
    starts += [s.get("id") for sub in process.iter(f"{{{BPMN_NS}}}subProcess") if sub.get("triggeredByEvent") == "true"
               for s in sub if isinstance(s.tag, str) and _local(s) == "startEvent"]
    seen, stack = set(), [s for s in starts if s]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges.get(current, []))
    lanes = {ref.text for ref in process.iter(f"{{{BPMN_NS}}}flowNodeRef") if ref.text}
    for node_id, node in nodes.items():
        where = {"file": filename, "line": node.sourceline, "element_id": node_id}
        if node_id not in seen:
            problems.append(ModelProblem("Element is onbereikbaar vanaf een startgebeurtenis", **where))
        kind = _local(node)
        if kind == "exclusiveGateway" and len(edges.get(node_id or "", [])) > 1 and not node.get("default"):
            problems.append(ModelProblem("Exclusieve gateway zonder standaardpad: een zaak kan hier vastlopen",
                                         **where))
        if strict and kind == "userTask":
            if node_id not in lanes:
                problems.append(ModelProblem("Gebruikerstaak staat in geen enkele lane (rol onbekend)", **where))
            names = [p.get("name") for p in node.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}property")]
            if FORM_PROPERTY not in names:
                problems.append(ModelProblem("Gebruikerstaak heeft geen formulier", **where))
    return problems


def lint_files(files: list[tuple[str, etree._Element]], *, strict: bool = False) -> list[ModelProblem]:
    problems: list[ModelProblem] = []
    for filename, root in files:
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            problems.extend(lint_process(process, filename, strict=strict))
    return problems

