"""A step that leaves a case with nothing to wait for fails loudly: a signal must never stall unseen."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from engine.cases import lifecycle
from engine.cases.lifecycle import ModelError
from engine.db import unit_of_work
from engine.models import AuditEvent, Case, HumanTask
from engine.workflow import runner
from tests.support.helpers import (
    complete,
    deploy,
    ready,
    start,
    strand,  # noqa: F401
)

SENTINEL = "Zeer-Geheim-Persoonsgegeven-8731"


def test_a_step_that_strands_the_case_fails_with_a_dutch_message_and_flags_the_case(factory, world, at, forms,
                                                                                    caplog):
    case, last_task, state_before = strand(factory, world, at, forms)
    caplog.set_level(logging.INFO)
    with pytest.raises(ModelError) as raised, unit_of_work(factory) as session:
        lifecycle.complete_task(session, actor=world.af, now=at.advance(minutes=1), task_id=last_task,
                                data={"notitie": SENTINEL}, forms=forms)
    assert raised.value.status == 422
    assert raised.value.message == runner.STRANDED_MESSAGE
    assert raised.value.details == {"element_id": "samen"}
    with unit_of_work(factory) as session:
        instance = session.get(Case, case)
        assert instance.status == "error"
        assert instance.error_message == runner.STRANDED_MESSAGE
        assert instance.state == state_before, "the stranding step is not stored"
        assert session.get(HumanTask, last_task).state == "ready", "the task can be retried once fixed"
        failed = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case)
                                 .order_by(AuditEvent.seq.desc())).first()
        assert failed.event_type == "instance.failed"
        assert failed.payload["element_id"] == "samen"
    [record] = [r for r in caplog.records if r.getMessage() == "case step failed: model error"]
    assert record.levelno == logging.ERROR
    assert record.instance_id == case
    assert SENTINEL not in str(record.__dict__)


def test_a_case_that_waits_for_a_timer_or_completes_is_not_stranded(factory, world, at, forms):
    deploy(factory, world.regisseur, at(), forms, "vastgelopen.bpmn")
    case = start(factory, world.af, at(), "vastgelopen")
    tasks = ready(factory, case)
    complete(factory, world.af, at(), forms, tasks["tweede"].id, {"samen": True})
    complete(factory, world.af, at(), forms, tasks["eerste"].id, {})
    assert complete(factory, world.af, at(), forms, ready(factory, case)["afronden"].id, {}) == "completed"
