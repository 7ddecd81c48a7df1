"""Overdue tasks: one reminder per task to whoever holds it, in the outbox and on the case's audit chain."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.accounts.actors import Actor
from engine.audit import log, verify
from engine.cases import assignment, reminders, timeline
from engine.db import unit_of_work
from engine.models import AuditEvent, HumanTask, OutboxMessage, User
from signaalroute import passes
from tests.support.base import PASSWORD
from tests.support.helpers import complete, deploy, ready, start
from tests.support.mailserver import give_everyone_an_address

pytestmark = pytest.mark.postgres

BASE_URL = "https://signaalroute.gemeente.example"


def case_with_task_due(factory, world, forms, at, due_in=timedelta(hours=2)) -> tuple[int, int]:
    give_everyone_an_address(factory)
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    with unit_of_work(factory) as session:
        session.get(HumanTask, task.id).due_at = at() + due_in
    return case, task.id


def recipients(factory) -> list[str]:
    with unit_of_work(factory) as session:
        return sorted(session.scalars(select(OutboxMessage.recipient)))


def reminder_events(factory, case) -> list[AuditEvent]:
    with unit_of_work(factory) as session:
        return [e for e in log.history(session, case) if e.event_type == "task.reminded"]


def remind(factory, now) -> int:
    return passes.send_due_reminders(factory, now=now, base_url=BASE_URL)


def test_an_overdue_task_is_reminded_exactly_once_even_when_the_job_runs_again(factory, world, forms, at):
    case, task_id = case_with_task_due(factory, world, forms, at)
    assert remind(factory, at.advance(hours=1)) == 0, "not before it is due"
    assert recipients(factory) == []
    assert remind(factory, at.advance(hours=1)) == 1
    assert remind(factory, at()) == 0
    assert remind(factory, at.advance(days=3)) == 0
    assert recipients(factory) == ["af@eersel.example"]
    [event] = reminder_events(factory, case)
    assert event.task_id == task_id and event.payload["mailed_user_ids"] == [world.af.user_id]
    with unit_of_work(factory) as session:
        assert verify.verify_chain(session, log.chain_for_case(case)) == [], "the chain stays intact"
        assert session.get(HumanTask, task_id).reminded_at == at() - timedelta(days=3)
        history = timeline.timeline(session, actor=world.af, now=at(), instance_id=case)
    assert history[-1].what == "Herinnering gestuurd: ‘Signaal verrijken’ is over de termijn"


def test_a_task_completed_before_its_due_date_is_never_reminded(factory, world, forms, at):
    case, task_id = case_with_task_due(factory, world, forms, at)
    complete(factory, world.af, at.advance(hours=1), forms, task_id, {"vorm": "SU", "samenvatting": "op tijd"})
    assert remind(factory, at.advance(days=5)) == 0
    assert recipients(factory) == [] and reminder_events(factory, case) == []


def test_a_team_task_reminds_every_active_colleague_with_the_role_in_that_organisation(factory, world, forms, at):
    system = Actor.system("test")
    with unit_of_work(factory) as session:
        for username, email in (("af2", "af2@eersel.example"), ("af_oud", "af_oud@eersel.example"),
                                ("af_zonder", None)):
            user = users.create_user(session, actor=system, now=at(), username=username, password=PASSWORD,
                                     role="af", organisation_slug="eersel", email=email)
            user.active = username != "af_oud"
    case, _task_id = case_with_task_due(factory, world, forms, at)
    with unit_of_work(factory) as session:  # af_zonder really has no address
        session.scalar(select(User).where(User.username == "af_zonder")).email = None
        without = session.scalar(select(User.id).where(User.username == "af_zonder"))
    assert remind(factory, at.advance(days=1)) == 1
    assert recipients(factory) == ["af2@eersel.example", "af@eersel.example"], \
        "not the inactive colleague, not the AF of Bergeijk, not other roles"
    [event] = reminder_events(factory, case)
    assert event.payload["without_address_user_ids"] == [without]


def test_a_claimed_task_reminds_only_the_colleague_who_holds_it(factory, world, forms, at):
    case, task_id = case_with_task_due(factory, world, forms, at)
    with unit_of_work(factory) as session:
        users.create_user(session, actor=Actor.system("test"), now=at(), username="af2", password=PASSWORD,
                          role="af", organisation_slug="eersel", email="af2@eersel.example")
        assignment.assign(session, actor=world.af, now=at(), task_id=task_id, username="af2")
    assert remind(factory, at.advance(days=1)) == 1
    assert recipients(factory) == ["af2@eersel.example"]


@pytest.mark.postgres_only  # SQLite has one writer at a time: the interleaving needs PostgreSQL
def test_two_reminder_runs_at_once_still_remind_once(factory, world, forms, at, monkeypatch):
    case, _task_id = case_with_task_due(factory, world, forms, at)
    barrier = threading.Barrier(2, timeout=10)
    original = reminders.due_reminder_task_ids

    def both_have_seen_the_task(session, **kwargs):
        ids = original(session, **kwargs)
        barrier.wait()
        return ids

    monkeypatch.setattr(reminders, "due_reminder_task_ids", both_have_seen_the_task)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(remind(factory, at() + timedelta(days=1))))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(counts) == [0, 1]
    assert recipients(factory) == ["af@eersel.example"] and len(reminder_events(factory, case)) == 1


def test_the_reminder_names_the_case_by_its_kenmerk_in_the_link_text_and_nothing_else(factory, world, forms, at):
    case, task_id = case_with_task_due(factory, world, forms, at)
    remind(factory, at.advance(hours=2))
    with unit_of_work(factory) as session:
        [body] = session.scalars(select(OutboxMessage.body))
    assert f"Open de taak bij zaak SR-2026-{case:05d} via deze link (u logt eerst in):\n" in body
    assert body.endswith("kunt er niet op antwoorden.\n")
    assert "Signaal verrijken" not in body, "no task or case content, only the kenmerk"
