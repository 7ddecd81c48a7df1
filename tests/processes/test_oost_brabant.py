"""Oost-Brabant (000): the AF calls AVIM first, then the zorgcoördinator; no meeting; care never waits on the police."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.support.chain import MELDER_BERICHT, TERUG, VERRIJKT, ZORG


def test_an_eersel_su_signal_gives_the_zorgcoordinator_a_task_while_the_polices_task_is_open(chain):
    case = chain.report("eersel")
    assert list(chain.ready(case)) == ["verrijken"]
    assert chain.holder(chain.ready(case)["verrijken"]) == ("af", "eersel")
    chain.do(case, "verrijken", VERRIJKT, hours=2)
    tasks = chain.ready(case)
    assert set(tasks) == {"overdracht_politie", "zorg_en_opvang"}, "000 orders the AF's calls, not the partners' work"
    assert chain.holder(tasks["overdracht_politie"]) == ("politie", "oost-brabant-avim")
    assert chain.holder(tasks["zorg_en_opvang"]) == ("zorgcoordinator", "oost-brabant-lumens")
    chain.do(case, "zorg_en_opvang", ZORG, hours=3)
    assert list(chain.ready(case)) == ["overdracht_politie"], "care finished while the police still work"
    chain.do(case, "overdracht_politie", TERUG, days=1)
    assert list(chain.ready(case)) == ["terugkoppelen_melder"]
    assert chain.do(case, "terugkoppelen_melder", MELDER_BERICHT) == "completed"


def test_the_af_reads_avim_oost_brabant_numbers_and_the_order_of_calls_in_the_instructions(chain):
    case = chain.report("eersel")
    verrijken = chain.ready(case)["verrijken"]
    assert "088-9630320 (ma t/m vr 08:00 uur – 16:30 uur)" in verrijken.instructions
    assert "0900-8844 (buiten kantooruren)" in verrijken.instructions
    assert "eerst de politie (AVIM) en daarna de zorgcoördinator" in verrijken.instructions
    assert "{{" not in verrijken.instructions and "[[" not in verrijken.instructions
    assert "112" not in verrijken.instructions


def test_an_au_signal_goes_to_the_inspectorate_and_the_zorgcoordinator_side_by_side(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", {**VERRIJKT, "vorm": "AU"})
    tasks = chain.ready(case)
    assert set(tasks) == {"overdracht_inspectie", "zorg_en_opvang"}
    assert chain.holder(tasks["overdracht_inspectie"]) == ("arbeidsinspectie", "oost-brabant-iszw")
    chain.do(case, "zorg_en_opvang", ZORG, hours=4)
    assert list(chain.ready(case)) == ["overdracht_inspectie"], "the melder hears back once both partners did"
    chain.do(case, "overdracht_inspectie", TERUG, days=1)
    assert list(chain.ready(case)) == ["terugkoppelen_melder"]


def test_helmond_and_oss_have_their_own_zorgcoordinator(chain):
    for gemeente, zoco in [("helmond", "oost-brabant-gemeente-helmond"), ("oss", "oost-brabant-mo-den-bosch")]:
        case = chain.report(gemeente)
        assert chain.holder(chain.ready(case)["verrijken"]) == ("af", gemeente)
        chain.do(case, "verrijken", VERRIJKT)
        assert chain.holder(chain.ready(case)["zorg_en_opvang"]) == ("zorgcoordinator", zoco)


def test_soest_only_rules_never_fire_in_oost_brabant(chain):
    """Dader, unknown victim and location routes are 004's; Oost-Brabant's profile does not turn them on."""
    dader = chain.report("eersel")
    chain.do(dader, "verrijken", {**VERRIJKT, "soort_signaal": "dader", "vorm": "AU"})
    assert set(chain.ready(dader)) == {"overdracht_inspectie", "zorg_en_opvang"}
    onbekend = chain.report("eersel")
    chain.do(onbekend, "verrijken", {**VERRIJKT, "slachtoffer_bekend": False})
    assert set(chain.ready(onbekend)) == {"overdracht_politie", "zorg_en_opvang"}
    locatie = chain.report("eersel")
    chain.do(locatie, "verrijken", {**VERRIJKT, "soort_signaal": "locatie"})
    assert set(chain.ready(locatie)) == {"overdracht_politie", "zorg_en_opvang"}
    chain.do(locatie, "overdracht_politie", TERUG)
    chain.do(locatie, "zorg_en_opvang", {**ZORG, "hulp_geweigerd": True, "zorgen_blijven": True})
    assert list(chain.ready(locatie)) == ["terugkoppelen_melder"], "no RIEC via the ketenregisseur outside Soest"


def test_a_vague_signal_of_unknown_form_still_goes_to_avim_and_is_not_left_lying(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", {**VERRIJKT, "vorm": "onbekend", "beoordeling": "vaag"})
    assert set(chain.ready(case)) == {"overdracht_politie", "zorg_en_opvang"}


def test_late_avim_feedback_reminds_the_af_after_the_regions_term_skipping_easter(chain, at):
    at.now = at.now.replace(year=2026, month=4, day=1, hour=8)  # Wednesday 1 April 2026, 10.00 uur
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    timer = next(t for t in chain.waiting_timers(case) if t.element_id == "overdracht_politie_te_laat")
    # Good Friday 3 April and Easter Monday 6 April are no working days: 2, 7, 8, 9, 10 April
    assert (timer.due_at.month, timer.due_at.day) == (4, 10)
    chain.do(case, "zorg_en_opvang", ZORG)
    assert chain.fire_timers(days=8) == 0
    assert list(chain.ready(case)) == ["overdracht_politie"]
    assert chain.fire_timers(days=1, minutes=1) == 1
    tasks = chain.ready(case)
    assert set(tasks) == {"overdracht_politie", "overdracht_politie_opvragen"}
    assert chain.holder(tasks["overdracht_politie_opvragen"]) == ("af", "eersel")
    assert "088-9630320" in tasks["overdracht_politie_opvragen"].instructions
    chain.do(case, "overdracht_politie_opvragen", {"contact_gehad": True, "contact_met": "politie",
                                                   "contact_via": "telefoon", "afspraak": "Onderzoek loopt.",
                                                   "strafrechtelijk_onderzoek": True})
    chain.do(case, "overdracht_politie", {**TERUG, "strafrechtelijk_onderzoek": True}, days=1)
    assert list(chain.ready(case)) == ["terugkoppelen_melder"]


def test_an_anonymous_mma_signal_never_asks_for_melder_feedback(chain):
    case = chain.report("eersel", bron_melding="anoniem_mma", anoniem=False)
    assert chain.start_data(case)["anoniem"] is True
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    assert chain.do(case, "zorg_en_opvang", ZORG) == "completed"


def test_an_acute_signal_reaches_avim_at_once_beside_the_af_and_without_its_own_number(chain):
    case = chain.report("eersel", acuut=True)
    tasks = chain.ready(case)
    assert set(tasks) == {"acuut_oppakken", "verrijken"}
    assert chain.holder(tasks["acuut_oppakken"]) == ("politie", "oost-brabant-avim")
    assert "0900-8844" not in tasks["acuut_oppakken"].instructions, "the police are not told their own number"
    chain.do(case, "acuut_oppakken", {"actie_ondernomen": "Ter plaatse geweest.", "slachtoffer_in_veiligheid": True},
             minutes=20)
    chain.do(case, "verrijken", VERRIJKT, hours=1)
    assert set(chain.ready(case)) == {"overdracht_politie", "zorg_en_opvang"}


def test_the_af_can_judge_a_signal_acute_during_enrichment(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", {**VERRIJKT, "acuut_na_verrijken": True})
    tasks = chain.ready(case)
    assert set(tasks) == {"later_acuut_oppakken", "overdracht_politie", "zorg_en_opvang"}
    assert chain.holder(tasks["later_acuut_oppakken"]) == ("politie", "oost-brabant-avim")


def test_riec_escalation_is_done_by_the_gemeente_while_care_goes_on(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", {**VERRIJKT, "ondermijning": True})
    assert set(chain.ready(case)) == {"overdracht_politie", "zorg_en_opvang", "ondermijning_beoordelen"}
    assert chain.holder(chain.ready(case)["ondermijning_beoordelen"]) == ("oov", "eersel")
    chain.do(case, "overdracht_politie", TERUG)
    chain.do(case, "ondermijning_beoordelen", {"georganiseerd": True, "toelichting": "Netwerk van panden."})
    chain.do(case, "casustafel", {"casustafel_besluit": "opschalen_riec", "toelichting": "Te groot."})
    tasks = chain.ready(case)
    assert set(tasks) == {"zorg_en_opvang", "opschalen_riec"}
    assert chain.holder(tasks["opschalen_riec"]) == ("af", "eersel"), "the gemeente escalates (001 Bijlage 2.3)"
    assert "Taskforce RIEC Brabant-Zeeland" in tasks["opschalen_riec"].instructions
    assert "AVO" not in tasks["opschalen_riec"].instructions
    chain.do(case, "opschalen_riec", {"afgestemd_met": ["af", "oov", "politie"], "datum_inbreng": "2026-03-05",
                                      "toelichting": "Ingebracht."})
    assert list(chain.ready(case)) == ["zorg_en_opvang"], "care was never held up by the escalation"


def test_no_organised_crime_ends_the_ondermijning_track_without_a_casustafel(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", {**VERRIJKT, "ondermijning": True})
    chain.do(case, "ondermijning_beoordelen", {"georganiseerd": False, "toelichting": "Eenmalig."})
    assert set(chain.ready(case)) == {"overdracht_politie", "zorg_en_opvang"}


def test_a_signal_from_an_ondermijning_case_enters_the_care_route_without_a_second_assessment(chain):
    case = chain.report("eersel", by=("oov", "eersel"), bron_melding="ondermijningszaak")
    chain.do(case, "verrijken", {**VERRIJKT, "ondermijning": True})
    assert set(chain.ready(case)) == {"overdracht_politie", "zorg_en_opvang"}


def test_a_minor_in_oost_brabant_follows_the_regular_route_as_the_profile_names_no_youth_partner(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", {**VERRIJKT, "minderjarig": True, "alleenstaand_minderjarig": False})
    assert set(chain.ready(case)) == {"overdracht_politie", "zorg_en_opvang"}
    gaps = chain.regions["oost-brabant"].gaps()
    assert "Regio Oost-Brabant: geen jeugdpartner voor minderjarige slachtoffers" in gaps


def test_completing_a_task_cannot_reroute_the_case_to_another_organisation(chain):
    case = chain.report("eersel")
    with pytest.raises(ValidationFailed) as refused:
        chain.do(case, "verrijken", {**VERRIJKT, "organisaties": {"politie": "fryslan-politie-tmm"}})
    assert refused.value.details == {"organisaties": "Dit veld mag u niet invullen."}
    assert list(chain.ready(case)) == ["verrijken"]


def test_every_step_has_a_term_and_a_hand_over_is_due_when_its_feedback_term_ends(chain):
    case = chain.report("eersel")
    assert chain.ready(case)["verrijken"].due_at is not None, "enrichment can hold up help too"
    chain.do(case, "verrijken", VERRIJKT)
    timer = next(t for t in chain.waiting_timers(case) if t.element_id == "overdracht_politie_te_laat")
    assert chain.ready(case)["overdracht_politie"].due_at == timer.due_at


def test_the_form_of_exploitation_is_indexed_on_the_case_once_the_af_records_it(chain):
    from engine.db import unit_of_work
    from engine.models import Case

    case = chain.report("eersel")
    chain.do(case, "verrijken", {**VERRIJKT, "vorm": "CU"})
    with unit_of_work(chain.factory) as session:
        assert session.get(Case, case).vorm == "CU"


def test_the_melder_feedback_is_due_after_the_agreed_term_so_the_af_is_reminded(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    chain.do(case, "zorg_en_opvang", ZORG)
    task = chain.ready(case)["terugkoppelen_melder"]
    assert task.due_at is not None and task.due_at > chain.at()
    assert chain.fire_timers(days=30) == 1
    assert list(chain.ready(case)) == ["terugkoppelen_melder"], "the term passing creates no extra work"
    assert chain.do(case, "terugkoppelen_melder", MELDER_BERICHT) == "completed"
