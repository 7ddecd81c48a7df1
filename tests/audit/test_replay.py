"""Replay: every case re-executes from its audit log to exactly its stored state; tampering shows."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from engine.accounts.actors import Actor
from engine.audit import replay
from engine.db import unit_of_work
from engine.errors import Forbidden
from engine.models import AuditEvent, ModelFile
from signaalroute import passes
from signaalroute.cli import main
from tests.support.helpers import complete, deploy, ready, start

# Hashes and replay over payloads that PostgreSQL stores as JSONB (keys reordered), tampered with in SQL.
pytestmark = pytest.mark.postgres

SYSTEM = Actor.system("test")


def replay_report(factory, case):
    with unit_of_work(factory) as session:
        return replay.replay_for(session, actor=SYSTEM, now=datetime.now(UTC), instance_id=case)


def assert_consistent(factory, case, steps):
    report = replay_report(factory, case)
    assert report.divergence is None and report.consistent, report.divergence
    assert report.steps == steps


def test_a_routed_case_replays_to_its_stored_state(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "routering.bpmn", "partner_per_vorm.dmn")
    case = start(factory, world.af, at(), "routering")
    [task] = ready(factory, case).values()
    complete(factory, world.af, at.advance(hours=1), forms, task.id, {"vorm": "AU"})
    assert_consistent(factory, case, steps=2)


def test_a_case_with_fired_timers_replays(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, at(), "terugkoppeling_bewaken")
    passes.fire_due_timers(factory, now=at.advance(days=4))
    [task] = ready(factory, case).values()
    complete(factory, world.af, at.advance(hours=1), forms, task.id, {"herinnerd": True})
    assert_consistent(factory, case, steps=3)


def test_a_long_looping_case_replays_through_pruning(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "lus.bpmn")
    case = start(factory, world.af, at(), "lopend_signaal")
    for meeting in range(40):
        [task] = ready(factory, case).values()
        complete(factory, world.af, at.advance(days=7), forms, task.id,
                 {"besluit": "afgerond" if meeting == 39 else "lopend"})
    assert_consistent(factory, case, steps=41)


@pytest.mark.parametrize("seed", range(8))
def test_random_paths_through_parallel_work_and_subprocesses_replay(factory, world, forms, at, seed):
    """Property: whatever order people finish parallel work in, replay reproduces the state."""
    rng = random.Random(seed)
    deploy(factory, world.regisseur, at(), forms, "riec_opschaling.bpmn")
    deploy(factory, world.regisseur, at(), forms, "parallel_sub.bpmn")
    case = start(factory, world.af, at(), "parallel_sub", {"signalen": ["x"] * rng.randint(0, 4)})
    people = {"zorg": world.zoco, "casustafel": world.oov, "sub_taak": world.af, "afronden": world.af}
    steps = 1
    while tasks := ready(factory, case):
        element = rng.choice(sorted(tasks))
        complete(factory, people[element], at.advance(minutes=rng.randint(1, 600)), forms, tasks[element].id,
                 {f"{element}_waarde": rng.randint(0, 100)})
        steps += 1
        if rng.random() < 0.3:
            assert_consistent(factory, case, steps=steps)
    assert_consistent(factory, case, steps=steps)


def test_a_model_edited_in_place_is_reported_at_the_step_it_changes(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "routering.bpmn", "partner_per_vorm.dmn")
    case = start(factory, world.af, at(), "routering")
    [task] = ready(factory, case).values()
    complete(factory, world.af, at.advance(hours=1), forms, task.id, {"vorm": "AU"})
    with unit_of_work(factory) as session:
        row = session.scalar(select(ModelFile).where(ModelFile.filename == "routering.bpmn"))
        row.content = row.content.replace(b'partner == "arbeidsinspectie"', b'partner == "niemand"')
    report = replay_report(factory, case)
    assert not report.consistent
    assert (report.divergence.step, report.divergence.event_type) == (2, "task.completed")
    assert report.divergence.expected != report.divergence.actual
    assert report.divergence.message == (f"Toestand na stap 2 (Taak afgerond: ‘{task.name}’) wijkt af van de "
                                         "vastgelegde toestand"), "the step is named in words"


def test_a_step_that_cannot_be_redone_is_named_in_words_never_by_task_id(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "routering.bpmn", "partner_per_vorm.dmn")
    case = start(factory, world.af, at(), "routering")
    [task] = ready(factory, case).values()
    complete(factory, world.af, at(), forms, task.id, {"vorm": "AU"})
    stranger = "00000000-0000-4000-8000-000000000000"
    with unit_of_work(factory) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.completed"))
        session.execute(update(AuditEvent).where(AuditEvent.id == event.id)
                        .values(payload={**event.payload, "spiff_task_id": stranger}))
    message = replay_report(factory, case).divergence.message
    assert message == (f"Stap 2 (Taak afgerond: ‘{task.name}’) kan niet opnieuw worden uitgevoerd: deze taak of "
                       "termijn staat op dit punt niet (meer) klaar in het model")
    assert stranger not in message


def test_edited_audit_data_is_reported_at_its_step(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "routering.bpmn", "partner_per_vorm.dmn")
    case = start(factory, world.af, at(), "routering")
    [task] = ready(factory, case).values()
    complete(factory, world.af, at(), forms, task.id, {"vorm": "AU"})
    with unit_of_work(factory) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.completed"))
        session.execute(update(AuditEvent).where(AuditEvent.id == event.id)
                        .values(payload={**event.payload, "data": {"vorm": "SU"}}))
    report = replay_report(factory, case)
    assert report.divergence.step == 2 and report.divergence.event_seq == event.seq


def test_only_auditors_replay_and_the_replay_is_audited(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    for actor in (world.af, world.beheerder):
        with pytest.raises(Forbidden), unit_of_work(factory) as session:
            replay.replay_for(session, actor=actor, now=at(), instance_id=case)
    with unit_of_work(factory) as session:
        assert replay.replay_for(session, actor=world.auditor, now=at(), instance_id=case).consistent
    with unit_of_work(factory) as session:
        replayed = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "instance.replayed")).all()
        assert [(e.actor_username, e.payload["consistent"]) for e in replayed] == [("auditor", True)]


def test_the_cli_replays_all_cases_and_fails_on_a_divergence(factory, world, forms, at, db_url, monkeypatch):
    deploy(factory, world.regisseur, at(), forms, "routering.bpmn", "partner_per_vorm.dmn")
    cases = [start(factory, world.af, at(), "routering") for _ in range(3)]
    [task] = ready(factory, cases[0]).values()
    complete(factory, world.af, at(), forms, task.id, {"vorm": "AU"})
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "x" * 64)
    dry = CliRunner().invoke(main, ["afspelen", "--alle", "--droog"])
    assert dry.exit_code == 0 and "3 zaak/zaken opnieuw afgespeeld (droog gecontroleerd" in dry.output
    with unit_of_work(factory) as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.event_type == "instance.replayed")).all()
    ok = CliRunner().invoke(main, ["afspelen", "--alle", "--door", "Jan de Vries"])
    assert ok.exit_code == 0 and "3 zaak/zaken opnieuw afgespeeld (vastgelegd als opdrachtregel (Jan de Vries)): " \
        "alle consistent." in ok.output
    with unit_of_work(factory) as session:
        replayed = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "instance.replayed")).all()
        assert {(e.actor_username, e.actor_id) for e in replayed} == {("opdrachtregel (Jan de Vries)", None)}
        assert len(replayed) == 3
    monkeypatch.setattr("getpass.getuser", lambda: "beheer01")
    with unit_of_work(factory) as session:
        row = session.scalar(select(ModelFile).where(ModelFile.filename == "partner_per_vorm.dmn"))
        row.content = row.content.replace(b"<text>vorm</text>", b"<text>vorm + 1</text>")
    failed = CliRunner().invoke(main, ["afspelen", "--alle"])
    assert failed.exit_code == 1
    assert f"Zaak {cases[0]}: wijkt af bij stap 2 (auditgebeurtenis 2, Taak afgerond)" in failed.output
    assert "1 van 3 zaak/zaken wijken af." in failed.output
    with unit_of_work(factory) as session:
        by_os_user = session.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "instance.replayed",
            AuditEvent.actor_username == "opdrachtregel (beheer01)")).all()
        assert len(by_os_user) == 3, "without --door the operating-system user is recorded"


@pytest.mark.postgres
def test_replay_in_another_process_agrees_whatever_the_key_order_of_the_data(factory, world, forms, at, db_url):
    """Another process (other hash seeds) and data read back from JSONB (which reorders keys)
    must still reproduce the stored state exactly."""
    import os
    import subprocess
    import sys

    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken", {"b": {"z": 1, "a": [1, {"y": 2, "c": 3}]}, "a": 0})
    [task] = ready(factory, case).values()
    complete(factory, world.af, at(), forms, task.id,
             {"vorm": "SU", "samenvatting": "x", "datum_signaal": "2026-03-01"})
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "SIGNAALROUTE_DATABASE_URL": db_url,
               "SIGNAALROUTE_SECRET_KEY": "x" * 64}
        result = subprocess.run([sys.executable, "-c", "from signaalroute.cli import main; main()",
                                 "afspelen", "--alle"], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "alle consistent" in result.stdout
