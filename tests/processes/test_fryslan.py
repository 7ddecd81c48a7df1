"""Fryslân (001): AF -> the receiving role the profile names -> Drieluik, which decides the route."""

from __future__ import annotations

import dataclasses

import pytest

from engine.accounts.roles import Role
from engine.errors import ValidationFailed
from tests.support.chain import MELDER_BERICHT, TERUG, VERRIJKT, ZORG
from tests.support.fryslan import (  # noqa: F401
    AGENDA,  # noqa: F401
    OPPLUSSEN,
    PLAN,
    to_drieluik,
)


def test_a_leeuwarden_signal_reaches_the_drieluik_through_the_receiving_role_of_the_profile_with_a_term_on_every_step(
        chain):
    assert chain.regions["fryslan"].ontvanger is Role.PROCESREGISSEUR, "001 §2.2: no ketenregisseur in Friesland"
    case = chain.report("leeuwarden")
    verrijken = chain.ready(case)["verrijken"]
    assert verrijken.due_at is not None
    chain.do(case, "verrijken", VERRIJKT)
    [ontvangen] = chain.ready(case).values()
    assert ontvangen.element_id == "agenderen_procesregisseur"
    assert chain.holder(ontvangen) == ("procesregisseur", "fryslan-zvhf")
    assert ontvangen.due_at is not None, "no step waits without a term"
    assert chain.fire_timers(days=5) == 1
    tasks = chain.ready(case)
    assert set(tasks) == {"agenderen_procesregisseur", "agenderen_procesregisseur_navragen"}
    assert chain.holder(tasks["agenderen_procesregisseur_navragen"]) == ("af", "leeuwarden")
    chain.do(case, "agenderen_procesregisseur", AGENDA)
    tasks = chain.ready(case)
    assert "besluit_overleg" in tasks and "Drieluik" in tasks["besluit_overleg"].instructions
    assert chain.holder(tasks["besluit_overleg"]) == ("procesregisseur", "fryslan-zvhf")


def test_once_the_region_appoints_a_ketenregisseur_new_signals_go_there(chain):
    fryslan = chain.regions["fryslan"]
    chain.regions["fryslan"] = dataclasses.replace(fryslan, ontvanger=Role.KETENREGISSEUR)
    try:
        case = chain.report("leeuwarden")
        chain.do(case, "verrijken", VERRIJKT)
        [ontvangen] = chain.ready(case).values()
        assert ontvangen.element_id == "agenderen_ketenregisseur"
        assert chain.holder(ontvangen) == ("ketenregisseur", "fryslan-ketenregisseur")
    finally:
        chain.regions["fryslan"] = fryslan


def test_no_partner_works_on_the_signal_before_the_drieluik_decides_and_geen_mensenhandel_leaves_none_open(chain):
    case = to_drieluik(chain, vorm="AU")
    assert set(chain.ready(case)) == {"besluit_overleg"}
    with pytest.raises(ValidationFailed) as refused:
        chain.do(case, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "Besproken."})
    assert refused.value.details == {"reden_afsluiting": "Dit veld is verplicht."}
    assert "besluit_overleg" in chain.ready(case), "a refused decision changes nothing"
    chain.do(case, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "Besproken.",
                                       "reden_afsluiting": "Reguliere arbeidsrelatie."})
    assert set(chain.ready(case)) == {"terugkoppelen_melder"}
    assert chain.do(case, "terugkoppelen_melder", MELDER_BERICHT) == "completed"


def test_opplussen_starts_a_casus_and_then_care_and_the_police_together(chain):
    case = to_drieluik(chain)
    chain.do(case, "besluit_overleg", OPPLUSSEN)
    assert set(chain.ready(case)) == {"casus_starten"}
    chain.do(case, "casus_starten", PLAN)
    tasks = chain.ready(case)
    assert set(tasks) == {"zorg_en_opvang", "politie_na_drieluik"}
    assert chain.holder(tasks["zorg_en_opvang"]) == ("zorgcoordinator", "fryslan-fier")
    assert chain.holder(tasks["politie_na_drieluik"]) == ("politie", "fryslan-politie-tmm")
    chain.do(case, "zorg_en_opvang", ZORG)
    chain.do(case, "politie_na_drieluik", TERUG)
    assert chain.do(case, "terugkoppelen_melder", MELDER_BERICHT) == "completed"


def test_a_not_yet_concrete_signal_returns_on_three_successive_meetings_until_decided(chain):
    case = to_drieluik(chain)
    for meeting in range(3):
        chain.do(case, "besluit_overleg", {"besluit": "nog_niet_concreet", "toelichting": f"Ronde {meeting + 1}."},
                 days=14)
        assert set(chain.ready(case)) == {"besluit_overleg"}, f"back on the agenda after meeting {meeting + 1}"
    decisions = [e for e in chain.events(case)
                 if e.event_type == "task.completed" and e.payload["element_id"] == "besluit_overleg"]
    assert [e.payload["data"]["besluit"] for e in decisions] == ["nog_niet_concreet"] * 3
    chain.do(case, "besluit_overleg", OPPLUSSEN, days=14)
    assert "casus_starten" in chain.ready(case)


def test_an_unwanted_situation_gets_advice_or_procesregie_from_the_zvh(chain):
    case = to_drieluik(chain)
    chain.do(case, "besluit_overleg", {"besluit": "onwenselijke_situatie", "toelichting": "Zorgelijk."})
    assert set(chain.ready(case)) == {"advies_of_procesregie"}
    assert chain.holder(chain.ready(case)["advies_of_procesregie"]) == ("procesregisseur", "fryslan-zvhf")


def test_an_acute_signal_goes_to_tmm_at_once_and_to_the_drieluik_afterwards(chain):
    case = chain.report("leeuwarden", acuut=True)
    tasks = chain.ready(case)
    assert set(tasks) == {"acuut_oppakken", "verrijken"}
    assert chain.holder(tasks["acuut_oppakken"]) == ("politie", "fryslan-politie-tmm")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "agenderen_procesregisseur", AGENDA)
    assert set(chain.ready(case)) == {"acuut_oppakken", "besluit_overleg"}


def test_a_minor_reaches_the_youth_partner_once_the_drieluik_pluses_the_signal(chain):
    case = to_drieluik(chain, minderjarig=True, alleenstaand_minderjarig=True)
    chain.do(case, "besluit_overleg", OPPLUSSEN)
    chain.do(case, "casus_starten", PLAN)
    tasks = chain.ready(case)
    assert set(tasks) == {"zorg_en_opvang", "politie_na_drieluik", "jeugdhulp_inzetten"}
    assert chain.holder(tasks["jeugdhulp_inzetten"]) == ("jeugdhulp", "fryslan-jeugdhulp")
    assert "nidos_inschakelen" not in tasks, "001 names no Nidos route; that rule is Limburg's"


def test_riec_escalation_by_the_gemeente_runs_beside_the_drieluik(chain):
    case = to_drieluik(chain, ondermijning=True)
    chain.do(case, "ondermijning_beoordelen", {"georganiseerd": True, "toelichting": "Meerdere panden."})
    assert "interne casustafel ondermijning" in chain.ready(case)["casustafel"].instructions
    chain.do(case, "casustafel", {"casustafel_besluit": "opschalen_riec", "toelichting": "Te groot."})
    task = chain.ready(case)["opschalen_riec"]
    assert chain.holder(task) == ("af", "leeuwarden")
    assert "besluit_overleg" in chain.ready(case)


def test_a_drieluik_decision_can_start_the_ondermijning_track_beside_care(chain):
    case = to_drieluik(chain)
    chain.do(case, "besluit_overleg", {**OPPLUSSEN, "ondermijning_starten": True})
    chain.do(case, "casus_starten", PLAN)
    tasks = chain.ready(case)
    assert {"zorg_en_opvang", "politie_na_drieluik", "ondermijning_beoordelen"} == set(tasks)
    assert chain.holder(tasks["ondermijning_beoordelen"]) == ("oov", "leeuwarden")
