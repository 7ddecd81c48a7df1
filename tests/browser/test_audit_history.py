"""An auditor reads a case's history in the browser, filters it without script, and the pages pass axe."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import text

from engine.db import unit_of_work
from tests.support.browser import log_in, serious_violations
from tests.support.helpers import complete, deploy, ready, start


def make_case(factory, world, forms, at) -> int:
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.melder, at(), "drie_taken", {"melding": "Zorgen", "organisaties": {
        "politie": "politie-ob"}})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["verrijken"].id,
             {"vorm": "SU", "samenvatting": "Eerste indruk"})
    complete(factory, world.politie, at.advance(hours=1), forms, ready(factory, case)["overdracht"].id,
             {"samenvatting": "Na gesprek bijgesteld"})
    return case


def test_the_auditor_opens_a_case_history_filters_it_and_the_page_passes_axe(axe_page, live_server, factory,
                                                                               world, forms, at):
    case = make_case(factory, world, forms, at)
    log_in(axe_page, live_server, "auditor")
    axe_page.get_by_role("link", name="Zaken (audit)").click()
    expect(axe_page.get_by_role("heading", name="Zaken (audit)")).to_be_visible()
    axe_page.get_by_role("link", name=f"Zaak {case}", exact=True).click()
    expect(axe_page.get_by_role("heading", name=f"Geschiedenis SR-2026-{case:05d}")).to_be_visible()
    expect(axe_page.get_by_test_id("integriteit")).to_contain_text("Intact.")
    events = axe_page.get_by_test_id("gebeurtenis")
    expect(events).to_have_count(3)
    expect(events.nth(1)).to_contain_text("af (Aandachtsfunctionaris, Gemeente Eersel) rondde ‘Signaal verrijken’ af")
    assert serious_violations(axe_page) == [], "geschiedenis"

    axe_page.get_by_label("Soort gebeurtenis").select_option(label="Taak afgerond")
    axe_page.get_by_label("Persoon").select_option("politie")
    axe_page.get_by_role("button", name="Filteren").click()
    expect(axe_page.get_by_test_id("aantal")).to_have_text("1 van 3 gebeurtenissen (gefilterd).")
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text(
        "politie (Politie (AVIM), Politie Oost-Brabant AVIM) rondde ‘Overdracht ontvangen’ af")
    changes = events.first.get_by_test_id("wijzigingen").get_by_role("row")
    expect(changes.nth(1)).to_have_text("Samenvatting samenvatting Eerste indruk Na gesprek bijgesteld gewijzigd",
                                        use_inner_text=True)
    assert serious_violations(axe_page) == [], "gefilterde geschiedenis"

    axe_page.get_by_role("link", name="Filter wissen").click()
    expect(events).to_have_count(3)
    expect(axe_page.get_by_test_id("toegangslog")).to_contain_text("bekeek de auditgeschiedenis")


def test_the_other_audit_pages_pass_axe(axe_page, live_server, factory, world, forms, at):
    make_case(factory, world, forms, at)
    log_in(axe_page, live_server, "auditor")
    axe_page.goto(f"{live_server}/audit/zaken")
    assert serious_violations(axe_page) == [], "zaken"
    axe_page.get_by_role("link", name="Auditlog exporteren").click()
    axe_page.get_by_label("Van").fill("2026-03-09")
    axe_page.get_by_label("Tot en met").fill("2026-03-01")
    axe_page.get_by_role("button", name="Exporteren").click()
    expect(axe_page.get_by_test_id("foutsamenvatting")).to_contain_text("De einddatum ligt vóór de begindatum.")
    assert serious_violations(axe_page) == [], "export met fouten"
    axe_page.get_by_role("link", name="Controle auditlog").click()
    axe_page.get_by_role("button", name="Nu controleren").click()
    expect(axe_page.get_by_role("status")).to_contain_text("Het auditlog is intact")
    assert serious_violations(axe_page) == [], "controle"


def test_the_auditor_reads_a_broken_case_with_the_changed_event_flagged_in_place(axe_page, live_server, factory,
                                                                                  world, forms, at):
    case = make_case(factory, world, forms, at)
    with unit_of_work(factory) as session:
        session.execute(text("UPDATE audit_event SET payload = :p WHERE chain = :c AND seq = 2"),
                        {"p": '{"data": {"vorm": "AU"}}', "c": f"instance:{case}"})
        session.execute(text("DELETE FROM audit_event WHERE chain = :c AND seq = 3"), {"c": f"instance:{case}"})
    log_in(axe_page, live_server, "auditor")
    axe_page.goto(f"{live_server}/audit/zaken/{case}")
    banner = axe_page.get_by_test_id("integriteit")
    expect(banner).to_have_attribute("data-intact", "nee")
    expect(banner).to_contain_text("NIET intact.")
    expect(axe_page.get_by_test_id("ontbrekend")).to_contain_text("Gebeurtenis 3 ontbreekt")
    events = axe_page.get_by_test_id("gebeurtenis")
    expect(events).to_have_count(2)
    expect(events.nth(1).get_by_test_id("markering")).to_contain_text("Niet intact: gewijzigd")
    expect(events.nth(0).get_by_test_id("markering")).to_have_count(0)
    assert serious_violations(axe_page) == [], "geschiedenis die niet intact is"
    axe_page.get_by_role("link", name="Zaak stap voor stap afspelen").click()
    expect(axe_page.get_by_test_id("integriteit")).to_contain_text("NIET intact.")
