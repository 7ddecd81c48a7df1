"""The process designer as a procesregisseur uses it every week: every menu of bpmn-js and dmn-js in
Dutch, room to draw, "Toon in het model" that brings the element into view, readable ids, and no
console noise on any modeller page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.support.browser import check, log_in, marked, open_draft
from tests.support.editor_labels import dutch_dictionary, library_labels

# Strings that are the same in both languages are no sign of English.
_SAME = {label for label, dutch in dutch_dictionary().items() if label.strip() == dutch.strip()}
_PLAIN = {label.strip() for label in library_labels() if "{" not in label} - {s.strip() for s in _SAME}
_TEMPLATES = [re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(label.strip())))
              for label in library_labels() if re.search(r"\{\w+\}", label)]

# Every text node, title, aria-label and placeholder on the page, the menus included.
_SHOWN = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest('script, style, [hidden]')) { found.push(walker.currentNode.textContent); }
  }
  document.body.querySelectorAll('[title], [aria-label], [placeholder]').forEach(el => {
    ['title', 'aria-label', 'placeholder'].forEach(a => el.getAttribute(a) && found.push(el.getAttribute(a)));
  });
  return found.map(s => s.trim()).filter(Boolean);
}"""

DRD = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/"
  xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="drd" name="DRD" namespace="http://signaalroute.nl/dmn">
  <decision id="besluit" name="Besluit">
    <decisionTable id="tabel">
      <input id="in"><inputExpression id="in_e" typeRef="string"><text>a</text></inputExpression></input>
      <output id="uit" name="b" typeRef="string" /></decisionTable>
  </decision>
  <inputData id="gegeven" name="Gegeven" />
  <dmndi:DMNDI><dmndi:DMNDiagram id="diagram">
    <dmndi:DMNShape id="besluit_di" dmnElementRef="besluit">
      <dc:Bounds x="200" y="100" width="180" height="80" /></dmndi:DMNShape>
    <dmndi:DMNShape id="gegeven_di" dmnElementRef="gegeven">
      <dc:Bounds x="200" y="300" width="125" height="45" /></dmndi:DMNShape>
  </dmndi:DMNDiagram></dmndi:DMNDI>
</definitions>"""


def english(page: Page) -> list[str]:
    """The libraries' English labels (see editor_labels) that the page shows right now."""
    shown: list[str] = page.evaluate(_SHOWN)
    return sorted({s for s in shown if s in _PLAIN or any(t.fullmatch(s) for t in _TEMPLATES)})


def watch_everything(page: Page) -> list[str]:
    """Console errors and warnings (CSP refusals, Inferno's development build) and page errors."""
    found: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") or "Inferno" in message.text:
            found.append(f"{message.type}: {message.text}")

    page.on("console", keep)
    page.on("pageerror", lambda e: found.append(f"pageerror: {e}"))
    return found


@pytest.fixture
def regisseur(chain) -> str:
    return chain.person("procesregisseur", "leeuwarden").username


@pytest.fixture
def landelijk(chain) -> str:
    return chain.person("procesregisseur", "landelijk").username


def named(page: Page, css: str) -> str | None:
    """What a menu entry is called: its aria-label (newer diagram-js) or its title."""
    entry = page.locator(css)
    return entry.get_attribute("aria-label") or entry.get_attribute("title")


def click_shape(page: Page, element_id: str) -> None:
    """Select a shape as a click would (a click may land on the palette when the model is zoomed out)."""
    page.evaluate("id => { const m = window.signaalrouteModeler; const e = m.get('elementRegistry').get(id);"
                  " m.get('canvas').scrollToElement(e); m.get('selection').select(e); }", element_id)
    expect(page.locator(".djs-context-pad")).to_be_visible()


def open_popup(page: Page, action: str) -> None:
    page.locator(f'.djs-context-pad .entry[data-action="{action}"]').click()
    expect(page.locator(".djs-popup")).to_be_visible()


def test_every_bpmn_menu_speaks_dutch(page, chain_server, chain, regisseur):
    errors = watch_everything(page)
    log_in(page, chain_server, regisseur)
    open_draft(page, chain_server, "Van signaal naar aanpak (Fryslân)")
    seen: dict[str, list[str]] = {}
    expect(page.locator(".djs-palette .entry")).not_to_have_count(0)
    assert named(page, '.djs-palette [data-action="create.start-event"]') == "Startgebeurtenis maken"
    seen["palette"] = english(page)

    click_shape(page, "verrijken")
    assert named(page, '.djs-context-pad [data-action="replace"]') == "Element wijzigen"
    seen["taak"] = english(page)
    open_popup(page, "replace")
    expect(page.locator(".djs-popup")).to_contain_text("Servicetaak")
    seen["taak vervangen"] = english(page)
    page.keyboard.press("Escape")

    click_shape(page, "verrijken_termijn")
    seen["grensgebeurtenis"] = english(page)
    open_popup(page, "replace")
    expect(page.locator(".djs-popup")).to_contain_text("Grensgebeurtenis")
    seen["grensgebeurtenis vervangen"] = english(page)
    page.keyboard.press("Escape")

    click_shape(page, "later_acuut_gw")
    open_popup(page, "replace")
    seen["gateway vervangen"] = english(page)
    page.keyboard.press("Escape")

    click_shape(page, "f_later_acuut_gw__na_verrijken")
    open_popup(page, "replace")
    expect(page.locator(".djs-popup")).to_contain_text("Volgstroom")
    seen["pijl vervangen"] = english(page)
    page.keyboard.press("Escape")

    click_shape(page, "signaal_ontvangen")
    open_popup(page, "replace")
    expect(page.locator(".djs-popup")).to_contain_text("Startgebeurtenis: timer")
    seen["start vervangen"] = english(page)
    page.keyboard.press("Escape")

    click_shape(page, "Pool_signaal_fryslan")
    seen["pool"] = english(page)
    page.evaluate("() => window.signaalrouteModeler.get('searchPad').open()")
    expect(page.get_by_role("combobox", name="Zoeken in het diagram").or_(
        page.get_by_label("Zoeken in het diagram"))).to_be_visible()
    page.keyboard.type("verrijken")
    seen["zoeken"] = english(page)
    page.keyboard.press("Escape")

    lane = page.locator("#canvas .djs-element.djs-shape[data-element-id^='lane'], "
                        "#canvas .djs-element.djs-shape[data-element-id*='Lane']").first
    lane_id = lane.get_attribute("data-element-id")
    assert lane_id
    page.evaluate("id => window.signaalrouteModeler.get('selection').select("
                  "window.signaalrouteModeler.get('elementRegistry').get(id))", lane_id)
    assert named(page, '.djs-context-pad [data-action="lane-insert-above"]') == "Lane erboven toevoegen"
    seen["lane"] = english(page)

    expect(page.locator(".djs-minimap .toggle")).to_have_attribute("title", "Overzichtskaart verbergen")
    assert {menu: found for menu, found in seen.items() if found} == {}
    assert errors == [], errors


def test_every_dmn_menu_speaks_dutch_without_console_noise(page, chain_server, chain, landelijk):
    errors = watch_everything(page)
    log_in(page, chain_server, landelijk)
    page.goto(f"{chain_server}/modelleren/")
    page.get_by_role("button", name="Concept maken van routering.dmn").click()
    expect(page.get_by_test_id("status")).to_have_text("Model geladen.")
    seen: dict[str, list[str]] = {}
    canvas = page.locator("#canvas")
    expect(canvas.locator(".input-cell .clause").first).to_have_text("Als")
    seen["tabel"] = english(page)

    canvas.locator(".hit-policy").click()
    seen["beslisregel-keuze"] = english(page)
    page.keyboard.press("Escape")

    canvas.locator('[data-element-id="regel_dader_route"]').first.click(button="right")
    expect(page.locator(".context-menu")).to_contain_text("Regel erboven toevoegen")
    seen["regel"] = english(page)
    page.keyboard.press("Escape")

    canvas.locator(".input-cell").first.click(button="right")
    expect(page.locator(".context-menu")).to_contain_text("Invoerkolom links toevoegen")
    seen["invoerkolom"] = english(page)
    page.keyboard.press("Escape")

    canvas.locator(".input-cell").first.dblclick()
    expect(page.locator(".context-menu")).to_be_visible()
    seen["invoer bewerken"] = english(page)
    page.keyboard.press("Escape")

    canvas.locator(".output-cell.output-editor").first.dblclick()
    expect(page.locator(".context-menu")).to_be_visible()
    seen["uitvoer bewerken"] = english(page)
    page.keyboard.press("Escape")

    # The DRD: our decision tables have no diagram, so a small one is opened in the same editor.
    page.evaluate("""async (xml) => {
        const modeler = window.signaalrouteDmn;
        await modeler.importXML(xml);
        await modeler.open(modeler.getViews().find(v => v.type === 'drd'));
    }""", DRD)
    expect(page.locator(".djs-palette .entry")).not_to_have_count(0)
    seen["drd"] = english(page)
    page.locator('#canvas .djs-element[data-element-id="besluit"]').click(force=True)
    expect(page.locator(".djs-context-pad")).to_be_visible()
    seen["drd beslissing"] = english(page)
    open_popup(page, "replace")
    seen["drd vervangen"] = english(page)
    page.keyboard.press("Escape")
    page.evaluate("""async () => {
        const modeler = window.signaalrouteDmn;
        await modeler.open(modeler.getViews().find(v => v.type === 'decisionTable'));
    }""")
    expect(page.locator(".view-drd-button")).to_be_visible()
    seen["tabel met drd"] = english(page)
    assert {menu: found for menu, found in seen.items() if found} == {}
    check(page)
    # The bpmn.io notice the licence asks for opens with its own style attributes (hashed in our CSP).
    page.locator("#canvas .bjs-powered-by").first.click()
    expect(page.locator(".bjs-powered-by-lightbox")).to_be_visible()
    page.locator(".bjs-powered-by-lightbox .backdrop").click(position={"x": 5, "y": 5})
    assert errors == [], errors


_PLACE = """(id) => {
  const modeler = window.signaalrouteModeler;
  const visual = `#canvas .djs-element[data-element-id="${id}"] .djs-visual`;
  const shape = document.querySelector(visual).getBoundingClientRect();
  const canvas = document.querySelector('#canvas').getBoundingClientRect();
  return {scale: modeler.get('canvas').viewbox().scale,
          dx: (shape.left + shape.width / 2) - (canvas.left + canvas.width / 2),
          dy: (shape.top + shape.height / 2) - (canvas.top + canvas.height / 2)};
}"""


def test_show_in_the_model_centres_and_zooms_to_the_element(page, chain_server, chain, regisseur):
    errors = watch_everything(page)
    log_in(page, chain_server, regisseur)
    open_draft(page, chain_server, "Van signaal naar aanpak (Fryslân)")
    panel = page.get_by_test_id("eigenschappen")
    panel.get_by_label("Element").select_option("verrijken_termijn")
    panel.get_by_label("Timerexpressie").fill("werkdagen(")
    panel.get_by_label("Timerexpressie").press("Enter")
    check(page)
    page.get_by_role("button", name="Passend maken").click()
    before = page.evaluate(_PLACE, "verrijken_termijn")
    assert before["scale"] < 0.8  # the whole model fits: labels too small to read
    page.get_by_test_id("problemen").get_by_role("button", name="Toon in het model").click()
    after = page.evaluate(_PLACE, "verrijken_termijn")
    assert after["scale"] >= 1
    assert abs(after["dx"]) <= 2 and abs(after["dy"]) <= 2, after
    expect(panel.get_by_label("Timerexpressie")).to_have_value("werkdagen(")
    assert errors == [], errors


def test_a_readable_id_is_proposed_checked_deployed_and_shown_in_the_diff(page, chain_server, chain, regisseur):
    errors = watch_everything(page)
    case = chain.report("leeuwarden")
    [standing] = chain.ready(case)
    log_in(page, chain_server, regisseur)
    open_draft(page, chain_server, "Van signaal naar aanpak (Fryslân)")
    panel = page.get_by_test_id("eigenschappen")

    expect(panel.get_by_label("Element")).to_be_visible()  # the panel is attached once the roles are loaded
    # A task drawn here gets its id from its first name, in one undo step with the name.
    proposed = page.evaluate("""() => {
        const m = window.signaalrouteModeler, modeling = m.get('modeling'), registry = m.get('elementRegistry');
        const task = modeling.appendShape(registry.get('verrijken'), {type: 'bpmn:UserTask'});
        const generated = task.id;
        modeling.updateLabel(task, 'Dubbel controleren');
        m.get('selection').select(task);
        return [generated, task.id];
    }""")
    assert re.fullmatch(r"Activity_[0-9a-z]{7}", proposed[0]) and proposed[1] == "dubbel_controleren"
    expect(panel.get_by_label("Id")).to_have_value("dubbel_controleren")
    expect(panel).to_contain_text("Voorgesteld uit de naam")
    page.get_by_role("button", name="Ongedaan maken").click()
    page.get_by_role("button", name="Ongedaan maken").click()
    assert page.evaluate("() => !!window.signaalrouteModeler.get('elementRegistry').get('dubbel_controleren')") is False

    # Where a running case stands, the id stays; a wrong or taken id is refused with the reason.
    panel.get_by_label("Element").select_option(standing)
    panel.get_by_label("Id").fill("iets_anders")
    panel.get_by_label("Id").press("Enter")
    expect(panel.locator("#eig-id-fout")).to_contain_text(f"1 lopende zaak staat nu op '{standing}'")
    panel.get_by_label("Element").select_option("acuut_oppakken_navragen")
    for wrong, reason in (("navragen bij politie", "geen spaties"), ("verrijken", "bestaat al")):
        panel.get_by_label("Id").fill(wrong)
        panel.get_by_label("Id").press("Enter")
        expect(panel.locator("#eig-id-fout")).to_contain_text(reason)
        expect(panel.get_by_label("Id")).to_have_attribute("aria-invalid", "true")
    panel.get_by_label("Id").fill("politie_navragen")
    panel.get_by_label("Id").press("Enter")
    expect(panel.get_by_label("Element")).to_have_value("politie_navragen")
    check(page)
    expect(page.locator("#controle-uitslag")).to_contain_text("In orde")

    page.get_by_label("Toelichting: wat verandert er en waarom?").fill("Leesbaar id voor het navragen")
    page.get_by_role("button", name="Uitrollen").click()
    expect(page.get_by_test_id("versie-2")).to_contain_text("Leesbaar id")
    page.get_by_role("button", name="Vergelijken").click()
    table = page.get_by_test_id("verschillen")
    renamed = table.locator('tr[data-element-id="politie_navragen"]')
    expect(renamed).to_contain_text("Navragen bij de politie")
    expect(renamed).to_contain_text("gebruikerstaak")
    expect(renamed).to_contain_text("gewijzigd")
    expect(renamed).to_contain_text("Idacuut_oppakken_navragen → politie_navragen")
    expect(table.locator("tbody tr")).to_have_count(1)  # its arrows and deadline follow it: no other change
    expect(page.locator("#verschil")).to_have_attribute("data-geladen", "ja")
    assert marked(page, "#canvas-nieuw .djs-element.verschil--gewijzigd") == ["politie_navragen"]
    assert marked(page, "#canvas-oud .djs-element.verschil--gewijzigd") == ["acuut_oppakken_navragen"]
    assert errors == [], errors


NEW_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC">
  <bpmn:process id="nieuw_leesbaar" name="Nieuw en nooit uitgerold" isExecutable="true">
    <bpmn:startEvent id="start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="vlak" bpmnElement="nieuw_leesbaar">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36" />
    </bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def links_that_fail(page: Page) -> list[str]:
    """Every link on the page, asked of the server: none may answer 404 (or any error)."""
    hrefs: list[str] = page.locator("a[href]").evaluate_all(
        "els => els.map(a => a.href).filter(h => h.startsWith(location.origin) && !h.includes('#'))")
    return [f"{href} {status}" for href in sorted(set(hrefs))
            if (status := page.request.get(href, max_redirects=0).status) >= 400]


def test_no_modeller_page_logs_noise_or_links_to_nothing(page, chain_server, chain, regisseur, tmp_path):
    errors = watch_everything(page)
    log_in(page, chain_server, regisseur)
    visited = {}
    for path in ("/modelleren/", "/modelleren/signaal_fryslan", "/modelleren/formulieren",
                 "/modelleren/formulieren/signaal-verrijken.json", "/modelleren/signaal_fryslan/migratie"):
        page.goto(f"{chain_server}{path}")
        page.wait_for_load_state("networkidle")
        visited[path] = links_that_fail(page)
    upload = tmp_path / "nieuw_leesbaar.bpmn"
    upload.write_text(NEW_PROCESS, encoding="utf-8")
    page.goto(f"{chain_server}/modelleren/")
    page.get_by_label("BPMN- of DMN-bestand").set_input_files(upload)
    page.get_by_role("button", name="Openen als concept").click()
    expect(page.get_by_test_id("status")).to_have_text("Model geladen.")
    expect(page.get_by_role("link", name="Versies van dit proces")).to_have_count(0)
    visited["concept van een upload"] = links_that_fail(page)
    open_draft(page, chain_server, "Van signaal naar aanpak (Fryslân)")
    expect(page.get_by_role("link", name="Versies van dit proces")).to_be_visible()
    visited["concept van een versie"] = links_that_fail(page)
    assert {path: failed for path, failed in visited.items() if failed} == {}
    assert errors == [], errors


def test_the_form_editor_numbers_its_lines_and_reports_a_field_it_cannot_draw(page, chain_server, chain, regisseur):
    errors = watch_everything(page)
    log_in(page, chain_server, regisseur)
    page.goto(f"{chain_server}/modelleren/formulieren/terugkoppeling-melder.json")
    page.wait_for_load_state("load")
    schema = page.get_by_label("JSON Schema")
    gutter = page.get_by_test_id("regelnummers")
    lines = schema.input_value().count("\n") + 1
    assert gutter.inner_text().split() == [str(n) for n in range(1, lines + 1)]
    # Line 1 of the numbers sits on line 1 of the text.
    tops = page.evaluate("""() => {
        const t = document.getElementById('schema'), g = document.querySelector('.regelnummers');
        const ts = getComputedStyle(t), gs = getComputedStyle(g);
        return [t.getBoundingClientRect().top + parseFloat(ts.borderTopWidth) + parseFloat(ts.paddingTop),
                g.getBoundingClientRect().top + parseFloat(gs.borderTopWidth) + parseFloat(gs.paddingTop),
                ts.lineHeight, gs.lineHeight];
    }""")
    assert abs(tops[0] - tops[1]) < 1 and tops[2] == tops[3], tops

    text = schema.input_value()
    field = '\n    "bijlage": {"type": "string", "title": "Bijlage", "format": "binary"},'
    with_file = text.replace('"properties": {', '"properties": {' + field, 1)
    schema.fill(with_file)
    preview = page.get_by_test_id("voorbeeld")
    expect(preview).to_contain_text("Deze velden kan de taakpagina niet tonen: bijlage (format: binary)")
    expect(preview.get_by_label("Bijlage")).to_have_count(0)
    expect(gutter).to_contain_text(str(lines + 1))
    assert errors == [], errors


def test_the_task_panel_shows_lane_and_role_and_an_unknown_role_once_on_the_lane(page, chain_server, chain,
                                                                                regisseur):
    errors = watch_everything(page)
    log_in(page, chain_server, regisseur)
    open_draft(page, chain_server, "Van signaal naar aanpak (Fryslân)")
    panel = page.get_by_test_id("eigenschappen")
    panel.get_by_label("Element").select_option("verrijken")
    expect(panel.get_by_test_id("lane-rol")).to_contain_text(re.compile(r"^Lane: AF · rol: \S"))
    page.evaluate("""() => {
        const m = window.signaalrouteModeler;
        m.get('modeling').updateLabel(m.get('elementRegistry').get('Lane_0'), 'Bakkers');
        m.get('selection').select(m.get('elementRegistry').get('verrijken'));
    }""")
    expect(panel.get_by_test_id("lane-rol")).to_have_text("Lane: Bakkers · rol onbekend (kies de rol bij de lane)")
    panel.get_by_test_id("lane-rol").get_by_role("button", name="Bakkers").click()
    expect(panel.get_by_label("Rol van deze lane")).to_have_value("?")
    check(page)
    unknown = page.get_by_test_id("problemen").locator("li").filter(has_text="noemt geen bekende rol")
    expect(unknown).to_have_count(1)
    expect(unknown).to_have_attribute("data-element-id", "Lane_0")
    assert marked(page, "#canvas .djs-element.probleem") == ["Lane_0"]
    assert errors == [], errors
