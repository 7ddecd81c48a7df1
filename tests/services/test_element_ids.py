"""Readable element ids: valid, unique, proposed from the name, and never renamed under running cases."""

from __future__ import annotations

from engine.db import unit_of_work
from engine.modelling import drafts
from engine.modelling.element_ids import MAX_LENGTH, RUNTIME_IDS, id_problem, ids_in_use, propose, renamed_in_use
from engine.models import ModelDraft
from tests.support.base import START
from tests.support.chain import FORMS
from tests.support.modelling import LIMIT, model

TAKEN = ["s", "taak", "e"]


def test_a_readable_unique_ncname_is_accepted():
    assert id_problem("signaal_verrijken", current="Activity_1co9rst", taken=TAKEN, in_use={}) is None
    assert id_problem("stap-2.b", current="x", taken=TAKEN, in_use={}) is None
    assert id_problem("taak", current="taak", taken=TAKEN, in_use={"taak": 3}) is None  # unchanged


def test_ids_that_are_not_xml_safe_are_refused_in_dutch():
    for bad in ("signaal verrijken", "2e_stap", "-stap", "café", "a<b", "a:b", "x" * (MAX_LENGTH + 1), ""):
        problem = id_problem(bad, current="Activity_1", taken=TAKEN, in_use={})
        assert problem is not None, bad
    assert "begint met een letter" in (id_problem("2e_stap", current="a", taken=[], in_use={}) or "")
    assert id_problem("", current="a", taken=[], in_use={}) == "Geef een id."


def test_an_id_that_exists_is_refused():
    assert id_problem("taak", current="Activity_1", taken=TAKEN, in_use={}) == "Het id 'taak' bestaat al in dit model."


def test_an_id_running_cases_stand_on_is_not_renamed():
    problem = id_problem("nieuwe_taak", current="taak", taken=TAKEN, in_use={"taak": 2})
    assert problem is not None and problem.startswith("2 lopende zaken staan nu op 'taak'")
    assert id_problem("nieuwe_taak", current="s", taken=TAKEN, in_use={"taak": 2}) is None


def test_an_id_is_proposed_from_the_name():
    assert propose("Signaal verrijken", []) == "signaal_verrijken"
    assert propose("Één café?", []) == "een_cafe"
    assert propose("3 dagen wachten", []) == "stap_3_dagen_wachten"
    assert propose("Signaal verrijken", ["signaal_verrijken", "signaal_verrijken_2"]) == "signaal_verrijken_3"
    assert propose("!!!", []) == "element"
    long = propose("Een hele lange naam voor een taak die niemand zo zou typen", [])
    assert len(long) <= 40 and id_problem(long, current="a", taken=[], in_use={}) is None


def test_a_rename_under_running_cases_is_a_problem_and_a_deletion_is_not():
    old = model()
    renamed = old.replace(b'"taak"', b'"signaal_verrijken"').replace(b">taak<", b">signaal_verrijken<")
    [problem] = renamed_in_use(old, renamed, {"taak": 2}, filename="klein.bpmn", max_bytes=LIMIT)
    assert problem.element_id == "signaal_verrijken"
    assert "2 lopende zaken staan nu op 'taak'" in problem.message
    assert renamed_in_use(old, renamed, {}, filename="klein.bpmn", max_bytes=LIMIT) == []
    other_name = renamed.replace(b'name="Signaal verrijken"', b'name="Iets anders"')
    assert renamed_in_use(old, other_name, {"taak": 2}, filename="klein.bpmn", max_bytes=LIMIT) == []


def test_the_check_of_a_draft_refuses_renaming_where_a_case_stands(chain):
    case = chain.report("leeuwarden")
    [standing] = chain.ready(case)
    timers = {t.element_id: 1 for t in chain.waiting_timers(case)}
    assert timers  # the task's deadline waits too; renaming its boundary event is refused alike
    regisseur = chain.person("procesregisseur", "leeuwarden")
    with unit_of_work(chain.factory) as session:
        assert ids_in_use(session, "signaal_fryslan") == {standing: 1, **timers}
        draft = drafts.open_version(session, actor=regisseur, now=START, process_id="signaal_fryslan", version=1,
                                    max_bytes=LIMIT)
        content = draft.content.replace(f'"{standing}"'.encode(), b'"hernoemd_id"').replace(
            f">{standing}<".encode(), b">hernoemd_id<")
        drafts.save(session, actor=regisseur, now=START, draft_id=draft.id, content=content,
                    revision=draft.revision, max_bytes=LIMIT)
        draft_id = draft.id
    with unit_of_work(chain.factory) as session:
        check = drafts.validate(session, actor=regisseur, now=START, draft_id=draft_id, forms=FORMS,
                                max_bytes=LIMIT)
        row = session.get(ModelDraft, draft_id)
        assert row is not None and drafts.ids_in_use(session, row) == {standing: 1, **timers}
    renames = [p for p in check.problems if "heeft een nieuw id (hernoemd_id)" in p["message"]]
    assert len(renames) == 1 and renames[0]["element_id"] == "hernoemd_id", check.problems



def test_ids_the_runtime_looks_up_itself_keep_their_id():
    from engine.meetings.meetings import DECISION_TASK, ENRICHMENT_TASK

    assert set(RUNTIME_IDS) == {DECISION_TASK, ENRICHMENT_TASK}
    problem = id_problem("ander_id", current="besluit_overleg", taken=[], in_use={})
    assert problem is not None and "dit id blijft zo" in problem
    old = model().replace(b'"taak"', b'"verrijken"').replace(b">taak<", b">verrijken<")
    renamed = model().replace(b'"taak"', b'"signaal_verrijken"').replace(b">taak<", b">signaal_verrijken<")
    [problem_row] = renamed_in_use(old, renamed, {}, filename="klein.bpmn", max_bytes=LIMIT)
    assert "Signaalroute zoekt 'verrijken' zelf op" in problem_row.message
