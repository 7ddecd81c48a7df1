"""Two people complete the same task at once: exactly one wins, the other gets a Conflict.

On PostgreSQL the interleaving is forced with a barrier (docs/architecture.md, convention 11): both requests have read
the task as ready before either takes the case lock. SQLite serializes whole transactions
(BEGIN IMMEDIATE), so there the two simply race.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.cases import case_store, lifecycle
from engine.db import unit_of_work
from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask
from tests.support.helpers import deploy, ready, start

pytestmark = pytest.mark.postgres

DATA_A = {"vorm": "SU", "samenvatting": "versie van A"}
DATA_B = {"vorm": "AU", "samenvatting": "versie van B"}


def test_two_users_completing_the_same_task_one_wins_one_conflicts(factory, world, forms, at, db_url,
                                                                  monkeypatch):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    postgres = db_url.startswith("postgresql")
    barrier = threading.Barrier(2, timeout=10)
    original = case_store.require_locked

    def lock_after_both_have_read(session, instance_id):
        if postgres:
            barrier.wait()
        return original(session, instance_id)

    monkeypatch.setattr(case_store, "require_locked", lock_after_both_have_read)
    outcomes: dict[str, str] = {}

    def attempt(name, data):
        try:
            with unit_of_work(factory) as session:
                lifecycle.complete_task(session, actor=world.af, now=at(), task_id=task.id, data=data, forms=forms)
            outcomes[name] = "ok"
        except Conflict:
            outcomes[name] = "conflict"

    threads = [threading.Thread(target=attempt, args=(name, data)) for name, data in (("A", DATA_A), ("B", DATA_B))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "ok"]
    winner = DATA_A if outcomes["A"] == "ok" else DATA_B
    with unit_of_work(factory) as session:
        completions = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task.completed")).all()
        assert [e.payload["data"] for e in completions] == [winner], "nothing of the loser is stored"
        assert session.scalar(select(func.count()).select_from(HumanTask)
                              .where(HumanTask.element_id == "overdracht")) == 1
