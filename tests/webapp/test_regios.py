"""Beheer of regions and gemeenten, and the meeting moment, through the web pages as people use them."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import Meeting, Organisation
from tests.support.werkbak import csrf_of, logged_in


def org_id(chain, slug) -> int:
    with unit_of_work(chain.factory) as session:
        return session.scalars(select(Organisation.id).where(Organisation.slug == slug)).one()


def test_the_beheerder_sees_every_profiles_gaps_and_gemeenten_by_name(web, chain):
    beheer = logged_in(web, chain, "beheerder", "leeuwarden")
    page = beheer.get("/beheer/regios").get_data(as_text=True)
    for name in ("Fryslân", "Noord- en Midden-Limburg", "Oost-Brabant", "Soest", "Súdwest-Fryslân", "Maashorst"):
        assert name in page
    assert "Landerd, Uden" in page  # former names of Maashorst
    assert "Drieluik: het vergadermoment is nog niet ingesteld" in page
    assert "geen telefoonnummer (buiten spoed)" in page
    assert "noord-en-midden-limburg-" not in page and "zorgcoordinator-zvh<" not in page
    assert "Regio&#39;s en gemeenten" in beheer.get("/beheer/post").get_data(as_text=True)  # in the beheer menu


def test_the_beheerder_adds_renames_and_merges_a_gemeente_in_the_web_ui(web, chain):
    beheer = logged_in(web, chain, "beheerder", "leeuwarden")
    token = csrf_of(beheer, "/beheer/regios")
    refused = beheer.post("/beheer/regios/fryslan/gemeenten", data={"naam": "", "csrf_token": token})
    assert refused.status_code == 422 and "Vul de naam van de gemeente in." in refused.get_data(as_text=True)
    twice = beheer.post("/beheer/regios/fryslan/gemeenten", data={"naam": "Leeuwarden", "csrf_token": token})
    assert twice.status_code == 422 and "Gemeente Leeuwarden bestaat al." in twice.get_data(as_text=True)
    added = beheer.post("/beheer/regios/fryslan/gemeenten",
                        data={"naam": "Nij Gemeente", "zorgcoordinator": "fier", "csrf_token": token})
    assert added.status_code == 302
    assert "Gemeente Nij Gemeente is toegevoegd." in beheer.get("/beheer/regios").get_data(as_text=True)

    venray = org_id(chain, "venray")
    renamed = beheer.post(f"/beheer/gemeenten/{venray}", data={"naam": "Venray-Nieuw", "zorgcoordinator": "",
                                                               "csrf_token": token})
    assert renamed.status_code == 302
    page = beheer.get(f"/beheer/gemeenten/{venray}").get_data(as_text=True)
    assert "Gemeente Venray-Nieuw" in page and "Vroegere namen: Venray" in page

    beesel, venlo = org_id(chain, "beesel"), org_id(chain, "venlo")
    empty = beheer.post(f"/beheer/gemeenten/{beesel}/samenvoegen", data={"doel": "", "csrf_token": token})
    assert empty.status_code == 422 and "Kies de gemeente waarin deze gemeente opgaat." in empty.get_data(as_text=True)
    merged = beheer.post(f"/beheer/gemeenten/{beesel}/samenvoegen", data={"doel": venlo, "csrf_token": token})
    assert merged.headers["Location"].endswith(f"/beheer/gemeenten/{venlo}")
    assert beheer.get(f"/beheer/gemeenten/{beesel}").status_code == 404  # merged: no longer a gemeente of its own
    assert "Vroegere namen: Beesel" in beheer.get(f"/beheer/gemeenten/{venlo}").get_data(as_text=True)


def test_others_cannot_manage_gemeenten(web, chain):
    af = logged_in(web, chain, "af", "leeuwarden")
    assert af.get("/beheer/regios").status_code == 403
    assert af.post(f"/beheer/gemeenten/{org_id(chain, 'leeuwarden')}",
                   data={"naam": "X", "csrf_token": csrf_of(af, "/")}).status_code == 403


def test_the_procesregisseur_sets_the_meeting_moment_and_sees_the_planned_drieluik(web, chain):
    chair = logged_in(web, chain, "procesregisseur", "fryslan-zvhf")
    overview = chair.get("/overleg").get_data(as_text=True)
    assert "Vergadermoment instellen" in overview and 'data-testid="geen-overleg"' in overview
    token = csrf_of(chair, "/overleg/vergadermoment")
    wrong = chair.post("/overleg/vergadermoment", data={"weekdag": "dinsdag", "tijd": "09:30", "oproep": "2",
                                                        "agenda_dicht": "2", "csrf_token": token})
    assert wrong.status_code == 422
    assert "De agenda gaat dicht na de oproep" in wrong.get_data(as_text=True)
    done = chair.post("/overleg/vergadermoment", data={"weekdag": "dinsdag", "tijd": "09:30", "oproep": "3",
                                                       "agenda_dicht": "1", "csrf_token": token})
    assert done.status_code == 302
    page = chair.get("/overleg").get_data(as_text=True)
    assert "overleggen gepland" in page and "Drieluik" in page
    with unit_of_work(chain.factory) as session:
        first = session.scalars(select(Meeting.id).order_by(Meeting.starts_at)).first()
    meeting_page = chair.get(f"/overleg/{first}").get_data(as_text=True)
    assert "Voorlopige agenda" in meeting_page and "Agenda nu sluiten" in meeting_page
    # A second visit shows what was stored, not the profile's placeholder.
    form = chair.get("/overleg/vergadermoment").get_data(as_text=True)
    assert re.search(r'<option value="dinsdag" selected', form) and 'value="09:30"' in form


def test_a_procesregisseur_in_a_region_without_a_standing_meeting_gets_no_meeting_settings(web, chain):
    af = logged_in(web, chain, "af", "leeuwarden")
    assert af.get("/overleg/vergadermoment").status_code == 403
    assert "Vergadermoment instellen" not in af.get("/overleg").get_data(as_text=True)


def test_a_besluit_task_links_to_the_meeting_that_decides_it(web, chain):
    from tests.support.meetings import set_schedule, signal_waiting_for_the_drieluik

    set_schedule(chain)
    case = signal_waiting_for_the_drieluik(chain)
    task = chain.ready(case)["besluit_overleg"]
    chair = logged_in(web, chain, "procesregisseur", "fryslan-zvhf")
    page = chair.get(f"/taken/{task.id}").get_data(as_text=True)
    link = re.search(r'data-testid="overleg-link">[^<]*<a href="/overleg/(\d+)">Drieluik van', page)
    assert link is not None, "the decision task points at the meeting where it is decided"
    assert chair.get(f"/overleg/{link.group(1)}").status_code == 200
