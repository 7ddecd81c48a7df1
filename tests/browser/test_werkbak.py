"""The werkbak and the task page in Chromium: filters and saved filters, keyboard only, axe-core, print."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from engine.db import unit_of_work
from engine.models import AuditEvent
from tests.support.base import PASSWORD
from tests.support.browser import log_in, serious_violations
from tests.support.helpers import deploy, ready, start
from tests.support.werkbak import ref


@pytest.fixture
def handed_over(handed_over, chain):
    """The shared two signals at AVIM Oost-Brabant (tests/support/werkbak.py) as references; now Monday 9 March
    13.00."""
    chain.at.now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    return tuple(ref(case) for case in handed_over)


def unfold(page: Page, test_id: str) -> None:
    """Open a folded section of the werkbak (details/summary) the way a user does: click its summary."""
    section = page.get_by_test_id(test_id)
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    expect(section).to_have_attribute("open", "")


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` has focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never received focus by Tab")


def test_avim_filters_the_werkbak_saves_the_filter_and_opens_it_again(page, chain, chain_server, handed_over):
    su, cu = handed_over
    avim = chain.person("politie", "oost-brabant-avim")
    log_in(page, chain_server, avim.username)
    table = page.get_by_test_id("werkbak")
    expect(page.get_by_role("link", name="Taken van mijn team (2)")).to_have_attribute("aria-current", "page")
    expect(table.get_by_role("row").filter(has_text=su)).to_contain_text("te laat")
    expect(table.get_by_role("row").filter(has_text=cu)).to_contain_text("binnenkort")

    expect(page.get_by_label("Vorm van uitbuiting")).to_be_hidden()  # filters stay folded until opened
    unfold(page, "zoeken-filteren")
    page.get_by_label("Vorm van uitbuiting").select_option(label="Seksuele uitbuiting (SU)")
    page.get_by_role("button", name="Filteren").click()
    expect(table).to_contain_text(su)
    expect(table).not_to_contain_text(cu)
    expect(page.get_by_role("link", name="Taken van mijn team (1)")).to_be_visible()

    unfold(page, "bewaard")
    page.get_by_label("Naam voor dit filter").fill("Seksuele uitbuiting")
    page.get_by_role("button", name="Filter bewaren").click()
    expect(page.get_by_role("status")).to_have_text("Filter ‘Seksuele uitbuiting’ is bewaard.")
    page.get_by_role("link", name="Filters wissen").click()
    expect(table).to_contain_text(cu)

    unfold(page, "bewaard")
    page.get_by_test_id("bewaarde-filters").get_by_role("link", name="Seksuele uitbuiting").click()
    expect(table).not_to_contain_text(cu)
    expect(page.get_by_label("Vorm van uitbuiting")).to_have_value("SU")

    unfold(page, "bewaard")
    page.get_by_role("button", name="Verwijder filter ‘Seksuele uitbuiting’").click()
    expect(page.get_by_role("status")).to_have_text("Filter ‘Seksuele uitbuiting’ is verwijderd.")
    unfold(page, "bewaard")
    expect(page.get_by_text("U heeft nog geen filters bewaard.")).to_be_visible()


def test_a_user_of_another_gemeente_finds_nothing_and_gets_a_403_page(page, chain, chain_server, handed_over):
    su, _cu = handed_over
    log_in(page, chain_server, chain.person("af", "bergeijk").username)
    unfold(page, "zoeken-filteren")
    page.get_by_label("Kenmerk van de zaak").fill(su)
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_test_id("zoekresultaat")).to_contain_text(f"Geen zaak gevonden met kenmerk {su}.")
    response = page.goto(f"{chain_server}/zaken/{int(su[-5:])}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Geen toegang")).to_be_visible()


def test_the_werkbak_its_states_and_a_task_with_groups_pass_axe(axe_page, chain, chain_server, handed_over):
    su, _cu = handed_over
    avim = chain.person("politie", "oost-brabant-avim")
    log_in(axe_page, chain_server, avim.username)
    assert serious_violations(axe_page) == [], "werkbak with due markers"
    unfold(axe_page, "bewaard")
    axe_page.get_by_label("Naam voor dit filter").fill("Alles")
    axe_page.get_by_role("button", name="Filter bewaren").click()
    axe_page.goto(f"{chain_server}/?tab=team&per_pagina=1&pagina=2&sorteer=nieuwste")
    expect(axe_page.get_by_text("Pagina 2 van 2")).to_be_visible()
    assert serious_violations(axe_page) == [], "werkbak with saved filter and paging"
    axe_page.goto(f"{chain_server}/?kenmerk={su}")
    assert serious_violations(axe_page) == [], "search result"
    axe_page.goto(f"{chain_server}/?kenmerk=fout&termijn=ooit")
    expect(axe_page.get_by_test_id("foutsamenvatting")).to_be_visible()
    assert serious_violations(axe_page) == [], "werkbak with filter errors"
    axe_page.goto(f"{chain_server}/?tab=mijn")
    expect(axe_page.get_by_test_id("werkbak-leeg")).to_be_visible()
    assert serious_violations(axe_page) == [], "empty tab"
    axe_page.emulate_media(media="print")
    axe_page.goto(f"{chain_server}/zaken/{int(su[-5:])}")
    assert serious_violations(axe_page) == [], "case page, printed"


def test_a_form_with_groups_and_rows_passes_axe_with_and_without_errors(axe_page, live_server, factory, world,
                                                                         forms, at):
    deploy(factory, world.regisseur, at(), forms, "groepen.bpmn")
    case = start(factory, world.af, at(), "groepen")
    [task] = ready(factory, case).values()
    log_in(axe_page, live_server, "af")
    axe_page.goto(f"{live_server}/taken/{task.id}")
    axe_page.get_by_role("button", name="Persoon toevoegen").click()
    expect(axe_page.get_by_role("group", name="Persoon 2")).to_be_visible()
    assert serious_violations(axe_page) == [], "two rows"
    axe_page.get_by_role("button", name="Taak afronden").click()
    expect(axe_page.get_by_test_id("foutsamenvatting")).to_be_visible()
    assert serious_violations(axe_page) == [], "nested errors"


def test_a_task_with_a_group_and_rows_is_completed_by_keyboard_alone(page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "groepen.bpmn")
    case = start(factory, world.af, at(), "groepen")
    page.goto(f"{live_server}/inloggen")
    tab_to(page, page.get_by_label("Gebruikersnaam"))
    page.keyboard.type("af")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Betrokkenen vastleggen"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Betrokkenen vastleggen", level=1)).to_be_visible()

    address = page.get_by_role("group", name="Adres van de locatie")
    tab_to(page, address.get_by_label("Straat"))
    page.keyboard.type("Markt")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    first = page.get_by_role("group", name="Persoon 1")
    tab_to(page, first.get_by_label("Naam"))
    page.keyboard.type("Anna")
    page.keyboard.press("Tab")  # into the radio group "Rol": its first option
    page.keyboard.press("Space")
    expect(first.get_by_label("Slachtoffer")).to_be_checked()

    tab_to(page, page.get_by_role("button", name="Persoon toevoegen"))
    page.keyboard.press("Enter")
    second = page.get_by_role("group", name="Persoon 2")
    expect(second.get_by_label("Naam")).to_be_focused()
    expect(first.get_by_label("Naam")).to_have_value("Anna")
    page.keyboard.type("Bas")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the second option, Verdachte
    expect(second.get_by_label("Verdachte")).to_be_checked()

    tab_to(page, page.get_by_role("button", name="Taak afronden"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Taak ‘Betrokkenen vastleggen’ is afgerond.")
    with unit_of_work(factory) as session:
        completed = session.query(AuditEvent).filter_by(instance_id=case, event_type="task.completed").one()
        assert completed.payload["data"] == {
            "adres": {"huisnummer": 1, "straat": "Markt"},
            "personen": [{"naam": "Anna", "rol": "slachtoffer"}, {"naam": "Bas", "rol": "verdachte"}],
        }


def test_enter_in_a_field_submits_the_task_and_never_removes_a_row(page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "groepen.bpmn")
    case = start(factory, world.af, at(), "groepen")
    [task] = ready(factory, case).values()
    log_in(page, live_server, "af")
    page.goto(f"{live_server}/taken/{task.id}")
    page.get_by_role("button", name="Persoon toevoegen").click()
    page.get_by_role("group", name="Persoon 1").get_by_label("Naam").fill("Anna")
    page.get_by_label("Straat").press("Enter")
    expect(page.get_by_test_id("foutsamenvatting")).to_be_visible()
    expect(page.get_by_role("group", name="Persoon 1").get_by_label("Naam")).to_have_value("Anna")
    assert list(ready(factory, case)) == ["vastleggen"]


def test_the_case_page_prints_without_navigation_or_buttons(page, chain, chain_server, handed_over):
    su, _cu = handed_over
    log_in(page, chain_server, chain.person("af", "eersel").username)
    page.goto(f"{chain_server}/zaken/{int(su[-5:])}")
    navigation = page.get_by_role("navigation", name="Hoofdmenu")
    expect(navigation).to_be_visible()
    page.emulate_media(media="print")
    expect(navigation).to_be_hidden()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_hidden()
    expect(page.get_by_role("link", name="Terug naar de werkbak")).to_be_hidden()
    expect(page.get_by_role("heading", name=f"Zaak {su}")).to_be_visible()
    expect(page.get_by_test_id("samenvatting")).to_contain_text("Gemeente Eersel")
    expect(page.get_by_test_id("tijdlijn")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    page.emulate_media(media="screen")
    expect(navigation).to_be_visible()
