"""Claim, release, assign: a team task becomes one person's, and goes back, with an audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.accounts.actors import Actor
from engine.cases import assignment, lifecycle
from engine.db import unit_of_work
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.models import AuditEvent
from tests.support.base import PASSWORD
from tests.support.helpers import complete, deploy, ready, start

VALID = {"vorm": "SU", "samenvatting": "Signaal"}


@pytest.fixture
def colleague(factory, world, at):
    with unit_of_work(factory) as session:
        return users.actor_for(users.create_user(session, actor=Actor.system("test"), now=at(), username="af2",
                                                 password=PASSWORD, role="af", organisation_slug="eersel"))


def act(factory, fn, **kwargs):
    with unit_of_work(factory) as session:
        return fn(session, **kwargs)


def test_a_claimed_task_leaves_the_team_list_until_it_is_released(factory, world, forms, at, colleague):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    act(factory, assignment.claim, actor=world.af, now=at(), task_id=task.id)
    with unit_of_work(factory) as session:
        assert [t.id for t in lifecycle.list_tasks(session, actor=world.af)] == [task.id]
        assert lifecycle.list_tasks(session, actor=colleague) == [], "a colleague no longer sees it"
    with pytest.raises(NotFound):
        complete(factory, colleague, at(), forms, task.id, VALID)
    with pytest.raises(NotFound):
        act(factory, assignment.claim, actor=colleague, now=at(), task_id=task.id)
    act(factory, assignment.release, actor=world.af, now=at(), task_id=task.id)
    with unit_of_work(factory) as session:
        assert [t.id for t in lifecycle.list_tasks(session, actor=colleague)] == [task.id]
        events = session.scalars(select(AuditEvent.event_type).where(AuditEvent.task_id == task.id)).all()
    assert events == ["task.claimed", "task.released"]


def test_a_task_is_assigned_only_to_a_colleague_with_its_role_and_organisation(factory, world, forms, at, colleague):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    for wrong in ("af_bergeijk", "politie", "bestaat-niet"):
        with pytest.raises(ValidationFailed):
            act(factory, assignment.assign, actor=world.af, now=at(), task_id=task.id, username=wrong)
    act(factory, assignment.assign, actor=world.af, now=at(), task_id=task.id, username="af2")
    assert complete(factory, colleague, at(), forms, task.id, VALID) == "active"
    with unit_of_work(factory) as session:
        assigned = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.assigned"))
        assert (assigned.actor_username, assigned.payload["assignee"]) == ("af", "af2")


def test_a_completed_task_cannot_be_claimed_or_released(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    with pytest.raises(Conflict):
        act(factory, assignment.release, actor=world.af, now=at(), task_id=task.id)
    complete(factory, world.af, at(), forms, task.id, VALID)
    with pytest.raises(Conflict):
        act(factory, assignment.claim, actor=world.af, now=at(), task_id=task.id)
