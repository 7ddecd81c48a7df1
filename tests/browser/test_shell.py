"""The web shell as a person meets it: log in, see the werkbak, stay locked out after guessing."""

from __future__ import annotations

from playwright.sync_api import expect

from engine.db import unit_of_work
from engine.models import HumanTask
from tests.support.base import PASSWORD
from tests.support.browser import log_in  # noqa: F401
from tests.support.helpers import complete, deploy, ready, start


def test_the_af_logs_in_sees_her_tasks_and_logs_out(page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    assert list(ready(factory, case)) == ["verrijken"]
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/inloggen?next=%2F")
    log_in(page, live_server, "af")
    expect(page.get_by_role("heading", name="Werkbak")).to_be_visible()
    table = page.get_by_test_id("werkbak")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("Signaal verrijken")
    expect(table).to_contain_text(f"SR-2026-{case:05d}")
    expect(table).to_contain_text("2 maart 2026, 10.00 uur")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()


def test_another_gemeente_sees_an_empty_werkbak(page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    start(factory, world.af, at(), "drie_taken")
    log_in(page, live_server, "af_bergeijk")
    expect(page.get_by_test_id("werkbak-leeg")).to_have_text("U heeft geen openstaande taken.")


def test_wrong_passwords_give_one_message_and_lock_the_account(page, live_server, world):
    log_in(page, live_server, "onbekend", "verkeerd-wachtwoord")
    expect(page.get_by_role("alert")).to_contain_text("Gebruikersnaam of wachtwoord is onjuist.")
    for _ in range(5):
        log_in(page, live_server, "af", "verkeerd-wachtwoord")
        expect(page.get_by_role("alert")).to_contain_text("onjuist")
    log_in(page, live_server, "af")
    expect(page.get_by_role("alert")).to_contain_text("tijdelijk geblokkeerd")


def test_the_login_form_works_by_keyboard_alone(page, live_server, world):
    page.goto(f"{live_server}/inloggen")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Direct naar de inhoud")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Gebruikersnaam")).to_be_focused()
    page.keyboard.type("af")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Werkbak")).to_be_visible()


def test_the_af_completes_a_task_after_one_round_of_validation_errors(page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    log_in(page, live_server, "af")
    page.get_by_role("link", name="Signaal verrijken").click()
    expect(page.get_by_role("heading", name="Signaal verrijken", level=1)).to_be_visible()
    expect(page.get_by_text("Verzamel adresgegevens en eerdere meldingen.")).to_be_visible()
    page.get_by_label("Aantal personen (niet verplicht)").fill("drie")
    page.get_by_label("Samenvatting").fill("")
    page.get_by_role("button", name="Taak afronden").click()
    summary = page.get_by_test_id("foutsamenvatting")
    expect(summary).to_contain_text("Controleer 3 velden")
    expect(summary).to_contain_text("Aantal personen: Vul een geheel getal in.")
    expect(summary).to_contain_text("Vorm van uitbuiting: Dit veld is verplicht.")
    expect(page.get_by_label("Aantal personen (niet verplicht)")).to_have_value("drie"), "entered data is kept"
    assert list(ready(factory, case)) == ["verrijken"], "nothing changed"
    page.get_by_role("group", name="Vorm van uitbuiting").get_by_label("SU").check()
    page.get_by_label("Samenvatting").fill("Drie vrouwen wonen boven de nagelsalon.")
    page.get_by_label("Aantal personen (niet verplicht)").fill("3")
    page.get_by_label("Datum van het signaal (niet verplicht)").fill("2026-03-01")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.get_by_role("status")).to_have_text(
        "Taak ‘Signaal verrijken’ is afgerond. Volgende stap: ‘Overdracht ontvangen’ (Politie (AVIM)).")
    expect(page.get_by_test_id("werkbak-leeg")).to_be_visible()
    assert list(ready(factory, case)) == ["overdracht"]


def test_a_task_and_case_of_another_gemeente_give_a_403_page_that_does_not_reveal_they_exist(
        page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    log_in(page, live_server, "af_bergeijk")
    for path in (f"/taken/{task.id}", f"/zaken/{case}"):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 403
        expect(page.get_by_role("heading", name="Geen toegang")).to_be_visible()
        existing = page.get_by_role("main").inner_text()
        missing = page.goto(f"{live_server}{path.rsplit('/', 1)[0]}/99999")
        assert missing.status == 403
        assert page.get_by_role("main").inner_text() == existing, "a missing id reads exactly the same"


def test_the_case_page_tells_the_story_and_hides_the_melder_from_partners(page, live_server, factory, world,
                                                                          forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.melder, at(), "drie_taken")
    [task] = ready(factory, case).values()
    complete(factory, world.af, at.advance(hours=1), forms, task.id, {"vorm": "SU", "samenvatting": "Zorgen"})
    [handover] = ready(factory, case).values()
    with unit_of_work(factory) as session:
        session.get(HumanTask, handover.id).organisation_id = world.politie.organisation_id
    log_in(page, live_server, "af")
    page.goto(f"{live_server}/zaken/{case}")
    reference = f"SR-2026-{case:05d}"  # the case's name as people say it: no bare number, no slugs
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Zaak {reference}")
    timeline = page.get_by_test_id("tijdlijn").get_by_role("listitem")
    expect(timeline).to_have_text([
        "2 maart 2026, 10.00 uur — melder (Melder, Gemeente Eersel) startte de zaak",
        "2 maart 2026, 11.00 uur — af (Aandachtsfunctionaris, Gemeente Eersel) rondde ‘Signaal verrijken’ af",
    ])
    expect(page.get_by_test_id("openstaand").get_by_role("row").nth(1)).to_contain_text(
        "Overdracht ontvangen Politie (AVIM)")
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, live_server, "politie")
    page.get_by_test_id("werkbak").get_by_role("link", name=f"SR-2026-{case:05d}").click()
    expect(page.get_by_test_id("tijdlijn").get_by_role("listitem").first).to_have_text(
        "2 maart 2026, 10.00 uur — de melder startte de zaak")


def test_the_af_takes_a_task_in_hand_and_gives_it_back(page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    start(factory, world.af, at(), "drie_taken")
    log_in(page, live_server, "af")
    page.get_by_role("link", name="Signaal verrijken").click()
    page.get_by_role("button", name="In behandeling nemen").click()
    expect(page.get_by_role("status")).to_contain_text("U heeft deze taak in behandeling")
    page.get_by_role("link", name="Terug naar de werkbak").click()
    expect(page.get_by_test_id("werkbak")).to_contain_text("(bij u in behandeling)")
    page.get_by_role("link", name="Signaal verrijken").click()
    page.get_by_role("button", name="Teruggeven aan het team").click()
    expect(page.get_by_role("status")).to_have_text("De taak staat weer in de werkbak van uw team.")
    expect(page.get_by_test_id("werkbak")).not_to_contain_text("in behandeling")
