"""The AF's chase for feedback is withdrawn once the partner answers (issue 14, item 10).

000 Bijlage 3 stap 5: when the police start a criminal investigation, feedback may legitimately stay
away, so the AF must not be left chasing it; a chase still open when normal feedback arrives is
pointless too. Each partner task with a chase runs in an embedded sub-process whose terminate end
events withdraw the open chase in the same step as the partner's completion.
"""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from engine.audit import replay_trace
from engine.audit.events import EventType
from engine.cases import timeline, worklist
from engine.db import unit_of_work
from engine.modelling import deployments, migration, specs
from engine.models import Case, HumanTask, TaskState
from engine.workflow.bundle import SourceFile
from tests.support.chain import FORMS, ROOT, SYSTEM, TERUG, VERRIJKT, ZACHT, ZORG
from tests.support.fryslan import OPPLUSSEN, PLAN, to_drieluik

ONDERZOEK = {**TERUG, "strafrechtelijk_onderzoek": True}
GEWOON = {"actie": "zorg ingezet", "terugkoppeling": "Slachtoffer is in beeld, zorg loopt."}
ROUTE = {"besluit": "route_bepaald", "toelichting": "Zorg, politie en inspectie pakken op.", "zorg_inzetten": True,
         "politie_inzetten": True, "inspectie_inzetten": True, "jeugd_inzetten": False,
         "ondermijning_starten": False}


def rows(chain, case, element_id):
    """Every task row of this element, whatever its state: a chase that never appeared has none."""
    with unit_of_work(chain.factory) as session:
        return list(session.scalars(select(HumanTask).where(HumanTask.instance_id == case,
                                                            HumanTask.element_id == element_id)))


def werkbak(chain, role, organisation):
    """The element ids in the werkbak of this person's team, as it opens (open tasks only)."""
    actor = chain.person(role, organisation)
    with unit_of_work(chain.factory) as session:
        found = worklist.search(session, actor=actor, now=chain.at(), query=worklist.query_from_params({"tab": "team"}))
        return [item.task.element_id for item in found.items]


def history(chain, case, gemeente):
    """The case page's history as the AF of the gemeente reads it."""
    with unit_of_work(chain.factory) as session:
        return [entry.what for entry in timeline.timeline(session, actor=chain.person("af", gemeente),
                                                          now=chain.at(), instance_id=case)]


def eersel_chase(chain):
    """An Eersel SU signal whose police feedback is overdue: the AF has the chase open."""
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    assert chain.fire_timers(days=10) >= 1
    assert {"overdracht_politie", "overdracht_politie_opvragen"} <= set(chain.ready(case))
    return case


def test_a_reported_investigation_withdraws_the_afs_open_chase_and_the_history_says_why(chain):
    case = eersel_chase(chain)
    chase = chain.ready(case)["overdracht_politie_opvragen"]
    assert "overdracht_politie_opvragen" in werkbak(chain, "af", "eersel")
    chain.do(case, "overdracht_politie", ONDERZOEK, hours=1)
    assert "overdracht_politie_opvragen" not in chain.ready(case)
    assert "overdracht_politie_opvragen" not in werkbak(chain, "af", "eersel")
    [row] = rows(chain, case, "overdracht_politie_opvragen")
    assert row.state == TaskState.CANCELLED and row.completed_by_id is None
    events = chain.events(case)
    completed = next(e for e in events if e.event_type == EventType.TASK_COMPLETED
                     and e.payload["element_id"] == "overdracht_politie")
    withdrawn = next(e for e in events if e.event_type == EventType.TASK_WITHDRAWN)
    assert withdrawn.seq == completed.seq + 1 and withdrawn.occurred_at == completed.occurred_at == row.completed_at
    assert withdrawn.task_id == chase.id and withdrawn.actor_id is None
    assert withdrawn.payload["reason_element"] == "overdracht_politie_onderzoek_gemeld"
    assert "vervalt deze taak vanzelf" in chase.instructions, "the AF is told beforehand"
    said = history(chain, case, "eersel")
    assert ("‘Terugkoppeling opvragen bij de politie’ is vervallen na ‘Signaal overnemen (politie)’: "
            "partner meldt een strafrechtelijk onderzoek") in said


def test_normal_feedback_withdraws_the_chase_with_its_own_reason_also_for_care(chain):
    case = eersel_chase(chain)
    assert "zorg_en_opvang_opvragen" in chain.ready(case), "care was late too"
    chain.do(case, "overdracht_politie", {**TERUG, "strafrechtelijk_onderzoek": False})
    chain.do(case, "zorg_en_opvang", ZORG)
    assert set(chain.ready(case)) == {"terugkoppelen_melder"}, "no chase left for feedback that is in"
    said = history(chain, case, "eersel")
    assert ("‘Terugkoppeling opvragen bij de politie’ is vervallen na ‘Signaal overnemen (politie)’: "
            "terugkoppeling van de partner ontvangen") in said
    assert any(line.startswith("‘Terugkoppeling opvragen bij de zorgcoördinator’ is vervallen")
               for line in said), said


def test_a_chase_the_af_already_finished_stays_finished(chain):
    case = eersel_chase(chain)
    chain.do(case, "overdracht_politie_opvragen", {"contact_gehad": True, "contact_met": "politie",
                                                   "afspraak": "Volgt deze week."})
    chain.do(case, "overdracht_politie", TERUG)
    [row] = rows(chain, case, "overdracht_politie_opvragen")
    assert row.state == TaskState.COMPLETED
    assert not [e for e in chain.events(case) if e.event_type == EventType.TASK_WITHDRAWN
                and e.payload["element_id"] == "overdracht_politie_opvragen"]


def test_an_investigation_reported_before_the_term_means_no_chase_ever_appears(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", ONDERZOEK, days=1)
    assert not [t for t in chain.waiting_timers(case) if t.element_id == "overdracht_politie_te_laat"]
    chain.fire_timers(days=30)
    assert rows(chain, case, "overdracht_politie_opvragen") == []
    assert "overdracht_politie_opvragen" not in werkbak(chain, "af", "eersel")


def test_the_chase_is_withdrawn_after_a_restart_between_its_creation_and_the_partners_answer(chain):
    case = eersel_chase(chain)
    specs.forget_all()  # a freshly started worker: specs parsed anew, the case loaded from its stored state
    chain.do(case, "overdracht_politie", ONDERZOEK)
    assert "overdracht_politie_opvragen" not in chain.ready(case)
    [row] = rows(chain, case, "overdracht_politie_opvragen")
    assert row.state == TaskState.CANCELLED


def test_limburg_a_police_investigation_withdraws_only_the_police_chase(chain):
    case = chain.report("venlo")
    chain.do(case, "verrijken", {**ZACHT, "hard_signaal": False})
    chain.do(case, "classificatie_voorlopig", {"classificatie": "3"})
    chain.do(case, "screening_voorbereiden", {"geregistreerd": True})
    chain.do(case, "besluit_overleg", ROUTE)
    chain.fire_timers(days=10)
    assert {"politie_na_screening_opvragen", "inspectie_na_screening_opvragen"} <= set(chain.ready(case))
    chain.do(case, "politie_na_screening", ONDERZOEK)
    tasks = chain.ready(case)
    assert "politie_na_screening_opvragen" not in tasks
    assert "inspectie_na_screening_opvragen" in tasks, "the inspectorate has not answered yet"
    assert chain.holder(tasks["inspectie_na_screening_opvragen"]) == ("af", "venlo")
    said = history(chain, case, "venlo")
    assert any("‘Terugkoppeling opvragen bij de politie’ is vervallen" in line
               and "strafrechtelijk onderzoek" in line for line in said), said
    chain.do(case, "inspectie_na_screening", GEWOON)
    assert "inspectie_na_screening_opvragen" not in chain.ready(case)
    [row] = rows(chain, case, "inspectie_na_screening_opvragen")
    assert row.state == TaskState.CANCELLED


def test_soest_a_police_investigation_after_the_overleg_withdraws_the_chase(chain):
    case = chain.report("soest")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overleg_politie_zoco", {"datum_overleg": "2026-03-03", "afspraken": "Politie start onderzoek.",
                                            "hulp_nodig": True, "politie_onderzoek": True})
    chain.fire_timers(days=10)
    assert "politie_na_overleg_opvragen" in chain.ready(case)
    chain.do(case, "politie_na_overleg", ONDERZOEK)
    assert "politie_na_overleg_opvragen" not in chain.ready(case)
    assert any("partner meldt een strafrechtelijk onderzoek" in line for line in history(chain, case, "soest"))


# gedeeld_overdracht.bpmn as it was before the withdrawal (chase after the partner task, no sub-process)
OLD_OVERDRACHT = ROOT / "tests" / "fixtures" / "models" / "gedeeld_overdracht_zonder_intrekken.bpmn"


def deploy(chain, *files: tuple[str, bytes]) -> None:
    with unit_of_work(chain.factory) as session:
        deployments.deploy(session, actor=SYSTEM, now=chain.at(), comment="versie", forms=FORMS,
                           files=[SourceFile(name, content) for name, content in files])


def version_of(chain, case):
    with unit_of_work(chain.factory) as session:
        row = session.get(Case, case)
        assert row is not None
        return row.definition.version


def test_a_case_on_the_version_before_keeps_its_chase_and_runs_on(chain):
    """Deploying the withdrawal makes a new version; a running case stays on its own and does not break."""
    region_model = ("signaal_oost_brabant.bpmn", (ROOT / "processes" / "signaal_oost_brabant.bpmn").read_bytes())
    deploy(chain, region_model, ("gedeeld_overdracht.bpmn", OLD_OVERDRACHT.read_bytes()))
    old = eersel_chase(chain)
    early = chain.report("eersel")  # still with the AF: no partner task yet
    current = (ROOT / "processes" / "gedeeld_overdracht.bpmn").read_bytes()
    deploy(chain, region_model, ("gedeeld_overdracht.bpmn", current))
    new = eersel_chase(chain)
    assert version_of(chain, new) == version_of(chain, old) + 1
    regisseur = chain.person("beheerder", "landelijk")
    with unit_of_work(chain.factory) as session:
        plan = migration.plan(session, actor=regisseur, now=chain.at(), process_id="signaal_oost_brabant",
                              to_version=version_of(chain, new))
    cases = {c.instance_id: c for c in plan.cases}
    assert not cases[old].eligible, "a case waiting on the partner stays on its version, with the reason"
    assert any("Signaal overnemen (politie)" in reason for reason in cases[old].reasons)
    assert cases[early].eligible
    with unit_of_work(chain.factory) as session:
        migration.migrate(session, actor=regisseur, now=chain.at(), instance_id=early,
                          to_version=version_of(chain, new))
    chain.do(early, "verrijken", VERRIJKT)
    chain.fire_timers(days=10)
    chain.do(early, "overdracht_politie", ONDERZOEK)
    assert "overdracht_politie_opvragen" not in chain.ready(early), "a case moved before the handover withdraws"
    chain.do(old, "overdracht_politie", ONDERZOEK)
    chain.do(new, "overdracht_politie", ONDERZOEK)
    assert "overdracht_politie_opvragen" in chain.ready(old), "the old version never withdrew the chase"
    assert "overdracht_politie_opvragen" not in chain.ready(new)
    chain.do(old, "overdracht_politie_opvragen", {"contact_gehad": True, "contact_met": "politie",
                                                  "afspraak": "Onderzoek loopt.", "strafrechtelijk_onderzoek": True})
    chain.do(old, "zorg_en_opvang", ZORG)
    chain.do(new, "zorg_en_opvang", ZORG)
    assert set(chain.ready(old)) == set(chain.ready(new)) == {"terugkoppelen_melder"}


def test_the_auditors_replay_finds_the_withdrawal_by_re_execution_and_says_why(chain):
    case = eersel_chase(chain)
    chain.do(case, "overdracht_politie", ONDERZOEK)
    with unit_of_work(chain.factory) as session:
        steps = replay_trace.trace(session, actor=SYSTEM, now=chain.at(), instance_id=case).steps
    assert steps[-1].element_id == "overdracht_politie"
    assert steps[-1].withdrawn == ["‘Terugkoppeling opvragen bij de politie’ vervalt: "
                                   "partner meldt een strafrechtelijk onderzoek"]
    assert not [s for s in steps[:-1] if s.withdrawn]


def test_fryslan_the_tmm_chase_after_the_drieluik_is_withdrawn_by_a_reported_investigation(chain):
    case = to_drieluik(chain)
    chain.do(case, "besluit_overleg", OPPLUSSEN)
    chain.do(case, "casus_starten", PLAN)
    chain.fire_timers(days=10)
    assert "politie_na_drieluik_opvragen" in chain.ready(case)
    chain.do(case, "politie_na_drieluik", ONDERZOEK)
    assert "politie_na_drieluik_opvragen" not in chain.ready(case)
    assert any("partner meldt een strafrechtelijk onderzoek" in line for line in history(chain, case, "leeuwarden"))


def test_soest_the_youth_partners_feedback_withdraws_the_chase(chain):
    case = chain.report("soest", minderjarig_volgens_melder="ja")
    chain.do(case, "verrijken", {**VERRIJKT, "minderjarig": True, "alleenstaand_minderjarig": False})
    chain.fire_timers(days=10)
    assert "jeugdhulp_inzetten_opvragen" in chain.ready(case)
    chain.do(case, "jeugdhulp_inzetten", GEWOON)
    assert "jeugdhulp_inzetten_opvragen" not in chain.ready(case)
    assert any("terugkoppeling van de partner ontvangen" in line for line in history(chain, case, "soest"))


BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@pytest.mark.parametrize("path", sorted((ROOT / "processes").glob("*.bpmn")), ids=lambda p: p.name)
def test_every_chase_in_every_model_sits_with_its_partner_task_in_a_sub_process_that_a_terminate_ends(path):
    """Whatever model gets a chase next: the partner's answer must be able to withdraw it."""
    root = etree.fromstring(path.read_bytes())
    targets = {f.get("sourceRef"): f.get("targetRef") for f in root.iter(f"{BPMN}sequenceFlow")}
    for boundary in root.iter(f"{BPMN}boundaryEvent"):
        chase = targets.get(boundary.get("id"), "")
        if not chase.endswith("_opvragen"):
            continue
        scope = boundary.getparent()
        assert etree.QName(scope).localname == "subProcess", f"{chase} is not inside a sub-process"
        assert scope.find(f"{BPMN}userTask[@id='{chase}']") is not None
        assert scope.find(f"{BPMN}userTask[@id='{boundary.get('attachedToRef')}']") is not None
        ends = [e for e in scope.findall(f"{BPMN}endEvent") if e.find(f"{BPMN}terminateEventDefinition") is not None]
        assert ends and all(e.get("name") for e in ends), f"{chase}: a named terminate end gives the reason"


def test_a_partner_answering_after_the_term_before_the_planner_fired_it_moves_the_case_on_once(chain):
    """The terms passed unseen (no planner pass): the chase timers are due in the partners' own steps.

    The finished sub-process must hand on the partner's answer, not the timer's data, and the steps after
    it must run once: the care answer decides the "weigert hulp" gateway, and the melder is told once.
    """
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.at.advance(days=200)
    chain.do(case, "overdracht_politie", TERUG)
    chain.do(case, "zorg_en_opvang", ZORG)
    assert sorted(chain.ready(case)) == ["terugkoppelen_melder"]
    assert len(rows(chain, case, "terugkoppelen_melder")) == 1, "the steps after the sub-process ran once"
    with unit_of_work(chain.factory) as session:
        assert session.get(Case, case).status == "active"
