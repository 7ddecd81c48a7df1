"""A migration and a task completion on the same case at once: the case lock orders them, nothing is lost.

The interleaving is forced (convention 11 in docs/architecture.md): the first transaction takes the
lock and holds it until PostgreSQL shows the second one waiting for that lock. SQLite serializes whole transactions, so
these tests run on PostgreSQL only.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from engine.audit import replay
from engine.cases import case_store, lifecycle
from engine.db import make_engine, unit_of_work
from engine.errors import Conflict
from engine.modelling import migration
from tests.support.helpers import complete, deploy, ready, start

pytestmark = pytest.mark.postgres_only  # row locks; SQLite serializes whole transactions


@pytest.fixture
def case_at_beoordelen(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "migratie_v1.bpmn")
    case = start(factory, world.af, at(), "migratie")
    complete(factory, world.af, at(), forms, ready(factory, case)["intake"].id)
    deploy(factory, world.regisseur, at(), forms, "migratie_v2.bpmn")
    return case


def wait_until_someone_waits_for_a_lock(db_url: str) -> None:
    engine = make_engine(db_url)
    deadline = time.monotonic() + 10
    try:
        # Autocommit: within one transaction PostgreSQL shows the same pg_stat_activity snapshot on
        # every read, so a poll that started before the other thread blocked would never see it wait.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            while time.monotonic() < deadline:
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")).scalar()
                if waiting:
                    return
                time.sleep(0.01)
    finally:
        engine.dispose()
    raise AssertionError("the second transaction never waited for the case lock")


def hold_lock_in(monkeypatch, thread_name, locked: threading.Event, db_url):
    """In that thread, right after the case lock is taken: say so, and hold it until the other waits."""
    original = case_store.load_workflow

    def load_and_hold(session, instance):
        if threading.current_thread().name == thread_name:
            locked.set()
            wait_until_someone_waits_for_a_lock(db_url)
        return original(session, instance)

    monkeypatch.setattr(case_store, "load_workflow", load_and_hold)


def run(*threads):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


def test_a_completion_holding_the_lock_makes_the_planned_migration_conflict(factory, world, forms, at, db_url,
                                                                          monkeypatch, case_at_beoordelen):
    case = case_at_beoordelen
    with unit_of_work(factory) as session:
        [planned] = migration.plan(session, actor=world.regisseur, now=at(), process_id="migratie",
                                   to_version=2).eligible
    task = ready(factory, case)["beoordelen"]
    locked, outcomes = threading.Event(), {}
    hold_lock_in(monkeypatch, "completion", locked, db_url)

    def completion():
        with unit_of_work(factory) as session:
            lifecycle.complete_task(session, actor=world.af, now=at(), task_id=task.id, data={}, forms=forms)
        outcomes["completion"] = "ok"

    def migrate():
        assert locked.wait(10)
        try:
            with unit_of_work(factory) as session:
                migration.migrate(session, actor=world.regisseur, now=at(), instance_id=case, to_version=2,
                                  expected_version=planned.version)
            outcomes["migration"] = "ok"
        except Conflict:
            outcomes["migration"] = "conflict"

    run(threading.Thread(target=completion, name="completion"), threading.Thread(target=migrate, name="migration"))
    assert outcomes == {"completion": "ok", "migration": "conflict"}
    with unit_of_work(factory) as session:
        instance = lifecycle.view_of(session, case_store.require_locked(session, case))
        assert instance.process_version == 1
        assert [t.element_id for t in instance.timers] == ["wachten"], "the completion stands, on version 1"
        assert replay.replay_case(session, case).consistent


# Guards lock_instance's lazyload of the definition: joined into SELECT ... FOR UPDATE OF instance, a
# waiting transaction would get the row re-checked against the *new* definition_id with the old
# definition row, and the outer join would yield no definition at all (HTTP 500).
def test_a_completion_waiting_for_a_migration_completes_on_the_new_version(factory, world, forms, at, db_url,
                                                                           monkeypatch, case_at_beoordelen):
    case = case_at_beoordelen
    task = ready(factory, case)["beoordelen"]
    locked, outcomes = threading.Event(), {}
    hold_lock_in(monkeypatch, "migration", locked, db_url)

    def migrate():
        with unit_of_work(factory) as session:
            migration.migrate(session, actor=world.regisseur, now=at(), instance_id=case, to_version=2)
        outcomes["migration"] = "ok"

    def completion():
        assert locked.wait(10)
        try:
            with unit_of_work(factory) as session:
                lifecycle.complete_task(session, actor=world.af, now=at.advance(seconds=1), task_id=task.id,
                                        data={"oordeel": "ok"}, forms=forms)
            outcomes["completion"] = "ok"
        except Exception as exc:  # reported in the assertion below, not as a stray thread error
            outcomes["completion"] = repr(exc)

    run(threading.Thread(target=migrate, name="migration"), threading.Thread(target=completion, name="completion"))
    assert outcomes == {"migration": "ok", "completion": "ok"}
    assert list(ready(factory, case)) == ["controleren"], "the completion ran on version 2, after the migration"
    with unit_of_work(factory) as session:
        assert replay.replay_case(session, case).consistent
