"""The auditor reads process changes in a real browser: the model list from the menu, then a diff of two
versions drawn by bpmn-js with the changed task marked; both pages pass axe."""

from __future__ import annotations

from playwright.sync_api import expect

from engine.db import unit_of_work
from engine.modelling import deployments
from engine.workflow.bundle import SourceFile
from tests.support.base import START
from tests.support.browser import log_in, marked, serious_violations
from tests.support.modelling import model

DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
SHAPES = {"s": (100, 100, 36, 36), "taak": (200, 80, 100, 80), "e": (360, 100, 36, 36),
          "te_laat": (232, 142, 36, 36), "e2": (360, 200, 36, 36)}
EDGES = {"f1": ((136, 118), (200, 120)), "f2": ((300, 120), (360, 118)), "f3": ((250, 178), (360, 218))}


def drawn(name: str) -> bytes:
    """The test model with diagram interchange, so bpmn-js can draw it (the tests' model has none)."""
    shapes = "".join(f'<di:BPMNShape id="{e}_di" bpmnElement="{e}"><dc:Bounds x="{x}" y="{y}" width="{w}" '
                     f'height="{h}"/></di:BPMNShape>' for e, (x, y, w, h) in SHAPES.items())
    edges = "".join(f'<di:BPMNEdge id="{e}_di" bpmnElement="{e}"><dw:waypoint x="{a[0]}" y="{a[1]}"/>'
                    f'<dw:waypoint x="{b[0]}" y="{b[1]}"/></di:BPMNEdge>' for e, (a, b) in EDGES.items())
    diagram = (f'<di:BPMNDiagram xmlns:di="{DI}" xmlns:dc="{DC}" xmlns:dw="http://www.omg.org/spec/DD/20100524/DI"'
               f' id="diagram"><di:BPMNPlane id="plane" bpmnElement="klein">{shapes}{edges}</di:BPMNPlane>'
               "</di:BPMNDiagram>")
    return model(name=name).replace(b"</bpmn:definitions>", diagram.encode() + b"</bpmn:definitions>")


def test_the_auditor_opens_the_model_list_and_a_diff_read_only(axe_page, live_server, factory, world, forms):
    page = axe_page
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=START, comment="Eerste versie",
                           files=[SourceFile("klein.bpmn", drawn("Signaal verrijken"))], forms=forms)
        deployments.deploy(session, actor=world.regisseur, now=START, comment="Taak hernoemd",
                           files=[SourceFile("klein.bpmn", drawn("Signaal aanvullen"))], forms=forms)
    log_in(page, live_server, "auditor")
    page.get_by_role("link", name="Proces- en formulierwijzigingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proces- en formulierwijzigingen")
    versions = page.get_by_role("table", name="Versies van Klein proces (nieuwste eerst)")
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Taak hernoemd")
    expect(versions.get_by_role("row").nth(2)).to_contain_text("Eerste versie")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Versie 1 en 2 van Klein proces vergelijken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Klein proces: versie 1 en versie 2")
    expect(page.get_by_test_id("verschillen")).to_contain_text("Signaal verrijken → Signaal aanvullen")
    expect(page.locator("#verschil")).to_have_attribute("data-geladen", "ja")
    assert "taak" in marked(page, "#canvas-nieuw .djs-element.verschil--gewijzigd")
    expect(page.get_by_role("button", name="Uitrollen")).to_have_count(0)
    expect(page.get_by_role("link", name="Lopende zaken migreren")).to_have_count(0)
    assert serious_violations(page) == []
