"""What each person on a case reads of it : the need-to-know table and its labels."""

from __future__ import annotations

import pytest

from engine.accounts.roles import Role
from engine.cases import case_context
from engine.cases.case_context import NEED_TO_KNOW, Section, fields_of, read_case, section_of
from engine.db import unit_of_work
from engine.errors import NotFound
from tests.support.chain import FORMS, MELDER_BERICHT, TERUG, VERRIJKT, ZORG

MELDING_TEXT = "Drie jonge vrouwen op één adres, 's nachts veel bezoek."


def _read(chain, case: int, role: str, organisation: str) -> case_context.CaseContext:
    with unit_of_work(chain.factory) as session:
        return read_case(session, actor=chain.person(role, organisation), instance_id=case, forms=FORMS)


def _all_values(context: case_context.CaseContext) -> str:
    steps = [*([context.melding] if context.melding else []), *context.steps]
    return " | ".join(f"{f.label}: {f.value}" for s in steps for f in s.fields)


# --- the table itself ----------------------------------------------------------------------------

def test_only_the_af_and_the_auditor_may_reach_the_melder():
    assert {role for role, sections in NEED_TO_KNOW.items() if Section.MELDER in sections} == {Role.AF, Role.AUDITOR}


def test_every_partner_reads_the_melding_and_the_enrichment_but_only_its_own_feedback():
    partners = {Role.POLITIE: Section.WERK_POLITIE, Role.ZORGCOORDINATOR: Section.WERK_ZORGCOORDINATOR,
                Role.ARBEIDSINSPECTIE: Section.WERK_ARBEIDSINSPECTIE}
    for role, own in partners.items():
        assert NEED_TO_KNOW[role] == {Section.MELDING, Section.VERRIJKING, own}, role


def test_the_melder_reads_their_report_and_the_feedback_for_them_nothing_else():
    assert NEED_TO_KNOW[Role.MELDER] == {Section.MELDING, Section.TERUGKOPPELING_MELDER}


def test_the_beheerder_reads_no_case_content_and_every_role_is_in_the_table():
    assert NEED_TO_KNOW[Role.BEHEERDER] == frozenset()
    assert set(NEED_TO_KNOW) == set(Role)


def test_a_step_is_placed_by_its_form_first_then_by_the_role_that_did_it():
    assert section_of("af", "signaal-verrijken.json") is Section.VERRIJKING
    assert section_of("af", "terugkoppeling-melder.json") is Section.TERUGKOPPELING_MELDER
    assert section_of("politie", "overdracht-terugkoppeling.json") is Section.WERK_POLITIE
    assert section_of("zorgcoordinator", "zorg-terugkoppeling.json") is Section.WERK_ZORGCOORDINATOR
    assert section_of("af", "terugkoppeling-opvragen.json") is Section.WERK_AF
    assert section_of("onbekende-rol", None) is Section.WERK_AF, "unknown: AF and auditor only"


# --- labels --------------------------------------------------------------------------------------

def test_values_read_with_the_forms_titles_option_labels_ja_nee_and_dutch_dates():
    schema = {"properties": {
        "vorm": {"title": "Vorm van uitbuiting", "oneOf": [{"const": "SU", "title": "Seksuele uitbuiting"}]},
        "acuut": {"title": "Acuut?", "type": "boolean"},
        "op": {"title": "Datum van contact", "type": "string", "format": "date"},
        "leeg": {"title": "Leeg", "type": "string"},
        "zonder_titel": {"type": "string"},
        "rijen": {"title": "Personen", "type": "array", "items": {"type": "object", "properties": {
            "naam": {"title": "Naam", "type": "string"}}}},
    }}
    shown = fields_of(schema, {"vorm": "SU", "acuut": False, "op": "2026-03-02", "leeg": "", "zonder_titel": "x",
                               "rijen": [{"naam": "A."}], "regio": {"slug": "oost-brabant"}})
    assert [(f.label, f.value) for f in shown[:3]] == [
        ("Vorm van uitbuiting", "Seksuele uitbuiting"), ("Acuut?", "nee"), ("Datum van contact", "2 maart 2026")]
    assert [f.label for f in shown] == ["Vorm van uitbuiting", "Acuut?", "Datum van contact", "Personen"]
    assert shown[3].children[0].children[0].value == "A."


# --- a case through Oost-Brabant -----------------------------------------------------------------

@pytest.fixture
def case(chain):
    number = chain.report("eersel", locatie="Dorpsstraat 1, Eersel", betrokkenen="Drie vrouwen, rond de twintig")
    chain.do(number, "verrijken", {**VERRIJKT, "adresgegevens": "Dorpsstraat 1, 5521 AA Eersel"}, hours=2)
    return number


def test_the_police_reads_what_was_seen_who_where_and_the_af_enrichment_but_not_the_melder(chain, case):
    context = _read(chain, case, "politie", "oost-brabant-avim")
    assert context.reference.startswith("SR-2026-")
    assert context.melding is not None
    assert context.melding.value("omschrijving") == MELDING_TEXT
    assert context.melding.value("locatie") == "Dorpsstraat 1, Eersel"
    assert context.melding.value("acuut") == "nee"
    assert context.melding.value("bron_melding") == "Een collega van de gemeente"
    assert context.melder is None, "the police may not reach the melder"
    [verrijking] = [s for s in context.steps if s.section == case_context.Section.VERRIJKING]
    assert verrijking.section is Section.VERRIJKING
    assert verrijking.value("vorm") == "Seksuele uitbuiting (SU)"
    assert verrijking.value("adresgegevens") == "Dorpsstraat 1, 5521 AA Eersel"
    assert verrijking.done_by.startswith("Aandachtsfunctionaris, Gemeente Eersel")
    assert "regio" not in {f.key for f in context.melding.fields}, "system keys are never shown"
    # The police's and the zorgcoördinator's tasks are open side by side (care never waits on the police).
    assert len(context.open_tasks) == 2
    [open_task] = [t for t in context.open_tasks if t.may_open]
    assert open_task.organisation and "oost-brabant" not in open_task.organisation


def test_the_af_reads_the_melder_contact_and_every_partners_feedback(chain, case):
    chain.do(case, "overdracht_politie", TERUG, hours=3)
    chain.do(case, "zorg_en_opvang", ZORG, days=1)
    context = _read(chain, case, "af", "eersel")
    assert context.melder is not None and not context.melder.anonymous
    assert context.melder.name and context.melder.organisation == "Gemeente Eersel"
    sections = [s.section for s in context.steps]
    assert sections == [Section.VERRIJKING, Section.WERK_POLITIE, Section.WERK_ZORGCOORDINATOR]
    assert "Terugkoppeling aan de AF: Verhoor gepland." in _all_values(context)
    assert "Weigert het slachtoffer hulp?: nee" in _all_values(context)
    assert [t.name for t in context.open_tasks] == ["Terugkoppelen aan de melder"]


def test_the_zorgcoordinator_does_not_read_the_polices_feedback(chain, case):
    chain.do(case, "overdracht_politie", TERUG, hours=3)
    context = _read(chain, case, "zorgcoordinator", "oost-brabant-lumens")
    assert [s.section for s in context.steps] == [Section.VERRIJKING]
    assert context.hidden_steps == 1
    assert "Verhoor gepland." not in _all_values(context)
    assert context.melder is None


def test_an_anonymous_melder_is_not_reachable_even_for_the_af(chain):
    number = chain.report("eersel", anoniem=True)
    context = _read(chain, number, "af", "eersel")
    assert context.melder is not None and context.melder.anonymous and not context.melder.name


def test_someone_outside_the_case_reads_nothing(chain, case):
    with pytest.raises(NotFound):
        _read(chain, case, "politie", "fryslan-politie-tmm")
    with pytest.raises(NotFound):
        _read(chain, case, "beheerder", "landelijk")


def test_the_melder_feedback_step_is_read_by_the_af_and_not_by_the_police(chain, case):
    chain.do(case, "overdracht_politie", TERUG, hours=3)
    chain.do(case, "zorg_en_opvang", ZORG, days=1)
    chain.do(case, "terugkoppelen_melder", MELDER_BERICHT)
    assert Section.TERUGKOPPELING_MELDER in [s.section for s in _read(chain, case, "af", "eersel").steps]
    police = _read(chain, case, "politie", "oost-brabant-avim")
    assert [s.section for s in police.steps] == [Section.VERRIJKING, Section.WERK_POLITIE]


def test_the_progress_marks_the_open_step_inside_called_processes_and_the_calls_leading_there(chain, case):
    from engine.cases import case_progress

    chain.do(case, "overdracht_politie", TERUG, hours=3)
    with unit_of_work(chain.factory) as session:
        found = case_progress.progress(session, actor=chain.person("af", "eersel"), instance_id=case)
    assert found.path_known
    assert "zorg_regelen:zorg_en_opvang" in found.active
    assert {"signaal_oost_brabant:overdracht", "overdracht_partners:zorg_bij_politie"} <= set(found.active)
    assert found.visited["signaal_oost_brabant:verrijken"] == 1
    assert found.visited["overdracht_partners:overdracht_politie"] == 1
    assert list(found.processes)[0] == "signaal_oost_brabant"
    assert found.processes["zorg_regelen"] == "Zorg regelen voor het slachtoffer"
    with unit_of_work(chain.factory) as session, pytest.raises(NotFound):
        case_progress.progress(session, actor=chain.person("politie", "fryslan-politie-tmm"), instance_id=case)
