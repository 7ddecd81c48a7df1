"""The meeting pages: the chair decides per signal, participants read, outsiders find nothing, iCal feed."""

from __future__ import annotations

import re

import pytest

from engine.db import unit_of_work
from engine.meetings import meetings
from tests.support.chain import VERRIJKT
from tests.support.meetings import BASE, CALENDAR, PLANNED, meeting_rows
from tests.support.web import csrf_of
from tests.support.werkbak import logged_in


@pytest.fixture
def frozen_meeting(chain):
    case = chain.report("leeuwarden")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True})
    with unit_of_work(chain.factory) as session:
        meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)
    chain.at.advance(days=7)
    with unit_of_work(chain.factory) as session:
        meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)
    return case, meeting_rows(chain)[0].id


def test_the_chair_records_a_decision_after_one_validation_error_and_writes_minutes(web, chain, frozen_meeting):
    case, meeting_id = frozen_meeting
    chair = logged_in(web, chain, "procesregisseur", "fryslan-zvhf")
    page = chair.get(f"/overleg/{meeting_id}").get_data(as_text=True)
    assert "Nieuwe signalen (1)" in page and f"SR-2026-{case:05d}" in page and VERRIJKT["samenvatting"] in page
    link = re.search(r'href="(/overleg/\d+/punt/\d+)"', page).group(1)
    token = csrf_of(chair, link)
    refused = chair.post(link, data={"besluit": "geen_mensenhandel", "toelichting": "Besproken.",
                                     "csrf_token": token})
    assert refused.status_code == 422 and "Reden van afsluiten" in refused.get_data(as_text=True)
    done = chair.post(link, data={"besluit": "opplussen", "toelichting": "Redelijk vermoeden.",
                                  "csrf_token": token})
    assert done.status_code == 302
    assert "casus_starten" in chain.ready(case)
    chair.post(f"/overleg/{meeting_id}/verslag", data={"verslag": "TMM checkt eigen systemen.",
                                                        "csrf_token": token})
    chair.post(f"/overleg/{meeting_id}/afsluiten", data={"csrf_token": token})
    tmm = logged_in(web, chain, "politie", "fryslan-politie-tmm")
    page = tmm.get(f"/overleg/{meeting_id}").get_data(as_text=True)
    assert "TMM checkt eigen systemen." in page and "Besluit: opplussen" in page
    assert "Besluit vastleggen" not in page, "only the chair decides"


def test_outsiders_get_a_404_and_see_no_meetings(web, chain, frozen_meeting):
    _case, meeting_id = frozen_meeting
    for role, organisation in [("politie", "oost-brabant-avim"), ("af", "leeuwarden")]:
        client = logged_in(web, chain, role, organisation)
        assert client.get(f"/overleg/{meeting_id}").status_code == 404
        assert "Er staat geen overleg gepland" in client.get("/overleg").get_data(as_text=True)


def test_participants_download_the_ical_feed(web, chain, frozen_meeting):
    zoco = logged_in(web, chain, "zorgcoordinator", "fryslan-fier")
    response = zoco.get("/overleg/agenda.ics")
    assert response.mimetype == "text/calendar"
    assert response.get_data(as_text=True).count("SUMMARY:Drieluik") == 4
