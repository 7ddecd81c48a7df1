"""Migration of running cases: the plan says who can move and why not; a move keeps tasks and timers,
the case continues on the new route; a revert restores the exact state; replay and the audit chain agree.

Fixtures: ``migratie_v1``/``migratie_v2`` (v2 renames intake to aanmelden, adds controleren after
beoordelen, changes the term of beoordelen and drops the wait) and ``aanroep_v1..v3`` (a running
call activity; v3 calls another process).
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engine.accounts.actors import Actor
from engine.audit import log, replay, verify
from engine.db import unit_of_work
from engine.errors import Conflict, Forbidden
from engine.modelling import migration
from engine.models import AuditEvent, Case, CaseMigration, HumanTask, TaskState, Timer, TimerState
from signaalroute import passes
from tests.support.helpers import complete, deploy, ready, start

SYSTEM = Actor.system("test")


@pytest.fixture
def v1_cases(factory, world, forms, at):
    """Three cases on v1: at intake, at beoordelen (with its term running), waiting for the wait."""
    deploy(factory, world.regisseur, at(), forms, "migratie_v1.bpmn")
    at_intake = start(factory, world.af, at(), "migratie", {"melding": "a"})
    at_beoordelen = start(factory, world.af, at(), "migratie", {"melding": "b"})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, at_beoordelen)["intake"].id, {"x": 1})
    waiting = start(factory, world.af, at(), "migratie", {"melding": "c"})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, waiting)["intake"].id)
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, waiting)["beoordelen"].id)
    deploy(factory, world.regisseur, at.advance(hours=1), forms, "migratie_v2.bpmn")
    return at_intake, at_beoordelen, waiting


def plan(factory, actor, process_id="migratie", to_version=2):
    with unit_of_work(factory) as session:
        return migration.plan(session, actor=actor, now=datetime.now(UTC), process_id=process_id,
                              to_version=to_version)


def migrate(factory, actor, now, case, to_version=2, **kwargs):
    with unit_of_work(factory) as session:
        return migration.migrate(session, actor=actor, now=now, instance_id=case, to_version=to_version,
                                 **kwargs).version


def revert(factory, actor, now, case):
    with unit_of_work(factory) as session:
        migration.revert(session, actor=actor, now=now, instance_id=case)


def snapshot(factory, case):
    with unit_of_work(factory) as session:
        row = session.get(Case, case)
        assert row is not None
        timers = session.scalars(select(Timer).where(Timer.instance_id == case, Timer.state == TimerState.WAITING))
        return {"state": row.state, "version": row.definition.version, "row_version": row.version,
                "timers": sorted((t.id, t.element_id, t.due_at) for t in timers)}


def events(factory, case, event_type=None):
    with unit_of_work(factory) as session:
        return [e for e in log.history(session, case) if event_type is None or e.event_type == event_type]


def assert_replays(factory, case):
    with unit_of_work(factory) as session:
        report = replay.replay_case(session, case)
        assert report.consistent, report.divergence
        assert verify.verify_all(session) == {}


def test_the_plan_shows_which_cases_can_move_and_why_the_others_cannot(factory, world, v1_cases):
    at_intake, at_beoordelen, waiting = v1_cases
    before = {case: snapshot(factory, case) for case in v1_cases}
    result = plan(factory, world.regisseur)
    by_case = {c.instance_id: c for c in result.cases}
    assert [c.instance_id for c in result.eligible] == [at_beoordelen]
    assert by_case[at_beoordelen].ready_tasks == ["Beoordelen"]
    assert by_case[at_intake].reasons == ["taak 'Intake' bestaat niet in versie 2"]
    assert by_case[waiting].reasons == ["wacht op timer 'Wachttijd' die in versie 2 ontbreekt"]
    assert {case: snapshot(factory, case) for case in v1_cases} == before, "a plan stores nothing"
    assert events(factory, at_beoordelen, "instance.migrated") == []


def test_an_eligible_case_moves_keeps_its_task_and_timer_and_continues_on_the_new_route(factory, world, forms,
                                                                                        at, v1_cases):
    _, case, _ = v1_cases
    task = ready(factory, case)["beoordelen"]
    before = snapshot(factory, case)
    migrate(factory, world.regisseur, at.advance(minutes=5), case)
    after = snapshot(factory, case)
    assert after["version"] == 2
    assert after["timers"] == before["timers"], "the running term keeps its row and due time"
    moved = ready(factory, case)["beoordelen"]
    assert (moved.id, moved.spiff_task_id, moved.name) == (task.id, task.spiff_task_id, "Beoordelen (nieuw)")
    [event] = events(factory, case, "instance.migrated")
    assert event.payload["from_version"] == 1 and event.payload["to_version"] == 2
    assert event.payload["state_sha256"] != event.payload["state_sha256_before"]
    assert event.payload["ready_tasks_before"] == event.payload["ready_tasks_after"] == ["beoordelen"]
    assert_replays(factory, case)

    complete(factory, world.af, at.advance(hours=1), forms, moved.id, {"oordeel": "zorg"})
    assert list(ready(factory, case)) == ["controleren"], "the task v2 added is next"
    assert snapshot(factory, case)["timers"] == []
    assert_replays(factory, case)


def test_an_ineligible_case_is_refused_and_left_untouched(factory, world, at, v1_cases):
    at_intake, _, _ = v1_cases
    before = snapshot(factory, at_intake)
    with pytest.raises(migration.CannotMigrate) as refused:
        migrate(factory, world.regisseur, at(), at_intake)
    assert refused.value.details == ["taak 'Intake' bestaat niet in versie 2"]
    assert snapshot(factory, at_intake) == before
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(CaseMigration)) == 0


def test_each_case_of_a_batch_has_its_own_transaction(factory, world, at, v1_cases):
    at_intake, at_beoordelen, waiting = v1_cases
    outcomes = passes.migrate_each(factory, actor=world.regisseur, now=at(), to_version=2,
                                      instance_ids=[at_intake, at_beoordelen, waiting])
    assert [(o.instance_id, o.ok) for o in outcomes] == [(at_intake, False), (at_beoordelen, True), (waiting, False)]
    assert "Wachttijd" in outcomes[2].message
    assert [snapshot(factory, c)["version"] for c in v1_cases] == [1, 2, 1]


def test_a_case_planned_earlier_but_changed_since_is_not_moved_unseen(factory, world, forms, at, v1_cases):
    _, case, _ = v1_cases
    [planned] = plan(factory, world.regisseur).eligible
    with unit_of_work(factory) as session:  # a claim does not touch the case row; a step does
        session.get(Case, case).vorm = "AU"
    with pytest.raises(Conflict):
        migrate(factory, world.regisseur, at(), case, expected_version=planned.version)
    assert snapshot(factory, case)["version"] == 1


def test_a_running_call_activity_moves_when_the_new_version_calls_the_same_process(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "aanroep_v1.bpmn", "riec_opschaling.bpmn")
    case = start(factory, world.af, at(), "aanroep", {"signaal": "x"})
    deploy(factory, world.regisseur, at(), forms, "aanroep_v2.bpmn")
    deploy(factory, world.regisseur, at(), forms, "aanroep_v3.bpmn")
    [to_v3] = plan(factory, world.regisseur, "aanroep", 3).cases
    assert to_v3.reasons == ["deelproces 'Opschaling naar RIEC' ontbreekt in versie 3"]
    assert [c.instance_id for c in plan(factory, world.regisseur, "aanroep", 2).eligible] == [case]

    casustafel = ready(factory, case)["casustafel"]
    migrate(factory, world.regisseur, at.advance(minutes=1), case)
    assert ready(factory, case)["casustafel"].id == casustafel.id
    complete(factory, world.oov, at.advance(hours=1), forms, casustafel.id)
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["afronden"].id)
    assert list(ready(factory, case)) == ["nazorg"]
    assert_replays(factory, case)


def test_a_revert_restores_the_exact_state_and_version(factory, world, forms, at, v1_cases):
    _, case, _ = v1_cases
    before = snapshot(factory, case)
    task_id = ready(factory, case)["beoordelen"].id
    migrate(factory, world.beheerder, at.advance(minutes=1), case)
    revert(factory, world.regisseur, at.advance(minutes=1), case)
    after = snapshot(factory, case)
    assert (after["state"], after["version"], after["timers"]) == (before["state"], 1, before["timers"])
    restored = ready(factory, case)["beoordelen"]
    assert (restored.id, restored.name) == (task_id, "Beoordelen")
    [undone] = events(factory, case, "instance.migration_reverted")
    [migrated] = events(factory, case, "instance.migrated")
    assert undone.payload["migration_seq"] == migrated.seq
    assert (undone.payload["from_version"], undone.payload["to_version"]) == (2, 1)
    assert undone.payload["state_sha256"] == migrated.payload["state_sha256_before"]
    assert_replays(factory, case)

    complete(factory, world.af, at.advance(hours=1), forms, restored.id)
    assert [t.element_id for t in waiting_timers(factory, case)] == ["wachten"], "back on the v1 route"
    assert_replays(factory, case)


def waiting_timers(factory, case):
    with unit_of_work(factory) as session:
        return list(session.scalars(select(Timer).where(Timer.instance_id == case, Timer.state == TimerState.WAITING)))


def test_a_revert_is_refused_once_the_case_moved_on(factory, world, forms, at, v1_cases):
    _, case, _ = v1_cases
    migrate(factory, world.regisseur, at(), case)
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["beoordelen"].id)
    with pytest.raises(Conflict, match="verder gegaan"):
        revert(factory, world.regisseur, at(), case)
    [listed] = plan(factory, world.regisseur).revertible
    assert (listed.instance_id, listed.possible) == (case, False)
    assert snapshot(factory, case)["version"] == 2


def test_a_case_without_a_migration_cannot_be_reverted(factory, world, at, v1_cases):
    with pytest.raises(Conflict):
        revert(factory, world.regisseur, at(), v1_cases[1])


@pytest.mark.parametrize("person", ["af", "politie", "auditor", "melder"])
def test_only_a_procesregisseur_or_beheerder_may_plan_migrate_or_revert(factory, world, at, v1_cases, person):
    actor = getattr(world, person)
    with pytest.raises(Forbidden):
        plan(factory, actor)
    with pytest.raises(Forbidden):
        migrate(factory, actor, at(), v1_cases[1])
    migrate(factory, world.beheerder, at(), v1_cases[1])
    with pytest.raises(Forbidden):
        revert(factory, actor, at(), v1_cases[1])


def test_replay_notices_a_migration_event_that_does_not_match_the_state(factory, world, at, v1_cases):
    _, case, _ = v1_cases
    migrate(factory, world.regisseur, at(), case)
    with unit_of_work(factory) as session:  # point the event at another version, as tampering would
        [event] = [e for e in log.history(session, case) if e.event_type == "instance.migrated"]
        event.payload = {**event.payload, "to_definition_id": event.payload["from_definition_id"]}
    with unit_of_work(factory) as session:
        report = replay.replay_case(session, case)
    assert not report.consistent and report.divergence.event_type == "instance.migrated"


def test_completed_tasks_of_the_old_version_stay_out_of_the_new_state(factory, world, at, v1_cases):
    _, case, _ = v1_cases
    migrate(factory, world.regisseur, at(), case)
    with unit_of_work(factory) as session:
        state = session.get(Case, case).state
        done = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == case, HumanTask.state == TaskState.COMPLETED))
    assert '"intake"' not in state, "the state names only elements of the version it runs on"
    assert done == 1, "the task index keeps the history"


def test_audit_event_time_is_the_migration_time(factory, world, at, v1_cases):
    when = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    migrate(factory, world.regisseur, when, v1_cases[1])
    [event] = events(factory, v1_cases[1], "instance.migrated")
    assert event.occurred_at == when and event.actor_username == "regisseur"
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.event_type == "instance.migrated")) == 1


def test_a_parallel_case_with_a_subprocess_and_a_call_activity_moves_and_still_completes(factory, world, forms,
                                                                                         at):
    deploy(factory, world.regisseur, at(), forms, "parallel_sub.bpmn", "riec_opschaling.bpmn")
    case = start(factory, world.af, at(), "parallel_sub", {"signalen": ["a", "b"]})
    complete(factory, world.zoco, at.advance(hours=1), forms, ready(factory, case)["zorg"].id)
    deploy(factory, world.regisseur, at(), forms, "parallel_sub.bpmn", comment="dezelfde route, nieuwe versie")
    before = ready(factory, case)
    migrate(factory, world.regisseur, at.advance(hours=1), case)
    assert {k: v.id for k, v in ready(factory, case).items()} == {k: v.id for k, v in before.items()}
    complete(factory, world.oov, at.advance(hours=1), forms, ready(factory, case)["casustafel"].id)
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["sub_taak"].id)
    assert list(ready(factory, case)) == ["afronden"], "the join waits for every branch on the new version too"
    assert complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["afronden"].id) == "completed"
    assert_replays(factory, case)


def test_a_term_the_new_version_adds_to_an_open_task_is_noted_and_the_task_completes_without_it(factory, world,
                                                                                              forms, at, v1_cases):
    _, case, _ = v1_cases
    migrate(factory, world.regisseur, at(), case)
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["beoordelen"].id)
    deploy(factory, world.regisseur, at(), forms, "migratie_v3.bpmn")
    [planned] = [c for c in plan(factory, world.regisseur, to_version=3).cases if c.instance_id == case]
    assert planned.eligible
    assert planned.notes == ["'Controle te laat' uit versie 3 geldt niet voor de taak 'Controleren' die al openstaat"]
    migrate(factory, world.regisseur, at.advance(minutes=1), case, to_version=3)
    assert waiting_timers(factory, case) == [], "the new term is not armed for the open task"
    [event] = events(factory, case, "instance.migrated")[-1:]
    assert event.payload["notes"] == planned.notes
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["controleren"].id)
    assert list(ready(factory, case)) == ["afsluiten"]
    assert_replays(factory, case)


def test_the_plan_reads_cases_in_batches_and_still_lists_every_case_the_same(factory, world, forms, at,
                                                                            monkeypatch):
    deploy(factory, world.regisseur, at(), forms, "migratie_v1.bpmn")
    cases = [start(factory, world.af, at(), "migratie", {"melding": str(n)}) for n in range(7)]
    for case in cases[::2]:  # seven cases in batches of 3, 3 and 1; some can move, some cannot
        complete(factory, world.af, at(), forms, ready(factory, case)["intake"].id, {"x": 1})
    deploy(factory, world.regisseur, at(), forms, "migratie_v2.bpmn")
    whole = plan(factory, world.regisseur)

    loaded_at_once: list[int] = []
    dry_run = migration._dry_run

    def counting(session, instance, target, now):
        gc.collect()
        loaded_at_once.append(sum(1 for o in session.identity_map.values()
                                  if isinstance(o, Case) and "state" in o.__dict__))
        return dry_run(session, instance, target, now)

    monkeypatch.setattr(migration, "BATCH", 3)
    monkeypatch.setattr(migration, "_dry_run", counting)
    batched = plan(factory, world.regisseur)
    assert batched == whole, "paging changes nothing in the plan"
    assert [c.instance_id for c in batched.cases] == cases
    assert [c.instance_id for c in batched.eligible] == cases[::2]
    assert len(loaded_at_once) == 7 and max(loaded_at_once) <= 3, loaded_at_once


def test_the_revertible_list_is_the_same_when_read_in_batches(factory, world, at, v1_cases, monkeypatch):
    at_intake, at_beoordelen, waiting = v1_cases
    migrate(factory, world.regisseur, at(), at_beoordelen)
    whole = plan(factory, world.regisseur).revertible
    monkeypatch.setattr(migration, "BATCH", 1)
    assert plan(factory, world.regisseur).revertible == whole
    assert [r.instance_id for r in whole] == [at_beoordelen]


def test_an_auditor_steps_through_a_migrated_and_reverted_case_on_the_versions_in_force(
        factory, world, forms, at, v1_cases):
    """The step-through used to run every step on the case's current version: wrong (or a crash) for a
    migrated case. It follows the versions like replay does."""
    from engine.audit import replay_trace

    _, case, _ = v1_cases
    migrate(factory, world.regisseur, at.advance(minutes=1), case)
    revert(factory, world.regisseur, at.advance(minutes=1), case)
    migrate(factory, world.regisseur, at.advance(minutes=1), case)
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["beoordelen"].id)
    with unit_of_work(factory) as session:
        trace = replay_trace.trace(session, actor=world.auditor, now=at(), instance_id=case)
    assert trace.consistent and trace.divergence is None
    assert [step.event_type for step in trace.steps][-4:] == [
        "instance.migrated", "instance.migration_reverted", "instance.migrated", "task.completed"]
    assert trace.steps[0].active == ["migratie:intake"], "before the move the case ran on v1 (v2 says aanmelden)"
    assert trace.steps[-1].active == ["migratie:controleren"], "after the move the case runs on v2"
    assert "migratie:beoordelen" in trace.steps[-4].active and "migratie:beoordelen" in trace.steps[-3].active
