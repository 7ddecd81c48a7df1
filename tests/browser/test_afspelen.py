"""The auditor steps through a case on the bpmn-js diagram: visits counted, waiting elements marked."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import log_in, serious_violations
from tests.support.chain import TERUG, VERRIJKT


def test_the_auditor_steps_through_a_case_on_the_diagram(page, chain, chain_server):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    log_in(page, chain_server, chain.person("auditor", "eersel").username)
    page.goto(f"{chain_server}/audit/zaken/{case}/afspelen")
    expect(page.get_by_label("Stap 1 van 3")).to_be_visible()
    diagram = page.locator("#diagram")
    expect(diagram.locator("svg").first).to_be_visible()
    expect(diagram.locator(".djs-element.afspelen-actief[data-element-id='verrijken']")).to_have_count(1)
    page.get_by_role("link", name="Volgende stap").click()
    expect(page.get_by_label("Stap 2 van 3")).to_be_visible()
    expect(diagram.locator(".djs-element.afspelen-bezocht[data-element-id='verrijken']")).to_have_count(1)
    expect(diagram.locator(".afspelen-teller").first).to_have_text("1")
    page.get_by_label("Stap 2 van 3").fill("3")
    page.get_by_role("button", name="Naar deze stap").click()
    expect(page.get_by_test_id("gegevens")).to_contain_text("Verhoor gepland.")


def test_the_step_text_names_elements_and_fields_as_people_know_them(page, chain, chain_server, tmp_path):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    log_in(page, chain_server, chain.person("auditor", "eersel").username)
    page.goto(f"{chain_server}/audit/zaken/{case}/afspelen?stap=2")
    expect(page.get_by_test_id("stap")).to_contain_text("rondde ‘Signaal verrijken en beoordelen’ af")
    expect(page.get_by_test_id("gegevens")).to_contain_text("Vorm van uitbuiting")
    expect(page.get_by_test_id("gegevens")).to_contain_text("Seksuele uitbuiting (SU)")
    expect(page.get_by_test_id("actief")).to_contain_text(
        "Signaal overnemen (politie) in deelproces ‘Signaal overnemen (politie) met opvolging’")
    expect(page.get_by_test_id("bezocht")).to_contain_text("exclusieve gateway na ‘Acuut gevaar?’")
    page.locator("#diagram[data-geladen='ja']").wait_for()
    diagram = page.locator("#diagram")
    expect(diagram.locator(".djs-element.afspelen-bezocht[data-element-id='verrijken']")).to_have_count(1)
    text = page.locator("main").inner_text()
    assert not re.findall(r"\b[a-z_]+:[a-z_]+\b|\btask\.completed\b", text), "no raw keys or event types"
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(tmp_path / f"afspelen-{width}.png"), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert wide, f"no sideways scroll at {width}px"


def test_the_step_page_passes_axe(axe_page, chain, chain_server):
    case = chain.report("eersel")
    log_in(axe_page, chain_server, chain.person("auditor", "eersel").username)
    axe_page.goto(f"{chain_server}/audit/zaken/{case}/afspelen")
    axe_page.locator("#diagram svg").first.wait_for()
    assert serious_violations(axe_page) == []


def test_a_position_inside_a_call_activity_is_marked_and_its_inner_diagram_opens(axe_page, chain, chain_server):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    page = axe_page
    log_in(page, chain_server, chain.person("auditor", "eersel").username)
    page.goto(f"{chain_server}/audit/zaken/{case}/afspelen?stap=2")
    diagram = page.locator("#diagram")
    box = diagram.locator(".djs-element.afspelen-bevat-actief[data-element-id='overdracht']")
    expect(box).to_have_count(1)
    expect(diagram.locator(".afspelen-binnen")).to_contain_text("hier binnen: ‘Signaal overnemen (politie)’")
    expect(page.get_by_test_id("positie")).to_contain_text(
        "Stap 2: in ‘Overdracht aan ketenpartners’ → ‘Signaal overnemen (politie) met opvolging’ → "
        "‘Signaal overnemen (politie)’ wacht")
    inner = page.locator("#deelproces-diagram")
    expect(inner).to_be_hidden()
    box.click()
    heading = page.get_by_role("heading", name="Deelproces: Overdracht aan ketenpartners met terugkoppeling")
    expect(heading).to_be_visible()
    expect(inner.locator(".djs-element.afspelen-actief[data-element-id='overdracht_politie']")).to_have_count(1)
    expect(inner.locator(".afspelen-token").first).to_have_text("wacht")
    assert serious_violations(page) == []


def test_the_inner_diagram_opens_from_the_text_list_by_keyboard(page, chain, chain_server):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    log_in(page, chain_server, chain.person("auditor", "eersel").username)
    page.goto(f"{chain_server}/audit/zaken/{case}/afspelen?stap=2")
    sentence = page.get_by_test_id("positie").get_by_role("listitem").filter(
        has_text="Stap 2: in ‘Overdracht aan ketenpartners’ → ‘Signaal overnemen (politie) met opvolging’ → "
        "‘Signaal overnemen (politie)’ wacht")
    button = sentence.get_by_role("button", name="Toon het diagram van dit deelproces")
    button.focus()
    page.keyboard.press("Enter")
    inner = page.locator("#deelproces-diagram")
    expect(inner.locator(".djs-element.afspelen-actief[data-element-id='overdracht_politie']")).to_have_count(1)
