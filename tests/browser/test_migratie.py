"""A procesregisseur moves a running case to the new version in the browser, then reverts it; the pages pass axe."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, log_in, serious_violations
from tests.support.helpers import complete, deploy, ready, start


def test_the_procesregisseur_selects_and_migrates_a_case_then_reverts_it(axe_page, live_server, factory, world,
                                                                         forms, at):
    deploy(factory, world.regisseur, at(), forms, "migratie_v1.bpmn")
    stuck = start(factory, world.af, at(), "migratie")
    case = start(factory, world.af, at(), "migratie")
    complete(factory, world.af, at(), forms, ready(factory, case)["intake"].id)
    deploy(factory, world.regisseur, at(), forms, "migratie_v2.bpmn")
    reference, stuck_reference = f"SR-2026-{case:05d}", f"SR-2026-{stuck:05d}"
    page = axe_page

    log_in(page, live_server, "regisseur")
    page.goto(f"{live_server}/modelleren/migratie/migratie?naar=2")
    expect(page.get_by_role("heading", name="Zaken overzetten naar versie 2")).to_be_visible()
    expect(page.get_by_test_id("ongeschikt")).to_contain_text(stuck_reference)
    expect(page.get_by_test_id("ongeschikt")).to_contain_text("Taak 'Intake' bestaat niet in versie 2")
    assert serious_violations(page) == [], "overzicht"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "migratie-overzicht.png"), full_page=True)

    page.get_by_label(reference).check()
    page.get_by_role("button", name="Gekozen zaken migreren").click()
    expect(page.get_by_role("status")).to_have_text("1 van 1 zaak/zaken overgezet naar versie 2.")
    expect(page.get_by_test_id("uitkomst")).to_contain_text(f"{reference} Gemigreerd", use_inner_text=True)
    assert serious_violations(page) == [], "uitkomst"
    page.screenshot(path=str(ARTIFACTS / "migratie-uitkomst.png"), full_page=True)

    page.get_by_role("link", name="Terug naar het overzicht").click()
    moved = page.get_by_test_id("overgezet")
    expect(moved).to_contain_text(reference)
    page.get_by_role("button", name=f"Terugdraaien: {reference} terug naar versie 1").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Overzetting teruggedraaid: zaak {reference} staat weer op versie 1.")
    expect(page.get_by_test_id("geschikt")).to_contain_text(reference)
    assert serious_violations(page) == [], "na terugdraaien"
    page.screenshot(path=str(ARTIFACTS / "migratie-teruggedraaid.png"), full_page=True)
