"""Noord- en Midden-Limburg (003): hard signals to the partners at once, soft ones via the ZVH to the weekly
screeningsoverleg, which decides the route; Veilig Thuis classifies; step 8 feedback to the AF."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.support.chain import MELDER_BERICHT, TERUG, ZACHT, ZORG

AANMELDING = {"geregistreerd": True}
ROUTE = {"besluit": "route_bepaald", "toelichting": "Zorg en politie pakken op.", "zorg_inzetten": True,
         "politie_inzetten": True, "inspectie_inzetten": False, "jeugd_inzetten": False,
         "ondermijning_starten": False}
PARTNER_TASKS = {"overdracht_politie", "zorg_en_opvang", "overdracht_inspectie", "politie_na_screening",
                 "inspectie_na_screening", "jeugdhulp_inzetten"}


def to_screening(chain, gemeente="venlo", **verrijkt):
    case = chain.report(gemeente)
    chain.do(case, "verrijken", {**ZACHT, **verrijkt})
    tasks = chain.ready(case)
    assert set(tasks) == {"screening_voorbereiden", "classificatie_voorlopig"}
    assert chain.holder(tasks["screening_voorbereiden"]) == ("procesregisseur", "noord-en-midden-limburg-zvh")
    assert chain.holder(tasks["classificatie_voorlopig"]) == ("veilig_thuis", "noord-en-midden-limburg-veilig-thuis")
    chain.do(case, "classificatie_voorlopig", {"classificatie": "3"})
    chain.do(case, "screening_voorbereiden", AANMELDING)
    return case


def test_a_soft_venlo_signal_has_no_partner_task_before_the_screening_decides(chain):
    case = to_screening(chain)
    tasks = chain.ready(case)
    assert set(tasks) == {"besluit_overleg"}
    assert not PARTNER_TASKS & set(tasks)
    assert "screeningsoverleg" in tasks["besluit_overleg"].instructions
    chain.do(case, "besluit_overleg", ROUTE)
    tasks = chain.ready(case)
    assert {"zorg_en_opvang", "politie_na_screening", "terugkoppelen_af", "classificatie_definitief"} == set(tasks)
    assert chain.holder(tasks["politie_na_screening"]) == ("politie", "noord-en-midden-limburg-avim")
    assert chain.holder(tasks["terugkoppelen_af"]) == ("procesregisseur", "noord-en-midden-limburg-zvh")
    assert chain.holder(tasks["classificatie_definitief"]) == ("veilig_thuis", "noord-en-midden-limburg-veilig-thuis")


def test_step_8_feedback_to_the_af_comes_before_the_af_feeds_back_to_the_melder(chain):
    case = to_screening(chain)
    chain.do(case, "besluit_overleg", ROUTE)
    chain.do(case, "zorg_en_opvang", ZORG)
    chain.do(case, "politie_na_screening", TERUG)
    chain.do(case, "classificatie_definitief", {"classificatie": "3"})
    assert "terugkoppelen_melder" not in chain.ready(case)
    chain.do(case, "terugkoppelen_af", {"actie": "zorg ingezet", "terugkoppeling": "Zorg en politie pakken op."})
    assert list(chain.ready(case)) == ["terugkoppelen_melder"]
    assert chain.do(case, "terugkoppelen_melder", MELDER_BERICHT) == "completed"


def test_geen_mensenhandel_in_the_screening_leaves_no_partner_task_open(chain):
    case = to_screening(chain, gemeente="weert")
    chain.do(case, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "Classificatie 1."})
    assert set(chain.ready(case)) == {"terugkoppelen_af", "classificatie_definitief"}


def test_a_hard_signal_goes_to_the_partners_at_once_and_straight_to_the_screening(chain):
    case = chain.report("venlo")
    chain.do(case, "verrijken", {**ZACHT, "hard_signaal": True})
    tasks = chain.ready(case)
    assert {"overdracht_politie", "zorg_en_opvang", "besluit_overleg"} == set(tasks)
    assert "screening_voorbereiden" not in tasks, "the ZVH gets it at once, without its preparation step"
    chain.do(case, "besluit_overleg", {"besluit": "casus_opstarten", "toelichting": "Concreet.",
                                       "zorg_inzetten": True, "politie_inzetten": True, "inspectie_inzetten": False,
                                       "jeugd_inzetten": False, "ondermijning_starten": False})
    assert "politie_na_screening" not in chain.ready(case), "the partners were already at work"


def test_an_acute_melding_is_hard_in_limburg(chain):
    case = chain.report("venlo", acuut=True)
    assert set(chain.ready(case)) == {"acuut_oppakken", "verrijken"}
    chain.do(case, "verrijken", ZACHT)
    assert {"acuut_oppakken", "overdracht_politie", "zorg_en_opvang", "besluit_overleg"} == set(chain.ready(case))


def test_criminal_exploitation_is_routed_by_the_screening_with_the_om_and_can_start_ondermijning(chain):
    case = to_screening(chain, vorm="CU")
    task = chain.ready(case)["besluit_overleg"]
    assert "Openbaar Ministerie" in task.instructions
    chain.do(case, "besluit_overleg", {**ROUTE, "om_betrokken": True, "ondermijning_starten": True})
    tasks = chain.ready(case)
    assert "om_afstemmen" in tasks and not {"zorg_en_opvang", "politie_na_screening"} & set(tasks), \
        "003 §6.3: the route is agreed with the OM before partners act"
    chain.do(case, "om_afstemmen", {"afgestemd": True, "veilige_opvang": True, "afspraken": "OM stemt in."})
    tasks = chain.ready(case)
    assert {"zorg_en_opvang", "politie_na_screening", "ondermijning_beoordelen"} <= set(tasks)
    assert chain.holder(tasks["ondermijning_beoordelen"]) == ("oov", "venlo")


def test_an_unaccompanied_minor_in_limburg_goes_to_nidos_through_the_af(chain):
    case = to_screening(chain, minderjarig=True, alleenstaand_minderjarig=True)
    chain.do(case, "besluit_overleg", {**ROUTE, "jeugd_inzetten": True})
    tasks = chain.ready(case)
    assert "nidos_inschakelen" in tasks and chain.holder(tasks["nidos_inschakelen"]) == ("af", "venlo")
    assert "Nidos" in tasks["nidos_inschakelen"].instructions


def test_a_minor_in_limburg_reaches_the_youth_partner(chain):
    case = to_screening(chain, minderjarig=True, alleenstaand_minderjarig=False)
    chain.do(case, "besluit_overleg", {**ROUTE, "jeugd_inzetten": True})
    task = chain.ready(case)["jeugdhulp_inzetten"]
    assert chain.holder(task) == ("jeugdhulp", "noord-en-midden-limburg-jeugdhulp")


def test_mook_en_middelaar_is_served_by_moviera(chain):
    case = to_screening(chain, gemeente="mook-en-middelaar", vorm="AU")
    chain.do(case, "besluit_overleg", {**ROUTE, "inspectie_inzetten": True})
    assert chain.holder(chain.ready(case)["zorg_en_opvang"]) == ("zorgcoordinator", "noord-en-midden-limburg-moviera")


def test_fryslans_outcome_words_are_refused_in_limburg(chain):
    case = to_screening(chain, gemeente="weert")
    with pytest.raises(ValidationFailed) as refused:
        chain.do(case, "besluit_overleg", {"besluit": "opplussen", "toelichting": "Fries woord."})
    assert refused.value.details["besluit"].startswith("Kies een van de mogelijke waarden")


def test_a_classification_outside_the_four_levels_is_refused_in_dutch(chain):
    case = chain.report("weert")
    chain.do(case, "verrijken", ZACHT)
    with pytest.raises(ValidationFailed) as refused:
        chain.do(case, "classificatie_voorlopig", {"classificatie": "5"})
    assert refused.value.details["classificatie"].startswith("Kies een van de mogelijke waarden")
    assert "1 Geen mensenhandel" in refused.value.details["classificatie"]
