"""Melden in the browser shell (server side): report, get a reference, read the feedback meant for you."""

from __future__ import annotations

import re

from tests.support.chain import MELDER_BERICHT, TERUG, VERRIJKT, ZORG
from tests.support.web import csrf_of
from tests.support.werkbak import logged_in


def report(client, **fields):
    data = {"omschrijving": "Zorgen over een bovenwoning.", "acuut": "nee", "bron_melding": "collega",
            "anoniem": "nee", **fields, "csrf_token": csrf_of(client, "/melden")}
    return client.post("/melden", data=data)


def test_a_colleague_reports_gets_a_reference_and_later_reads_the_feedback(web, chain):
    melder = logged_in(web, chain, "melder", "eersel")
    page = melder.get("/melden").get_data(as_text=True)
    assert "Bel eerst 112" in page
    assert 'name="gemeente"' not in page, "a gemeente's own people report for their own gemeente"
    response = report(melder)
    assert response.status_code == 302
    confirmation = melder.get(response.headers["Location"]).get_data(as_text=True)
    reference = re.search(r'data-testid="kenmerk">(SR-2026-\d{5})<', confirmation).group(1)
    overview = melder.get("/mijn-meldingen").get_data(as_text=True)
    assert reference in overview and "Nog geen terugkoppeling" in overview
    [case] = [int(reference.split("-")[-1])]
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    chain.do(case, "zorg_en_opvang", ZORG)
    chain.do(case, "terugkoppelen_melder", MELDER_BERICHT)
    overview = melder.get("/mijn-meldingen").get_data(as_text=True)
    assert MELDER_BERICHT["bericht_aan_melder"] in overview and "Afgerond" in overview
    assert VERRIJKT["samenvatting"] not in overview, "the melder sees the feedback, not the case"


def test_a_report_with_errors_keeps_the_input_and_lists_dutch_errors(web, chain):
    melder = logged_in(web, chain, "melder", "eersel")
    response = report(melder, omschrijving="", locatie="Markt 1", acuut="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Controleer 2 velden" in page and "Dit veld is verplicht." in page
    assert 'value="Markt 1"' in page, "what was typed stays"
    assert chain.reference_count() == 0


def test_a_partner_chooses_the_gemeente_and_the_signal_goes_to_that_af(web, chain):
    politie = logged_in(web, chain, "politie", "fryslan-politie-tmm")
    page = politie.get("/melden").get_data(as_text=True)
    assert '<optgroup label="Fryslân">' in page
    missing = report(politie, bron_melding="partner")
    assert missing.status_code == 422 and "Gemeente: Dit veld is verplicht." in missing.get_data(as_text=True)
    done = report(politie, bron_melding="partner", gemeente="leeuwarden")
    assert done.status_code == 302
    case = int(done.headers["Location"].rsplit("/", 1)[1])
    assert chain.holder(chain.ready(case)["verrijken"]) == ("af", "leeuwarden")


def test_auditors_and_beheerders_cannot_report(web, chain):
    auditor = logged_in(web, chain, "auditor", "eersel")
    assert auditor.get("/melden").status_code == 403
    assert "Signaal melden" not in auditor.get("/mijn-meldingen").get_data(as_text=True).split("<main")[0]


def test_nobody_reads_another_persons_confirmation(web, chain):
    melder = logged_in(web, chain, "melder", "eersel")
    location = report(melder).headers["Location"]
    other = logged_in(web, chain, "melder", "bergeijk")
    assert other.get(location).status_code == 404


def test_the_old_statistics_page_leads_to_the_dashboard(web, chain):
    keten = logged_in(web, chain, "ketenregisseur", "oost-brabant-ketenregisseur")
    answer = keten.get("/statistiek?jaar=2026")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/dashboard?jaar=2026")
    assert logged_in(web, chain, "melder", "eersel").get("/statistiek").status_code == 403
