"""Replay property (Zeebe-style): after every step, the stored state deserializes to the same workflow."""

from __future__ import annotations

from sqlalchemy import select

from engine.cases.case_store import load_workflow
from engine.db import unit_of_work
from engine.models import Case
from engine.workflow import serializer
from tests.support.helpers import complete, deploy, ready, start


def assert_state_round_trips(factory, case):
    with unit_of_work(factory) as session:
        instance = session.scalar(select(Case).where(Case.id == case))
        workflow = load_workflow(session, instance)
        assert serializer.dumps(workflow) == instance.state
        assert instance.serializer_version == serializer.SERIALIZER_VERSION


def test_every_step_of_a_parallel_case_round_trips(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "riec_opschaling.bpmn")
    deploy(factory, world.regisseur, at(), forms, "parallel_sub.bpmn")
    case = start(factory, world.af, at(), "parallel_sub", {"signalen": ["a"]})
    actors = {"zorg": world.zoco, "casustafel": world.oov, "sub_taak": world.af, "afronden": world.af}
    steps = 0
    while tasks := ready(factory, case):
        assert_state_round_trips(factory, case)
        element, task = sorted(tasks.items())[0]
        complete(factory, actors[element], at.advance(minutes=5), forms, task.id, {f"{element}_klaar": True})
        steps += 1
    assert_state_round_trips(factory, case)
    assert steps == 4


def test_a_looping_case_round_trips_after_each_meeting(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "lus.bpmn")
    case = start(factory, world.af, at(), "lopend_signaal")
    for meeting in range(5):
        assert_state_round_trips(factory, case)
        [task] = ready(factory, case).values()
        besluit = "afgerond" if meeting == 4 else "lopend"
        complete(factory, world.af, at.advance(days=7), forms, task.id, {"besluit": besluit})
    assert ready(factory, case) == {}
    assert_state_round_trips(factory, case)
