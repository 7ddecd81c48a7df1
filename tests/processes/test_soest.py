"""Soest (004): routes on a person (the overleg with police and ZoCo decides), on a location, on a dader; MMA."""

from __future__ import annotations

from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import HumanTask
from tests.support.chain import MELDER_BERICHT, TERUG, VERRIJKT, ZORG

LOCATIE = {**VERRIJKT, "soort_signaal": "locatie", "vorm": "AU"}
OVERLEG = {"datum_overleg": "2026-03-03", "afspraken": "Zorgcoördinator gaat langs.", "hulp_nodig": True,
           "politie_onderzoek": False}


def all_instructions(chain, case):
    with unit_of_work(chain.factory) as session:
        return {t.element_id: t.instructions or "" for t in
                session.scalars(select(HumanTask).where(HumanTask.instance_id == case))}


def test_a_non_acute_soest_signal_never_shows_112(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overleg_politie_zoco", {**OVERLEG, "politie_onderzoek": True})
    assert set(chain.ready(case)) == {"zorg_en_opvang", "politie_na_overleg"}
    chain.fire_timers(days=10)  # the follow-ups name the police too
    shown = all_instructions(chain, case)
    assert {"verrijken", "overleg_politie_zoco", "politie_na_overleg", "politie_na_overleg_opvragen"} <= set(shown)
    assert not [element for element, text in shown.items() if "112" in text]
    assert "Neem contact op." in shown["politie_na_overleg_opvragen"], "a missing number shows nothing"
    assert "regioprofiel" not in " ".join(shown.values()), "what the profile lacks is for the beheerder"


def test_the_overleg_with_police_and_zoco_decides_what_happens_next_without_a_second_hand_over(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", VERRIJKT)
    task = chain.ready(case)["overleg_politie_zoco"]
    assert chain.holder(task) == ("af", "soest")
    chain.do(case, "overleg_politie_zoco", OVERLEG)
    assert set(chain.ready(case)) == {"zorg_en_opvang"}
    chain.do(case, "zorg_en_opvang", ZORG)
    assert chain.do(case, "terugkoppelen_melder", MELDER_BERICHT) == "completed"


def test_a_location_signal_with_a_known_victim_reaches_care_too(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", LOCATIE)
    tasks = chain.ready(case)
    assert set(tasks) == {"locatie_bespreken", "zorg_en_opvang"}
    assert chain.holder(tasks["locatie_bespreken"]) == ("af", "soest"), "004 §2.4: the AF brings it in"
    assert chain.holder(tasks["zorg_en_opvang"]) == ("zorgcoordinator", "soest-moviera")


def test_a_location_signal_leads_to_a_vth_inspection_and_a_report_to_the_arbeidsinspectie(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", {**LOCATIE, "slachtoffer_bekend": False})
    chain.do(case, "locatie_bespreken", {"schaal": "lokaal", "controle_nodig": True, "toelichting": "Loods."})
    chain.do(case, "vth_controle", {"datum_controle": "2026-03-10", "bevindingen": "Slaapplaatsen in de loods.",
                                    "melden_aan": "arbeidsinspectie"})
    task = chain.ready(case)["locatie_inspectie"]
    assert chain.holder(task) == ("arbeidsinspectie", "soest-arbeidsinspectie")
    chain.do(case, "locatie_inspectie", TERUG)
    assert list(chain.ready(case)) == ["terugkoppelen_melder"]


def test_a_larger_location_is_brought_to_riec_midden_nederland_by_the_af(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", {**LOCATIE, "slachtoffer_bekend": False})
    chain.do(case, "locatie_bespreken", {"schaal": "riec", "controle_nodig": False, "toelichting": "Keten."})
    task = chain.ready(case)["locatie_riec"]
    assert chain.holder(task) == ("af", "soest")
    assert "RIEC MN" in task.instructions and "niet opgenomen" not in task.instructions


def test_a_victim_in_soest_who_declines_help_goes_to_the_riec_via_the_ketenregisseur(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overleg_politie_zoco", OVERLEG)
    chain.do(case, "zorg_en_opvang", {**ZORG, "hulp_geweigerd": True, "zorgen_blijven": True})
    task = chain.ready(case)["riec_hulp_geweigerd"]
    assert chain.holder(task) == ("ketenregisseur", "soest-ketenregisseur"), "004 §2.3: 'middels de ketenregisseur'"


def test_a_dader_signal_goes_to_police_and_arbeidsinspectie(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", {**VERRIJKT, "soort_signaal": "dader"})
    assert set(chain.ready(case)) == {"dader_politie", "dader_inspectie"}


def test_an_mma_report_in_soest_is_anonymous_and_completes_without_melder_feedback(chain):
    case = chain.report("soest", bron_melding="anoniem_mma")
    chain.do(case, "verrijken", {**VERRIJKT, "slachtoffer_bekend": False})
    chain.do(case, "anoniem_consult", TERUG)
    assert chain.status(case) == "completed"


def test_a_minor_in_soest_reaches_the_jeugdteam(chain):
    case = chain.report("soest", minderjarig_volgens_melder="ja")
    chain.do(case, "verrijken", {**VERRIJKT, "minderjarig": True, "alleenstaand_minderjarig": False})
    task = chain.ready(case)["jeugdhulp_inzetten"]
    assert chain.holder(task) == ("jeugdhulp", "soest-jeugdteam")
    assert "overleg_politie_zoco" in chain.ready(case), "the youth partner comes beside the person route"
