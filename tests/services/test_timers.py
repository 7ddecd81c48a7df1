"""BPMN timers are rows fired exactly once by fire_due_timers, with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.cases import timers
from engine.db import unit_of_work
from engine.errors import Conflict, Forbidden
from engine.models import AuditEvent, HumanTask, Timer
from signaalroute import passes
from tests.support.helpers import PROCESS, complete, deploy, ready, start, waiting  # noqa: F401


def police_start(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, at(), PROCESS, {"organisaties": {"politie": "politie-ob"}})
    return case


def test_late_feedback_fires_the_boundary_timer_after_three_days_and_reminds_the_af(factory, world, forms, at):
    case = police_start(factory, world, forms, at)
    [timer] = waiting(factory, case)
    assert timer.element_id == "te_laat"
    assert timer.due_at == at() + timedelta(days=3)
    assert passes.fire_due_timers(factory, now=at() + timedelta(days=2, hours=23)) == 0
    assert list(ready(factory, case)) == ["feedback"]
    assert passes.fire_due_timers(factory, now=at.advance(days=3, seconds=1)) == 1
    assert list(ready(factory, case)) == ["herinnering"], "the partner's task is cancelled, the AF reminded"
    assert passes.fire_due_timers(factory, now=at.advance(days=10)) == 0, "a timer fires once"
    with unit_of_work(factory) as session:
        fired = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "timer.fired")).all()
        assert len(fired) == 1 and fired[0].payload["element_id"] == "te_laat"
        assert fired[0].payload["lateness_seconds"] == 1.0
        cancelled = session.scalar(select(HumanTask).where(HumanTask.element_id == "feedback"))
        assert cancelled.state == "cancelled"


def test_feedback_in_time_cancels_the_boundary_timer_and_starts_the_intermediate_one(factory, world, forms, at):
    case = police_start(factory, world, forms, at)
    [feedback] = ready(factory, case).values()
    assert feedback.organisation_id == world.politie.organisation_id
    complete(factory, world.politie, at.advance(days=1), forms, feedback.id, {"terugkoppeling": "gesprek gevoerd"})
    [timer] = waiting(factory, case)
    assert (timer.element_id, timer.due_at) == ("wachten", at() + timedelta(days=1))
    assert ready(factory, case) == {}
    assert passes.fire_due_timers(factory, now=at.advance(days=1, minutes=1)) == 1
    assert list(ready(factory, case)) == ["melder_informeren"]
    with unit_of_work(factory) as session:
        states = dict(session.execute(select(Timer.element_id, Timer.state)).all())
    assert states == {"te_laat": "cancelled", "wachten": "fired"}


def test_a_beheerder_can_execute_a_timer_before_it_is_due(factory, world, forms, at):
    case = police_start(factory, world, forms, at)
    [timer] = waiting(factory, case)
    with pytest.raises(Forbidden):
        with unit_of_work(factory) as session:
            timers.execute_timer(session, actor=world.af, now=at(), timer_id=timer.id)
    with unit_of_work(factory) as session:
        timers.execute_timer(session, actor=world.beheerder, now=at(), timer_id=timer.id)
    assert list(ready(factory, case)) == ["herinnering"]
    with pytest.raises(Conflict):
        with unit_of_work(factory) as session:
            timers.execute_timer(session, actor=world.beheerder, now=at(), timer_id=timer.id)


def test_timers_missed_during_an_outage_fire_oldest_first(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    first = start(factory, world.af, at(), PROCESS)
    second = start(factory, world.af, at.advance(hours=1), PROCESS)
    with unit_of_work(factory) as session:
        order = timers.due_timer_ids(session, now=at.advance(days=30))
    assert [waiting(factory, c)[0].id for c in (first, second)] == order
    assert passes.fire_due_timers(factory, now=at()) == 2


FAILING_AFTER_TIMER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:process id="kapot_na_timer" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wacht"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="reken"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>aantal = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wacht" />
    <bpmn:sequenceFlow id="f2" sourceRef="wacht" targetRef="reken" />
    <bpmn:sequenceFlow id="f3" sourceRef="reken" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_model_error_when_a_timer_fires_flags_the_case_and_other_timers_still_fire(factory, world, forms, at):
    from engine.modelling import deployments
    from engine.models import Case
    from engine.workflow.bundle import SourceFile

    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=at(), comment="", forms=forms,
                           files=[SourceFile("kapot.bpmn", FAILING_AFTER_TIMER)])
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    broken = start(factory, world.af, at(), "kapot_na_timer")
    healthy = start(factory, world.af, at(), PROCESS)
    assert passes.fire_due_timers(factory, now=at.advance(days=4)) == 1, "only the healthy case's timer"
    with unit_of_work(factory) as session:
        case = session.get(Case, broken)
        assert case.status == "error"
        assert case.error_message.startswith("Fout in het model in 'reken': Deling door nul")
        assert session.scalar(select(Timer.state).where(Timer.instance_id == broken)) == "failed"
        failed = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "instance.failed"))
        assert failed.payload["element_id"] == "reken" and "timer_id" in failed.payload
    assert list(ready(factory, healthy)) == ["herinnering"]
    assert passes.fire_due_timers(factory, now=at.advance(days=1)) == 0, "a failed timer is not retried forever"
