"""Task and case pages carry the case within need-to-know, named by its kenmerk."""

from __future__ import annotations

import re

from engine.cases import lifecycle
from engine.db import unit_of_work
from tests.support.chain import MELDING, TERUG, VERRIJKT
from tests.support.werkbak import logged_in


def _ready(chain, case: int, element: str) -> int:
    return chain.ready(case)[element].id


def _reference(chain, case: int) -> str:
    return f"SR-2026-{case:05d}"


def test_the_police_task_page_shows_the_melding_and_enrichment_with_labels_not_keys(web, chain):
    case = chain.report("eersel", locatie="Markt 1, Eersel")
    chain.do(case, "verrijken", VERRIJKT)
    police = logged_in(web, chain, "politie", "oost-brabant-avim")
    page = police.get(f"/taken/{_ready(chain, case, 'overdracht_politie')}").get_data(as_text=True)
    assert _reference(chain, case) in page.split("</h1>")[0]
    assert MELDING["omschrijving"].replace("'", "&#39;") in page
    assert "Markt 1, Eersel" in page
    assert "Seksuele uitbuiting (SU)" in page and "Vormen van uitbuiting" not in page
    shown = page.split("<main", 1)[1].split('<form method="post" novalidate>')[0]
    # The colleagues' list for assigning names the test accounts, whose usernames hold slugs.
    shown = re.sub(r'<section class="behandeling.*?</section>', "", shown, flags=re.S)
    for raw in ("omschrijving", "bron_melding", ">True<", ">False<", "oost-brabant-avim", '"vorm"'):
        assert raw not in shown, raw
    assert 'data-testid="melder"' not in page, "the police do not see who reported"


def test_the_af_feedback_task_shows_what_the_partners_reported_back(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    chain.do(case, "zorg_en_opvang", {"actie": "zorg ingezet", "terugkoppeling": "Opvang geregeld bij Lumens.",
                                      "hulp_geweigerd": False, "zorgen_blijven": False})
    af = logged_in(web, chain, "af", "eersel")
    page = af.get(f"/taken/{_ready(chain, case, 'terugkoppelen_melder')}").get_data(as_text=True)
    assert "Verhoor gepland." in page and "Opvang geregeld bij Lumens." in page
    assert 'data-testid="melder"' in page and "Gemeente Eersel" in page


def test_the_case_page_is_the_dossier_with_open_tasks_names_and_a_notes_slot(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    af = logged_in(web, chain, "af", "eersel")
    page = af.get(f"/zaken/{case}").get_data(as_text=True)
    assert f'Zaak <span class="kenmerk" data-testid="kenmerk">{_reference(chain, case)}</span>' in page
    assert "Gemeente Eersel" in page and "Van signaal naar aanpak (Oost-Brabant), versie 1" in page
    assert "signaal_oost_brabant" not in page.split('data-verloop')[0]
    assert f'href="/taken/{_ready(chain, case, "overdracht_politie")}"' not in page, "the AF cannot open it"
    assert "Signaal overnemen (politie)" in page and "Nog niemand (het team)" in page
    assert "Politie, team AVIM" in page


def test_the_case_diagram_data_mark_the_open_step_and_serve_the_deployed_models(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    police = logged_in(web, chain, "politie", "oost-brabant-avim")
    progress = police.get(f"/zaken/{case}/verloop.json").get_json()
    assert "overdracht_partners:overdracht_politie" in progress["active"]
    assert "signaal_oost_brabant:overdracht" in progress["active"], "the call activity leading there is open too"
    assert progress["visited"]["signaal_oost_brabant:verrijken"] == 1
    assert progress["processes"]["signaal_oost_brabant"] == "Van signaal naar aanpak (Oost-Brabant), versie 1"
    model = police.get(progress["models"]["overdracht_partners"])
    assert model.status_code == 200 and b'id="overdracht_partners"' in model.data
    assert model.headers["X-Content-Type-Options"] == "nosniff"
    assert police.get(f"/zaken/{case}/modellen/bestaat_niet.bpmn").status_code == 404


def test_someone_outside_the_case_gets_neither_the_diagram_nor_the_models(web, chain):
    case = chain.report("eersel")
    other = logged_in(web, chain, "politie", "fryslan-politie-tmm")
    assert other.get(f"/zaken/{case}/verloop.json").status_code == 403
    assert other.get(f"/zaken/{case}/modellen/signaal_oost_brabant.bpmn").status_code == 403


def test_opening_the_case_page_is_logged_as_a_view(web, chain):
    case = chain.report("eersel")
    af = logged_in(web, chain, "af", "eersel")
    assert af.get(f"/zaken/{case}").status_code == 200
    auditor = chain.person("auditor", "landelijk")
    with unit_of_work(chain.factory) as session:
        views = lifecycle.case_access_log(session, actor=auditor, now=chain.at(), instance_id=case)
    assert any(v.username == "af.eersel" and v.action == "case.viewed" for v in views)
