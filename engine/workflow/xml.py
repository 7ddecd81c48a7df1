"""Parse untrusted BPMN/DMN bytes: no DTDs, no entities, no network, bounded size and depth."""

from __future__ import annotations

from io import BytesIO

from lxml import etree

from engine.workflow.errors import ModelInvalid, ModelProblem
from engine.workflow.xml_messages import dutch_xml_error

MAX_DEPTH = 200
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
}
# What other modelers write: Camunda and Flowable save "x.bpmn20.xml", Signavio and Trisotech plain ".xml".
MODEL_SUFFIXES = (".bpmn", ".dmn", ".xml")

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
    remove_pis=True,
)


def _depth_exceeds(root: etree._Element, limit: int) -> bool:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in node)
    return False


def parse_untrusted_xml(content: bytes, filename: str, max_bytes: int) -> etree._Element:
    """Return the root element, or raise :class:`ModelInvalid` with a Dutch reason.

    A document type declaration is refused outright, even an innocent one: BPMN never
    needs one, and refusing it closes XXE and entity-expansion attacks in one rule.
    """
    if len(content) > max_bytes:
        limit_mb = max_bytes / (1024 * 1024)
        raise ModelInvalid(
            [ModelProblem(f"Bestand is groter dan {limit_mb:g} MB en wordt niet verwerkt", file=filename)]
        )
    head = content[:4096].lstrip().lower()
    if b"<!doctype" in head or b"<!entity" in content.lower():
        raise ModelInvalid(
            [ModelProblem("DTD's en entiteiten zijn niet toegestaan in een model", file=filename, line=1)]
        )
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise ModelInvalid(
            [ModelProblem(f"Geen geldige XML: {dutch_xml_error(exc.msg)}", file=filename, line=line)]
        ) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ModelInvalid(
            [ModelProblem("DTD's en entiteiten zijn niet toegestaan in een model", file=filename, line=1)]
        )
    if _depth_exceeds(root, MAX_DEPTH):
        raise ModelInvalid(
            [ModelProblem(f"XML is dieper genest dan {MAX_DEPTH} niveaus", file=filename)]
        )
    return root


def is_model_filename(filename: str) -> bool:
    """A name a BPMN or DMN file may have; whether it is one is decided by :func:`model_kind`."""
    return filename.lower().endswith(MODEL_SUFFIXES)


def model_kind(content: bytes) -> str:
    """``"bpmn"`` or ``"dmn"`` by the namespace of the root element, ``""`` for anything else.

    Only the first start tag is read, with the same no-DTD, no-entity, no-network parser options;
    a file that is not well-formed gets its precise error from :func:`parse_untrusted_xml`.
    """
    options = {k: v for k, v in _PARSER_OPTIONS.items() if k != "dtd_validation"}
    try:
        for _event, element in etree.iterparse(BytesIO(content), events=("start",), **options):
            namespace = etree.QName(element).namespace
            return "bpmn" if namespace == BPMN_NS else "dmn" if namespace in DMN_NAMESPACES else ""
    except etree.XMLSyntaxError:
        return ""
    return ""
