"""The auditor's history of a case: plain Dutch per event, data diffs, filters, and a logged view."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.audit import audit_history, log
from engine.audit.events import EventType
from engine.cases import assignment
from engine.db import unit_of_work
from engine.errors import Forbidden, NotFound
from engine.models import AccessLogEntry
from signaalroute import passes
from tests.support.helpers import complete, deploy, ready, start

# The diffs read payloads that PostgreSQL stores as JSONB, which does not keep the key order.
pytestmark = pytest.mark.postgres

PARTNERS = {"organisaties": {"politie": "politie-ob"}}


@pytest.fixture
def case(factory, world, forms, at):
    """The melder reports, the AF enriches, the police claims the handover and amends the data."""
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.melder, at(), "drie_taken", {"melding": "Zorgen om de bovenwoning",
                                                            "melder_naam": "Marieke Jansen", **PARTNERS})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["verrijken"].id,
             {"vorm": "SU", "samenvatting": "Drie vrouwen boven de salon"})
    handover = ready(factory, case)["overdracht"]
    with unit_of_work(factory) as session:
        assignment.claim(session, actor=world.politie, now=at.advance(hours=1), task_id=handover.id)
    complete(factory, world.politie, at.advance(hours=1), forms, handover.id,
             {"samenvatting": "Vier vrouwen boven de salon", "vorm": None, "melding": "Zorgen om de bovenwoning"})
    return case


def read(factory, actor, at, case, **filters):
    with unit_of_work(factory) as session:
        return audit_history.case_audit(session, actor=actor, now=at(), instance_id=case, **filters)


def test_every_event_reads_as_a_dutch_sentence_with_who_role_organisation_and_version(factory, world, at, case):
    history = read(factory, world.auditor, at, case)
    assert [e.sentence for e in history.entries] == [
        "melder (Melder, Gemeente Eersel) startte de zaak",
        "af (Aandachtsfunctionaris, Gemeente Eersel) rondde ‘Signaal verrijken’ af",
        "politie (Politie (AVIM), Politie Oost-Brabant AVIM) nam ‘Overdracht ontvangen’ in behandeling",
        "politie (Politie (AVIM), Politie Oost-Brabant AVIM) rondde ‘Overdracht ontvangen’ af",
    ]
    assert {e.process_version for e in history.entries} == {"Drie taken, versie 1"}
    assert history.process == "Drie taken (drie_taken), versie 1"
    assert history.organisation == "Gemeente Eersel"


def test_each_submission_is_diffed_against_the_case_data_before_it(factory, world, at, case, forms):
    with unit_of_work(factory) as session:
        history = audit_history.case_audit(session, actor=world.auditor, now=at(), instance_id=case, forms=forms)
    started, enriched, _claimed, handed_over = history.entries
    assert {(c.key, c.kind, c.new) for c in started.changes} >= {("melding", "toegevoegd", "Zorgen om de bovenwoning"),
                                                                  ("melder_naam", "toegevoegd", "Marieke Jansen")}
    assert [(c.label, c.kind, c.old, c.new) for c in enriched.changes] == [
        ("Samenvatting", "toegevoegd", "", "Drie vrouwen boven de salon"),
        ("Vorm van uitbuiting", "toegevoegd", "", "SU"),
    ], "labels come from the task's form"
    assert [(c.key, c.kind, c.old, c.new) for c in handed_over.changes] == [
        ("melding", "ongewijzigd", "Zorgen om de bovenwoning", "Zorgen om de bovenwoning"),
        ("samenvatting", "gewijzigd", "Drie vrouwen boven de salon", "Vier vrouwen boven de salon"),
        ("vorm", "verwijderd", "SU", ""),
    ]


def test_filters_by_event_type_and_by_person_keep_the_full_count(factory, world, at, case):
    by_type = read(factory, world.auditor, at, case, event_type=EventType.TASK_COMPLETED)
    assert [e.who for e in by_type.entries] == ["af", "politie"] and by_type.total == 4
    by_person = read(factory, world.auditor, at, case, username="politie")
    assert [e.type_label for e in by_person.entries] == ["Taak in behandeling genomen", "Taak afgerond"]
    assert by_person.people == ["af", "melder", "politie"]
    assert ("task.claimed", "Taak in behandeling genomen") in by_person.event_types


def test_every_auditor_view_is_written_to_the_access_log_and_shown_next_time(factory, world, at, case):
    first = read(factory, world.auditor, at, case)
    assert first.access == []
    at.advance(minutes=5)
    second = read(factory, world.auditor, at, case)
    assert [(v.username, v.role, v.what) for v in second.access] == [
        ("auditor", "Auditor", "bekeek de auditgeschiedenis")]
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(AccessLogEntry)) == 2


def test_a_timer_firing_shows_the_system_the_due_time_and_the_delay(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, at(), "terugkoppeling_bewaken", PARTNERS)
    assert passes.fire_due_timers(factory, now=at.advance(days=3, seconds=30)) == 1
    fired = read(factory, world.auditor, at, case, event_type=EventType.TIMER_FIRED).entries[0]
    assert fired.sentence == "Termijn verstreken: ‘te_laat’"
    assert fired.who == "Systeem (planner)" and fired.username == "planner"
    assert dict(fired.facts) == {"Termijn": "5 maart 2026, 10.00 uur", "Afgegaan": "30 seconden na de termijn"}


def test_assignments_and_migrations_are_phrased_too(factory, world, at, case):
    with unit_of_work(factory) as session:
        log.record(session, event_type=EventType.INSTANCE_MIGRATED, actor=world.regisseur, now=at(), instance_id=case,
                   payload={"from_version": 1, "to_version": 2})
        log.record(session, event_type=EventType.TASK_ASSIGNED, actor=world.af, now=at(), instance_id=case,
                   payload={"element_id": "terugkoppelen", "assignee": "collega"})
    entries = read(factory, world.auditor, at, case).entries[-2:]
    assert [e.sentence for e in entries] == [
        "regisseur (Procesregisseur, Zorg- en Veiligheidshuis) zette de zaak over van versie 1 naar versie 2",
        "af (Aandachtsfunctionaris, Gemeente Eersel) wees ‘terugkoppelen’ toe aan collega",
    ]


@pytest.mark.parametrize("who", ["af", "beheerder", "politie", "melder"])
def test_only_auditors_read_the_full_history(factory, world, at, case, who):
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        audit_history.case_audit(session, actor=getattr(world, who), now=at(), instance_id=case)


def test_an_unknown_case_is_not_found(factory, world, at):
    with pytest.raises(NotFound), unit_of_work(factory) as session:
        audit_history.case_audit(session, actor=world.auditor, now=at(), instance_id=999)


def test_the_case_list_pages_newest_first(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    ids = [start(factory, world.af, at.advance(minutes=1), "drie_taken") for _ in range(3)]
    with unit_of_work(factory) as session:
        first = audit_history.list_cases(session, actor=world.auditor, page=1, per_page=2)
        second = audit_history.list_cases(session, actor=world.auditor, page=2, per_page=2)
        beyond = audit_history.list_cases(session, actor=world.auditor, page=9, per_page=2)
    assert [r.id for r in first.rows] == [ids[2], ids[1]] and (first.pages, first.total) == (2, 3)
    assert [r.id for r in second.rows] == [ids[0]]
    assert beyond.page == 2, "a page past the end shows the last page"
    assert first.rows[0].process == "Drie taken, versie 1" and first.rows[0].status == "Loopt"
