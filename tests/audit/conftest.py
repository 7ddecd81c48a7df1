"""Shared fixtures of the audit tests: two small cases to tamper with."""

from __future__ import annotations

import pytest

from engine.cases import assignment
from engine.db import unit_of_work
from tests.support.audit import VALID
from tests.support.helpers import complete, deploy, ready, start


@pytest.fixture
def cases(factory, world, forms, at):
    """Two cases with three events each in their chains (started, task taken, task completed)."""
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    ids = []
    for _ in range(2):
        case = start(factory, world.af, at.advance(minutes=1), "drie_taken")
        [task] = ready(factory, case).values()
        with unit_of_work(factory) as session:
            assignment.claim(session, actor=world.af, now=at.advance(minutes=1), task_id=task.id)
        complete(factory, world.af, at.advance(minutes=1), forms, task.id, VALID)
        ids.append(case)
    return ids


