"""Parse untrusted BPMN/DMN bytes: no DTDs, no entities, no network, bounded size and depth."""

from __future__ import annotations

from lxml import etree

from engine.workflow.errors import ModelInvalid, ModelProblem

MAX_DEPTH = 200

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
            [ModelProblem(f"Geen geldige XML: {exc.msg}", file=filename, line=line)]
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
