"""Fryslân (seed 001): AF -> ketenregisseur -> Drieluik every two weeks; four outcomes per signal."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.chain import TERUG, VERRIJKT, ZORG

AGENDA = {"persoonsgegevens_gedeeld": True}


def to_drieluik(chain, **verrijkt):
    case = chain.report("leeuwarden")
    chain.do(case, "verrijken", {**VERRIJKT, **verrijkt})
    assert chain.holder(chain.ready(case)["agenderen_drieluik"]) == ("ketenregisseur", "fryslan-ketenregisseur")
    chain.do(case, "agenderen_drieluik", AGENDA)
    return case


def test_an_au_signal_in_fryslan_goes_to_the_arbeidsinspectie_and_to_the_drieluik(chain):
    case = to_drieluik(chain, vorm="AU")
    tasks = chain.ready(case)
    assert set(tasks) == {"overdracht_inspectie", "zorg_en_opvang", "besluit_overleg"}
    assert chain.holder(tasks["overdracht_inspectie"]) == ("arbeidsinspectie", "fryslan-arbeidsinspectie")
    assert chain.holder(tasks["zorg_en_opvang"]) == ("zorgcoordinator", "fryslan-fier")
    assert chain.holder(tasks["besluit_overleg"]) == ("procesregisseur", "fryslan-zvhf")
    assert "Drieluik" in tasks["besluit_overleg"].instructions


def test_a_not_yet_concrete_signal_returns_on_three_successive_meetings_until_decided(chain):
    case = to_drieluik(chain)
    for meeting in range(3):
        chain.do(case, "besluit_overleg", {"besluit": "nog_niet_concreet", "toelichting": f"Ronde {meeting + 1}."},
                 days=14)
        assert "besluit_overleg" in chain.ready(case), f"back on the agenda after meeting {meeting + 1}"
    decisions = [e for e in chain.events(case)
                 if e.event_type == "task.completed" and e.payload["element_id"] == "besluit_overleg"]
    assert [e.payload["data"]["besluit"] for e in decisions] == ["nog_niet_concreet"] * 3
    chain.do(case, "besluit_overleg", {"besluit": "opplussen", "toelichting": "Redelijk vermoeden."}, days=14)
    assert "casus_starten" in chain.ready(case)


def test_opplussen_starts_a_casus_with_a_casusregisseur_and_plan(chain):
    case = to_drieluik(chain)
    chain.do(case, "besluit_overleg", {"besluit": "opplussen", "toelichting": "Redelijk vermoeden."})
    chain.do(case, "casus_starten", {"casusregisseur": "J. de Vries (ZVHF)", "stoppen_uitbuiting": "Opvang Fier.",
                                     "strafrechtelijk_spoor": True, "eerste_contact": "Hulpverlener met TMM."})
    chain.do(case, "overdracht_politie", TERUG)
    chain.do(case, "zorg_en_opvang", ZORG)
    assert chain.do(case, "terugkoppelen_melder", {"bericht_aan_melder": "Opgepakt."}) == "completed"


def test_geen_mensenhandel_needs_a_reason_and_then_closes_the_meeting_track(chain):
    case = to_drieluik(chain)
    with pytest.raises(ValidationFailed) as refused:
        chain.do(case, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "Besproken."})
    assert refused.value.details == {"reden_afsluiting": "Dit veld is verplicht."}
    assert "besluit_overleg" in chain.ready(case), "a refused decision changes nothing"
    chain.do(case, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "Besproken.",
                                       "reden_afsluiting": "Reguliere arbeidsrelatie."})
    assert set(chain.ready(case)) == {"overdracht_politie"}


def test_an_unwanted_situation_gets_advice_or_procesregie_from_the_zvh(chain):
    case = to_drieluik(chain)
    chain.do(case, "besluit_overleg", {"besluit": "onwenselijke_situatie", "toelichting": "Zorgelijk."})
    task = chain.ready(case)["advies_of_procesregie"]
    assert chain.holder(task) == ("procesregisseur", "fryslan-zvhf")


def test_an_acute_signal_goes_to_tmm_at_once_and_to_the_drieluik_afterwards(chain):
    case = chain.report("leeuwarden", acuut=True)
    tasks = chain.ready(case)
    assert set(tasks) == {"acuut_oppakken", "verrijken"}
    assert chain.holder(tasks["acuut_oppakken"]) == ("politie", "fryslan-politie-tmm")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "agenderen_drieluik", AGENDA)
    assert {"acuut_oppakken", "besluit_overleg", "overdracht_politie"} <= set(chain.ready(case))


def test_fryslan_escalation_goes_through_casustafel_to_the_riec(chain):
    case = to_drieluik(chain, ondermijning=True)
    chain.do(case, "ondermijning_beoordelen", {"georganiseerd": True, "toelichting": "Meerdere panden."})
    chain.do(case, "casustafel", {"casustafel_besluit": "opschalen_riec", "toelichting": "Te groot."})
    task = chain.ready(case)["opschalen_riec"]
    assert chain.holder(task) == ("ketenregisseur", "fryslan-ketenregisseur")
    assert {"besluit_overleg", "overdracht_politie"} <= set(chain.ready(case))
