"""Running cases through the services: start, forms, gateways, DMN, parallel work, subprocesses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import lifecycle
from engine.cases.case_store import load_workflow
from engine.db import unit_of_work
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import AuditEvent, Case, HumanTask
from engine.workflow.runner import ready_human_tasks
from tests.support.helpers import complete, deploy, ready, start

VALID = {"vorm": "SU", "samenvatting": "Meerdere vrouwen wonen op één adres boven een nagelsalon."}


def test_a_case_walks_from_af_to_police_and_back_and_completes(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken", {"bron": "collega"})
    [task] = ready(factory, case).values()
    assert (task.element_id, task.role, task.form) == ("verrijken", "af", "test-verrijken.json")
    assert task.instructions == "Verzamel adresgegevens en eerdere meldingen."
    assert complete(factory, world.af, at.advance(hours=1), forms, task.id, VALID) == "active"
    [handover] = ready(factory, case).values()
    assert (handover.element_id, handover.role) == ("overdracht", "politie")
    with unit_of_work(factory) as session:
        session.get(HumanTask, handover.id).organisation_id = world.politie.organisation_id
    complete(factory, world.politie, at.advance(hours=2), forms, handover.id)
    [feedback] = ready(factory, case).values()
    assert complete(factory, world.af, at.advance(days=1), forms, feedback.id) == "completed"
    with unit_of_work(factory) as session:
        types = session.scalars(select(AuditEvent.event_type).where(AuditEvent.instance_id == case)
                                .order_by(AuditEvent.seq)).all()
    assert types == ["instance.started", "task.completed", "task.completed", "task.completed",
                     "instance.completed"]


def test_invalid_form_data_gives_dutch_messages_per_field_and_changes_nothing(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    with pytest.raises(ValidationFailed) as caught:
        complete(factory, world.af, at(), forms, task.id,
                 {"vorm": "XX", "datum_signaal": "31-02-2026", "aantal_personen": -1})
    assert caught.value.details == {
        "aantal_personen": "Vul een getal van minstens 0 in.",
        "datum_signaal": "Vul een geldige datum in (jjjj-mm-dd).",
        "samenvatting": "Dit veld is verplicht.",
        "vorm": "Kies een van de mogelijke waarden: SU, AU, CU, OV, onbekend.",
    }
    assert list(ready(factory, case)) == ["verrijken"]


@pytest.mark.parametrize(("vorm", "expected"), [("SU", "politie_taak"), ("CU", "politie_taak"),
                                                ("AU", "inspectie_taak"), ("onbekend", "zoco_taak")])
def test_the_decision_table_routes_by_form_of_exploitation(factory, world, forms, at, vorm, expected):
    deploy(factory, world.regisseur, at(), forms, "routering.bpmn", "partner_per_vorm.dmn")
    case = start(factory, world.af, at(), "routering")
    [task] = ready(factory, case).values()
    complete(factory, world.af, at(), forms, task.id, {"vorm": vorm})
    assert list(ready(factory, case)) == [expected]


def test_parallel_work_subprocess_and_call_activity_join_before_closing(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "riec_opschaling.bpmn")
    deploy(factory, world.regisseur, at(), forms, "parallel_sub.bpmn")
    case = start(factory, world.af, at(), "parallel_sub", {"signalen": ["a", "b", "c"]})
    tasks = ready(factory, case)
    assert sorted(tasks) == ["casustafel", "sub_taak", "zorg"]
    assert {t.role for t in tasks.values()} == {"af", "zorgcoordinator", "oov"}
    complete(factory, world.zoco, at(), forms, tasks["zorg"].id, {"opvang": True})
    complete(factory, world.oov, at(), forms, tasks["casustafel"].id, {"riec": "opgeschaald"})
    assert sorted(ready(factory, case)) == ["sub_taak"], "the join waits for the last branch"
    complete(factory, world.af, at(), forms, tasks["sub_taak"].id, {"adres": "bekend"})
    [final] = ready(factory, case).values()
    assert final.element_id == "afronden"
    assert complete(factory, world.af, at(), forms, final.id) == "completed"


def test_a_script_task_computes_in_the_sandbox(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "riec_opschaling.bpmn")
    deploy(factory, world.regisseur, at(), forms, "parallel_sub.bpmn")
    case = start(factory, world.af, at(), "parallel_sub", {"signalen": ["a", "b"]})
    with unit_of_work(factory) as session:
        view = lifecycle.get_case(session, actor=world.af, now=at(), instance_id=case)
        assert view.status == "active"
        workflow = load_workflow(session, session.get(Case, case))
    for task in ready_human_tasks(workflow):
        assert task.data["score"] == 4 and task.data["urgent"] is True


def test_a_failing_script_flags_the_case_and_keeps_the_task(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "riec_opschaling.bpmn")
    deploy(factory, world.regisseur, at(), forms, "parallel_sub.bpmn")
    with pytest.raises(lifecycle.ModelError) as caught:
        start(factory, world.af, at(), "parallel_sub", {"signalen": 5})
    assert "score" in caught.value.message
    with unit_of_work(factory) as session:
        assert session.scalar(select(Case.id)) is None, "a start that fails stores no case"


def test_a_user_of_another_role_or_gemeente_cannot_see_or_complete_the_task(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    for outsider in (world.af_bergeijk, world.politie, world.zoco, world.beheerder):
        with pytest.raises(NotFound):
            complete(factory, outsider, at(), forms, task.id, VALID)
        with unit_of_work(factory) as session:
            assert lifecycle.list_tasks(session, actor=outsider) == []
            with pytest.raises(NotFound):
                lifecycle.get_case(session, actor=outsider, now=at(), instance_id=case)
    with unit_of_work(factory) as session:
        assert [t.id for t in lifecycle.list_tasks(session, actor=world.af)] == [task.id]
        assert lifecycle.get_case(session, actor=world.auditor, now=at(), instance_id=case).id == case


def test_a_task_assigned_to_a_person_is_theirs_alone(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    with unit_of_work(factory) as session:
        session.get(HumanTask, task.id).assignee_id = world.af_bergeijk.user_id
    with pytest.raises(NotFound):
        complete(factory, world.af, at(), forms, task.id, VALID)
    assert complete(factory, world.af_bergeijk, at(), forms, task.id, VALID) == "active"


def test_completing_a_task_twice_is_a_conflict(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    complete(factory, world.af, at(), forms, task.id, VALID)
    with pytest.raises(Conflict):
        complete(factory, world.af, at(), forms, task.id, VALID)


def test_auditors_and_beheerders_do_not_start_cases(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    for actor in (world.auditor, world.beheerder):
        with pytest.raises(Forbidden):
            start(factory, actor, at(), "drie_taken")


def test_start_data_must_be_an_object_of_plain_names(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    with pytest.raises(ValidationFailed):
        start(factory, world.af, at(), "drie_taken", {"__class__": 1})
    with pytest.raises(NotFound):
        start(factory, world.af, at(), "bestaat_niet")


def test_a_task_outside_any_lane_goes_to_the_default_role_chosen_at_deploy(factory, world, forms, at):
    from engine.modelling import deployments
    from tests.support.base import model_files

    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=at(), files=model_files("lus.bpmn"), comment="",
                           forms=forms, default_role="zorgcoordinator")
    case = start(factory, world.af, at(), "lopend_signaal")
    [task] = ready(factory, case).values()
    assert task.role == "zorgcoordinator"


def test_a_stale_write_to_a_case_is_refused_by_the_version_check(factory, world, forms, at):
    from sqlalchemy.orm.exc import StaleDataError

    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    stale = factory()
    row = stale.get(Case, case)
    version = row.version
    stale.commit()  # end the read; the object stays loaded (no expire on commit), now out of date
    [task] = ready(factory, case).values()
    complete(factory, world.af, at(), forms, task.id, VALID)
    row.status = "cancelled"
    with pytest.raises(StaleDataError):
        stale.commit()
    stale.rollback()
    stale.close()
    with unit_of_work(factory) as session:
        current = session.get(Case, case)
        assert current.status == "active" and current.version == version + 1


def test_a_failure_while_recording_the_audit_event_leaves_the_case_untouched(factory, world, forms, at, monkeypatch):
    from engine.audit import log
    from engine.models import Timer

    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    with unit_of_work(factory) as session:
        before = session.get(Case, case)
        state_before, version_before = before.state, before.version

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(log, "record", broken_audit)
    with pytest.raises(RuntimeError):
        complete(factory, world.af, at(), forms, task.id, VALID)
    monkeypatch.undo()
    with unit_of_work(factory) as session:
        after = session.get(Case, case)
        assert (after.state, after.version) == (state_before, version_before)
        assert session.scalar(select(Timer.id)) is None
    assert list(ready(factory, case)) == ["verrijken"], "the task index did not move either"
