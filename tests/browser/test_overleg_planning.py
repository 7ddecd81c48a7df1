"""A planned Drieluik from call to decision: the procesregisseur sets the moment in the browser, the planner
calls and plans, a signal waits on the provisional agenda, the chair closes the agenda and records the decision."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from engine.audit.events import EventType
from engine.db import unit_of_work
from engine.meetings import meetings
from engine.models import AuditEvent, Meeting, MeetingState
from tests.support.browser import log_in
from tests.support.chain import VERRIJKT
from tests.support.meetings import BASE, CALENDAR


def test_a_planned_drieluik_from_call_to_decision(page, chain, chain_server):
    chair = chain.person("procesregisseur", "fryslan-zvhf")
    chain.person("politie", "fryslan-politie-tmm")  # a participant who gets the call
    log_in(page, chain_server, chair.username)

    # The procesregisseur sets the moment the documents leave open.
    page.get_by_role("link", name="Overleg", exact=True).click()
    expect(page.get_by_test_id("geen-overleg")).to_be_visible()
    page.get_by_role("link", name="Vergadermoment instellen").click()
    page.get_by_label("Weekdag").select_option("dinsdag")
    page.get_by_label("Tijd (UU:MM)").fill("09:30")
    page.get_by_label("Oproep voor nieuwe signalen: aantal werkdagen vooraf").fill("3")
    page.get_by_label("Agenda sluit: aantal werkdagen vooraf").fill("1")
    page.get_by_role("button", name="Vergadermoment opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Vergadermoment opgeslagen")
    expect(page.get_by_role("link", name="Drieluik").first).to_be_visible()

    # The call goes out for the first meeting whose agenda is still open.
    with unit_of_work(chain.factory) as session:
        coming = session.scalars(select(Meeting).where(Meeting.freeze_at > chain.at())
                                 .order_by(Meeting.starts_at)).first()
        meeting_id, call_at = coming.id, coming.call_at
    chain.at.now = call_at
    with unit_of_work(chain.factory) as session:
        meetings.run_cycle(session, regions=chain.regions, calendar=CALENDAR, now=chain.at(), base_url=BASE)
        assert session.get(Meeting, meeting_id).state == MeetingState.CALLED
        called = session.scalars(select(AuditEvent).where(AuditEvent.event_type == EventType.MEETING_CALLED)).all()
        assert meeting_id in [event.payload["meeting"] for event in called]
    page.reload()
    expect(page.get_by_role("row").filter(has_text="opgeroepen")).not_to_have_count(0)

    # A signal reaches the Drieluik and waits on the provisional agenda.
    case = chain.report("leeuwarden")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True})
    reference = f"SR-2026-{case:05d}"
    page.goto(f"{chain_server}/overleg/{meeting_id}")
    expect(page.get_by_role("heading", name="Voorlopige agenda (1)")).to_be_visible()
    expect(page.get_by_test_id("wachtend-signaal")).to_contain_text(reference)

    # The chair closes the agenda before its deadline; the signal is on it.
    page.get_by_role("button", name="Agenda nu sluiten").click()
    expect(page.get_by_role("status")).to_contain_text("De agenda is gesloten")
    expect(page.get_by_role("heading", name="Nieuwe signalen (1)")).to_be_visible()

    # The meeting decides; the decision is on the meeting page.
    page.get_by_role("link", name=f"Besluit vastleggen voor {reference}").click()
    page.get_by_role("group", name="Besluit").get_by_label("Opplussen: redelijk vermoeden, casus starten").check()
    page.get_by_label("Toelichting").fill("Redelijk vermoeden; TMM en Fier nemen contact op.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text(f"Besluit vastgelegd voor {reference}")
    expect(page.get_by_text("Besluit: opplussen")).to_be_visible()
    assert "casus_starten" in chain.ready(case)


def test_the_meeting_moment_and_the_beheer_pages_pass_axe(axe_page, chain, chain_server):
    from tests.support.browser import serious_violations

    log_in(axe_page, chain_server, chain.person("procesregisseur", "fryslan-zvhf").username)
    axe_page.goto(f"{chain_server}/overleg/vergadermoment")
    assert serious_violations(axe_page) == [], "vergadermoment"
    axe_page.get_by_role("button", name="Vergadermoment opslaan").click()
    assert serious_violations(axe_page) == [], "vergadermoment met fouten"
    axe_page.context.clear_cookies()
    log_in(axe_page, chain_server, chain.person("beheerder", "leeuwarden").username)
    axe_page.goto(f"{chain_server}/beheer/regios")
    assert serious_violations(axe_page) == [], "regio's en gemeenten"
    axe_page.get_by_role("link", name="Leeuwarden", exact=True).click()
    assert serious_violations(axe_page) == [], "gemeente"
