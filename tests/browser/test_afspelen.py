"""The auditor steps through a case on the bpmn-js diagram: visits counted, waiting elements marked."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_accessibility import serious_violations
from tests.browser.test_shell import log_in
from tests.chain import TERUG, VERRIJKT


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


def test_the_step_page_passes_axe(axe_page, chain, chain_server):
    case = chain.report("eersel")
    log_in(axe_page, chain_server, chain.person("auditor", "eersel").username)
    axe_page.goto(f"{chain_server}/audit/zaken/{case}/afspelen")
    axe_page.locator("#diagram svg").first.wait_for()
    assert serious_violations(axe_page) == []
