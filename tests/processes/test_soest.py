"""Soest (seed 004): routes on a person and on a location, MMA, victims who decline help."""

from __future__ import annotations

from tests.chain import TERUG, VERRIJKT, ZORG

LOCATIE = {**VERRIJKT, "soort_signaal": "locatie", "vorm": "AU"}


def test_a_location_signal_leads_to_a_vth_inspection_and_a_report_to_the_arbeidsinspectie(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", LOCATIE)
    assert chain.holder(chain.ready(case)["locatie_bespreken"]) == ("oov", "soest")
    chain.do(case, "locatie_bespreken", {"schaal": "lokaal", "controle_nodig": True, "toelichting": "Loods."})
    chain.do(case, "vth_controle", {"datum_controle": "2026-03-10", "bevindingen": "Slaapplaatsen in de loods.",
                                    "melden_aan": "arbeidsinspectie"})
    task = chain.ready(case)["locatie_inspectie"]
    assert chain.holder(task) == ("arbeidsinspectie", "soest-arbeidsinspectie")
    chain.do(case, "locatie_inspectie", TERUG)
    assert list(chain.ready(case)) == ["terugkoppelen_melder"]


def test_a_larger_location_goes_to_riec_midden_nederland(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", LOCATIE)
    chain.do(case, "locatie_bespreken", {"schaal": "riec", "controle_nodig": False, "toelichting": "Keten."})
    task = chain.ready(case)["locatie_riec"]
    assert chain.holder(task) == ("ketenregisseur", "soest-ketenregisseur")
    assert "RIEC" in task.instructions and "niet opgenomen" not in task.instructions


def test_a_person_signal_is_first_discussed_with_police_and_zorgcoordinator(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", VERRIJKT)
    task = chain.ready(case)["overleg_politie_zoco"]
    assert chain.holder(task) == ("af", "soest")
    chain.do(case, "overleg_politie_zoco", {"datum_overleg": "2026-03-03", "afspraken": "Politie gaat langs."})
    assert list(chain.ready(case)) == ["overdracht_politie"]


def test_a_victim_in_soest_who_declines_help_goes_to_the_riec_via_the_ketenregisseur(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overleg_politie_zoco", {"datum_overleg": "2026-03-03", "afspraken": "Samen op pad."})
    chain.do(case, "overdracht_politie", TERUG)
    chain.do(case, "zorg_en_opvang", {**ZORG, "hulp_geweigerd": True, "zorgen_blijven": True})
    task = chain.ready(case)["riec_hulp_geweigerd"]
    assert chain.holder(task) == ("ketenregisseur", "soest-ketenregisseur")


def test_an_mma_report_in_soest_is_anonymous_and_completes_without_melder_feedback(chain):
    case = chain.report("soest", bron_melding="anoniem_mma")
    chain.do(case, "verrijken", {**VERRIJKT, "slachtoffer_bekend": False})
    chain.do(case, "anoniem_consult", TERUG)
    assert chain.status(case) == "completed"
