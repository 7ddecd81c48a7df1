"""The Drieluik in the browser: the chair opens the agenda, decides a signal, writes minutes; axe passes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from engine.db import unit_of_work
from engine.meetings import meetings
from tests.support.browser import log_in, serious_violations
from tests.support.chain import VERRIJKT
from tests.support.meetings import BASE, CALENDAR, PLANNED, meeting_rows


@pytest.fixture
def agenda(chain):
    case = chain.report("leeuwarden")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True})
    for days in (0, 7):
        chain.at.advance(days=days)
        with unit_of_work(chain.factory) as session:
            meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)
    return case, meeting_rows(chain)[0].id


def test_the_chair_decides_a_signal_on_the_agenda_by_keyboard(page, chain, chain_server, agenda):
    case, meeting_id = agenda
    chair = chain.person("procesregisseur", "fryslan-zvhf")
    log_in(page, chain_server, chair.username)
    page.get_by_role("link", name="Overleg", exact=True).click()
    page.get_by_role("link", name="Drieluik").first.click()
    expect(page.get_by_role("heading", name="Nieuwe signalen (1)")).to_be_visible()
    page.get_by_role("link", name=f"Besluit vastleggen voor SR-2026-{case:05d}").focus()
    page.keyboard.press("Enter")
    page.get_by_role("group", name="Besluit").get_by_label("Nog niet concreet: lopend signaal").check()
    page.get_by_label("Toelichting").fill("Meer informatie nodig van TMM.")
    page.get_by_role("button", name="Besluit vastleggen").press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Besluit vastgelegd voor SR-2026-{case:05d}")
    expect(page.get_by_text("Besluit: nog_niet_concreet")).to_be_visible()
    page.get_by_label("Verslag van het overleg").fill("Signaal blijft lopend.")
    page.get_by_role("button", name="Verslag opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Verslag opgeslagen")
    assert "besluit_overleg" in chain.ready(case), "a lopend signaal waits for the next meeting"


def test_the_meeting_pages_pass_axe(axe_page, chain, chain_server, agenda):
    _case, meeting_id = agenda
    log_in(axe_page, chain_server, chain.person("procesregisseur", "fryslan-zvhf").username)
    for path in ("/overleg", f"/overleg/{meeting_id}"):
        axe_page.goto(f"{chain_server}{path}")
        assert serious_violations(axe_page) == [], path
    axe_page.get_by_role("link", name="Besluit vastleggen voor").first.click()
    axe_page.get_by_role("button", name="Besluit vastleggen").click()
    assert serious_violations(axe_page) == [], "besluit met fouten"
