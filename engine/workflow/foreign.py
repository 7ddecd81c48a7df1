"""Settings of other engines that a model carries and Signaalroute does not read.

Models from Camunda 7, Camunda 8 (Zeebe), Activiti or Flowable deploy here, but their engine's own
attributes and extension elements (``camunda:assignee``, ``zeebe:taskDefinition``, ...) mean nothing
to SpiffWorkflow: an assignee there does not assign anyone here. Dropping them silently would let a
procesregisseur believe they work, so each is reported as a warning at deploy and in "Controleren";
they never block a deploy.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from engine.workflow.errors import ModelProblem

FOREIGN_NAMESPACES = {
    "http://camunda.org/schema/1.0/bpmn": "Camunda",
    "http://camunda.org/schema/1.0/dmn": "Camunda",
    "http://camunda.org/schema/zeebe/1.0": "Zeebe",
    "http://camunda.org/schema/modeler/1.0": "Camunda Modeler",
    "http://activiti.org/bpmn": "Activiti",
    "http://flowable.org/bpmn": "Flowable",
}
# The modeler's own bookkeeping (which version of Camunda Modeler saved the file) changes nothing anywhere.
_HARMLESS = {("http://camunda.org/schema/modeler/1.0", name) for name in ("executionPlatform",
                                                                           "executionPlatformVersion")}


def _label(element: etree._Element) -> str:
    name = element.get("name")
    return f"'{name}'" if name else f"een {etree.QName(element).localname}-element"


def _owner(element: etree._Element) -> etree._Element:
    """The BPMN/DMN element an extension element belongs to (outside extensionElements)."""
    node = element
    while node.getparent() is not None and (etree.QName(node).namespace in FOREIGN_NAMESPACES
                                            or etree.QName(node).localname == "extensionElements"):
        node = node.getparent()
    return node


def ignored_settings(roots: Iterable[tuple[str, etree._Element]]) -> list[ModelProblem]:
    """One warning per foreign attribute and per outermost foreign extension element, in file order."""
    warnings: list[ModelProblem] = []
    for filename, root in roots:
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            qname = etree.QName(element)
            owner = _owner(element)
            for attribute in element.attrib:
                attr = etree.QName(attribute)
                engine = FOREIGN_NAMESPACES.get(attr.namespace or "")
                if engine and (attr.namespace, attr.localname) not in _HARMLESS:
                    warnings.append(ModelProblem(
                        f"{engine}-instelling '{attr.localname}' op {_label(owner)} wordt genegeerd: "
                        "Signaalroute leest alleen BPMN en de eigen eigenschappen (lane, formulier, instructies)",
                        file=filename, line=element.sourceline, element_id=owner.get("id")))
            parent = element.getparent()
            engine = FOREIGN_NAMESPACES.get(qname.namespace or "")
            if engine and parent is not None and etree.QName(parent).namespace not in FOREIGN_NAMESPACES:
                warnings.append(ModelProblem(
                    f"{engine}-instelling '{qname.localname}' bij {_label(owner)} wordt genegeerd",
                    file=filename, line=element.sourceline, element_id=owner.get("id")))
    return list(dict.fromkeys(warnings))
