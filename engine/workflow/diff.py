"""Compare two versions of a BPMN (or DMN) file by element id: what was added, removed or changed.

The units compared are the elements a modeller sees and names: flow nodes, sequence flows,
lanes, participants, processes (and decisions and rules in DMN). A unit's content is its
attributes and everything nested in it that is not a unit of its own, leaving out what only
mirrors other units (``incoming``/``outgoing`` follow the flows; a lane's ``flowNodeRef``s show
as the "Lane" of each node). Diagram interchange (positions, waypoints) is ignored: moving a
shape is not a change to the process. For each changed unit the aspects our runtime reads
(form, instructions, timer, condition, decision, ...) are named with their old and new value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.workflow.bundle import BPMN_NS, DMN_NAMESPACES, FORM_PROPERTY
from engine.workflow.xml import parse_untrusted_xml

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_DI_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/DMNDI/",
    "https://www.omg.org/spec/DMN/20230324/DMNDI/",
}
_UNITS = {
    "startEvent", "endEvent", "userTask", "manualTask", "task", "scriptTask", "serviceTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent", "sequenceFlow", "messageFlow", "lane", "participant", "process",
    "collaboration", "dataObjectReference", "dataStoreReference", "dataObject", "textAnnotation", "association",
    "group", "message", "signal", "error", "escalation",
    # DMN
    "decision", "decisionTable", "rule", "input", "output", "inputData", "knowledgeSource",
    "businessKnowledgeModel",
}
_MIRRORS = {"incoming", "outgoing", "flowNodeRef"}
# bpmn-js writes xsi:type="bpmn:tFormalExpression" on expressions it touched; our runtime reads only the text.
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_TIMER_KINDS = {"timeDate": "datum", "timeDuration": "duur", "timeCycle": "herhaling"}

# Aspect name -> Dutch label, in the order a change lists them.
ASPECTS = {
    "id": "Id",
    "type": "Soort element",
    "name": "Naam",
    "lane": "Lane (rol)",
    "form": "Formulier",
    "instructions": "Instructies",
    "timer": "Timer",
    "condition": "Voorwaarde",
    "default": "Standaardpad",
    "decision": "Beslissing",
    "called": "Aangeroepen proces",
    "script": "Script",
    "flow": "Van → naar",
    "documentation": "Documentatie",
    "other": "Overige eigenschappen",
}

ADDED, REMOVED, CHANGED = "toegevoegd", "verwijderd", "gewijzigd"

# Element type (local name) -> what a procesregisseur calls it; the diff table shows these words.
TYPE_NAMES = {
    "startEvent": "startgebeurtenis", "endEvent": "eindgebeurtenis", "userTask": "gebruikerstaak",
    "manualTask": "handmatige taak", "task": "taak", "scriptTask": "scripttaak", "serviceTask": "servicetaak",
    "businessRuleTask": "beslistaak", "sendTask": "verzendtaak", "receiveTask": "ontvangsttaak",
    "callActivity": "procesaanroep", "subProcess": "subproces", "transaction": "transactie",
    "adHocSubProcess": "ad-hocsubproces", "exclusiveGateway": "exclusieve gateway",
    "parallelGateway": "parallelle gateway", "inclusiveGateway": "inclusieve gateway",
    "eventBasedGateway": "gebeurtenisgateway", "complexGateway": "complexe gateway",
    "intermediateCatchEvent": "tussengebeurtenis (wachten)", "intermediateThrowEvent": "tussengebeurtenis",
    "boundaryEvent": "grensgebeurtenis", "sequenceFlow": "volgstroom", "messageFlow": "berichtstroom",
    "lane": "lane", "participant": "pool", "process": "proces", "collaboration": "samenwerking",
    "dataObjectReference": "gegevensobject", "dataStoreReference": "gegevensopslag", "dataObject": "gegevensobject",
    "textAnnotation": "notitie", "association": "koppeling", "group": "groep", "message": "bericht",
    "signal": "signaal", "error": "fout", "escalation": "escalatie",
    "decision": "beslissing", "decisionTable": "beslistabel", "rule": "regel", "input": "invoerkolom",
    "output": "uitvoerkolom", "inputData": "invoergegevens", "knowledgeSource": "kennisbron",
    "businessKnowledgeModel": "kennismodel",
}
_CONNECTIONS = {"sequenceFlow", "messageFlow", "association"}


@dataclass(frozen=True)
class Detail:
    aspect: str  # a key of ASPECTS
    before: str | None
    after: str | None

    @property
    def label(self) -> str:
        return ASPECTS[self.aspect]


@dataclass(frozen=True)
class Change:
    element_id: str
    kind: str  # ADDED | REMOVED | CHANGED
    element_type: str  # local name, e.g. "userTask"
    name: str
    details: tuple[Detail, ...] = ()
    route: str | None = None  # an arrow's endpoints in words: "van 'A' naar 'B'"
    old_id: str | None = None  # set when the element was renamed: its id in the old version

    @property
    def type_label(self) -> str:
        """The element type in Dutch ("grensgebeurtenis"), the XML name if we have no word for it."""
        return TYPE_NAMES.get(self.element_type, self.element_type)


@dataclass
class ModelDiff:
    changes: list[Change] = field(default_factory=list)

    def ids(self, kind: str) -> list[str]:
        """The ids to mark for ``kind``; a renamed element under both ids (each diagram has one)."""
        found = []
        for change in self.changes:
            if change.kind == kind:
                found.append(change.element_id)
                if change.old_id:
                    found.append(change.old_id)
        return found

    @property
    def empty(self) -> bool:
        return not self.changes


def _local(node: etree._Element) -> str:
    return str(etree.QName(node).localname)


def _namespace(node: etree._Element) -> str:
    return str(etree.QName(node).namespace or "")


def _is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _is_unit(node: etree._Element) -> bool:
    return bool(node.get("id")) and _local(node) in _UNITS and _namespace(node) not in _DI_NAMESPACES


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    value = "".join(node.itertext()).strip()
    return value or None


def _canonical(node: etree._Element, *, top: bool) -> str:
    """Attributes and nested content (not nested units, not mirrors) as one comparable string."""
    attributes = sorted((str(k), str(v)) for k, v in node.attrib.items()
                        if not (top and k == "id") and k != _XSI_TYPE)
    parts = [f"<{etree.QName(node).text} {attributes}>"]
    if node.text and node.text.strip():
        parts.append(" ".join(node.text.split()))
    for child in node:
        if not _is_element(child):
            continue
        if _is_unit(child) or _local(child) in _MIRRORS or _namespace(child) in _DI_NAMESPACES:
            continue
        if _local(child) in ("laneSet", "childLaneSet"):
            continue
        parts.append(_canonical(child, top=False))
        if child.tail and child.tail.strip():
            parts.append(" ".join(child.tail.split()))
    return "".join(parts)


def _first(node: etree._Element, namespace: str, name: str) -> etree._Element | None:
    for child in node:
        if _is_element(child) and _local(child) == name and _namespace(child) == namespace:
            return child
    return None


def _extension(node: etree._Element, name: str) -> etree._Element | None:
    extensions = _first(node, BPMN_NS, "extensionElements")
    return _first(extensions, SPIFF_NS, name) if extensions is not None else None


def _quoted(node_id: str | None, units: dict[str, etree._Element]) -> str:
    """An endpoint of an arrow as a reader knows it: its name, or its id when it has none."""
    if not node_id:
        return "?"
    target = units.get(node_id)
    return f"'{(target.get('name') if target is not None else None) or node_id}'"


def _route(node: etree._Element | None, units: dict[str, etree._Element]) -> str | None:
    """An arrow by its endpoints in words, so a reader need not know flow ids."""
    if node is None or (node.get("sourceRef") is None and node.get("targetRef") is None):
        return None
    return f"van {_quoted(node.get('sourceRef'), units)} naar {_quoted(node.get('targetRef'), units)}"


def _aspects(node: etree._Element, lanes: dict[str, str]) -> dict[str, str | None]:
    """What the runtime reads of ``node``, by ids: renaming a task does not change its arrows."""
    aspects: dict[str, str | None] = {"type": _local(node), "name": node.get("name")}
    node_id = node.get("id") or ""
    if node_id in lanes:
        aspects["lane"] = lanes[node_id]
    documentation = _first(node, BPMN_NS, "documentation")
    aspects["documentation"] = _text(documentation)
    properties = _extension(node, "properties")
    if properties is not None:
        for prop in properties:
            if _is_element(prop) and prop.get("name") == FORM_PROPERTY:
                aspects["form"] = prop.get("value")
    aspects["instructions"] = _text(_extension(node, "instructionsForEndUser"))
    aspects["decision"] = _text(_extension(node, "calledDecisionId"))
    timer = _first(node, BPMN_NS, "timerEventDefinition")
    if timer is not None:
        for kind, label in _TIMER_KINDS.items():
            expression = _first(timer, BPMN_NS, kind)
            if expression is not None:
                aspects["timer"] = f"{label}: {_text(expression) or ''}"
    aspects["condition"] = _text(_first(node, BPMN_NS, "conditionExpression"))
    aspects["default"] = node.get("default")
    aspects["called"] = node.get("calledElement")
    aspects["script"] = _text(_first(node, BPMN_NS, "script"))
    if _local(node) in _CONNECTIONS:
        aspects["flow"] = f"{node.get('sourceRef')} → {node.get('targetRef')}"
    return {k: v for k, v in aspects.items() if v is not None}


def _shown(aspect: str, node: etree._Element, value: str | None, units: dict[str, etree._Element]) -> str | None:
    """An aspect's value as the table shows it: arrows and default paths by their endpoints' names."""
    if value is None:
        return None
    if aspect == "flow":
        return _route(node, units)
    if aspect == "default":
        return _route(units.get(value), units) or value
    return value


def _units(root: etree._Element) -> tuple[dict[str, etree._Element], dict[str, str]]:
    units: dict[str, etree._Element] = {}
    lanes: dict[str, str] = {}
    for node in root.iter():
        if not _is_element(node):
            continue
        if _is_unit(node):
            units.setdefault(str(node.get("id")), node)
        if _local(node) == "lane" and _namespace(node) == BPMN_NS:
            for ref in node:
                if _is_element(ref) and _local(ref) == "flowNodeRef" and ref.text:
                    lanes[ref.text.strip()] = node.get("name") or str(node.get("id"))
    return units, lanes


_REFERENCES = ("sourceRef", "targetRef", "attachedToRef", "default")


def _renames(old_units: dict[str, etree._Element], new_units: dict[str, etree._Element]) -> dict[str, str]:
    """Old id -> new id for an element that only got a new id: same type and name, one of each."""
    def key(node: etree._Element) -> tuple[str, str]:
        return _local(node), " ".join((node.get("name") or "").split())

    removed: dict[tuple[str, str], list[str]] = {}
    added: dict[tuple[str, str], list[str]] = {}
    for element_id, node in old_units.items():
        if element_id not in new_units:
            removed.setdefault(key(node), []).append(element_id)
    for element_id, node in new_units.items():
        if element_id not in old_units:
            added.setdefault(key(node), []).append(element_id)
    return {old[0]: added[k][0] for k, old in removed.items()
            if k[1] and len(old) == 1 and len(added.get(k, [])) == 1}


def diff_models(old: bytes, new: bytes, *, max_bytes: int = 5 * 1024 * 1024) -> ModelDiff:
    """Added, removed and changed units between two versions of one model file."""
    old_root = parse_untrusted_xml(old, "oud", max_bytes)
    new_root = parse_untrusted_xml(new, "nieuw", max_bytes)
    for root in (old_root, new_root):
        if _namespace(root) != BPMN_NS and _namespace(root) not in DMN_NAMESPACES:
            raise ValueError("geen BPMN- of DMN-model")
    old_units, old_lanes = _units(old_root)
    new_units, new_lanes = _units(new_root)
    # A new id is a rename, not a removal and an addition; what points at the element follows it,
    # so its arrows and boundary events do not show as changed for the rename alone.
    renames = _renames(old_units, new_units)
    renamed_from = {new: old for old, new in renames.items()}
    for node in old_root.iter():
        if _is_element(node):
            for attribute in _REFERENCES:
                if node.get(attribute) in renames:
                    node.set(attribute, renames[str(node.get(attribute))])
    old_lookup = {**old_units, **{new: old_units[old] for old, new in renames.items()}}
    result = ModelDiff()
    for element_id, node in new_units.items():
        old_id = renamed_from.get(element_id)
        if element_id not in old_units and old_id is None:
            result.changes.append(Change(element_id, ADDED, _local(node), node.get("name") or "",
                                         route=_route(node, new_units)))
            continue
        before_node = old_units[old_id or element_id]
        before = _aspects(before_node, old_lanes)
        after = _aspects(node, new_lanes)
        details = [Detail(aspect, _shown(aspect, before_node, before.get(aspect), old_lookup),
                          _shown(aspect, node, after.get(aspect), new_units))
                   for aspect in ASPECTS if aspect not in ("id", "other") and before.get(aspect) != after.get(aspect)]
        if not details and _canonical(before_node, top=True) != _canonical(node, top=True):
            details.append(Detail("other", None, None))
        if old_id:
            details.insert(0, Detail("id", old_id, element_id))
        if details:
            result.changes.append(Change(element_id, CHANGED, _local(node), node.get("name") or
                                         before_node.get("name") or "", tuple(details),
                                         route=_route(node, new_units), old_id=old_id))
    for element_id, node in old_units.items():
        if element_id not in new_units and element_id not in renames:
            result.changes.append(Change(element_id, REMOVED, _local(node), node.get("name") or "",
                                         route=_route(node, old_lookup)))
    return result


__all__ = ["ADDED", "ASPECTS", "CHANGED", "REMOVED", "TYPE_NAMES", "Change", "Detail", "ModelDiff", "diff_models"]
