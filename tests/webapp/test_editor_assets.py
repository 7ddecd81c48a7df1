"""What the editors' libraries need from us, checked against their own source in node_modules:
a Dutch word for every label, and a CSP hash for every style attribute dmn-js writes."""

from __future__ import annotations

import re

from tests.support.editor_labels import MODULES, dutch_dictionary, library_labels
from webapp.security import DMN_STYLE_ATTRIBUTES, dmn_editor_policy


def test_every_label_of_bpmn_js_and_dmn_js_has_dutch():
    labels, words = library_labels(), dutch_dictionary()
    assert len(labels) > 300  # palette, context pads, replace menus, DRD, decision table, minimap
    assert sorted(labels - set(words)) == []
    assert sorted(set(words) - labels) == []  # nothing stale after an upgrade


def test_placeholders_survive_translation():
    for english, dutch in dutch_dictionary().items():
        assert re.findall(r"\{\w+\}", english) == re.findall(r"\{\w+\}", dutch), english


def _style_attributes() -> set[str]:
    """The style attribute values in dmn-js' markup: the bpmn.io logo (and its notice) and a drag image."""
    logo = (MODULES / "dmn-js-shared/lib/util/PoweredByUtil.js").read_text()
    drag = (MODULES / "dmn-js-decision-table/lib/features/drag-and-drop/DragAndDrop.js").read_text()
    values = set(re.findall(r"""style="([^"']*)""", logo))
    values.discard("")  # style="' + LIGHTBOX_STYLES + '" and friends, joined below
    for items in re.findall(r"css\(\[([^\]]*)\]\)", logo):
        values.add(";".join(re.findall(r"'([^']*)'", items)))
    values.update(re.findall(r"""domify\(`<span style="([^"]*)\"""", drag))
    return values


def test_the_dmn_page_hashes_exactly_the_style_attributes_dmn_js_writes():
    assert set(DMN_STYLE_ATTRIBUTES) == _style_attributes()
    policy = dmn_editor_policy("abc")
    assert "unsafe-inline" not in policy
    assert "style-src 'self' 'nonce-abc';" in policy
    assert policy.count("'sha256-") == len(DMN_STYLE_ATTRIBUTES)
