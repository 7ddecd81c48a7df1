"""Every `audit controleren` run is recorded: from the command line, the nightly job and the beheer page."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.accounts.actors import Actor
from engine.audit import log, seal_export, verification
from engine.db import unit_of_work
from engine.errors import Forbidden
from engine.models import AuditAnchor, AuditVerification
from scheduler import jobs
from scheduler.leader import Leadership
from signaalroute.cli import main
from tests.support.audit import TEST_SEAL_KEY, VALID, sql
from tests.support.helpers import complete, deploy, ready, start


@pytest.fixture
def case(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.melder, at(), "drie_taken", {"melder_naam": "Marieke Jansen"})
    complete(factory, world.af, at.advance(minutes=1), forms, ready(factory, case)["verrijken"].id, VALID)
    return case


def runs(factory):
    with unit_of_work(factory) as session:
        return list(session.scalars(select(AuditVerification).order_by(AuditVerification.id)))


def cli(db_url, monkeypatch, instance_dir, *args):
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_INSTANCE_DIR", str(instance_dir))
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "x" * 64)
    return CliRunner().invoke(main, list(args))


def test_the_cli_records_an_intact_run_with_what_it_checked(factory, case, db_url, monkeypatch, tmp_path):
    with unit_of_work(factory) as session:
        events = log.count(session)
    result = cli(db_url, monkeypatch, tmp_path, "audit", "controleren")
    assert result.exit_code == 0, result.output
    assert f"Auditlog intact: 2 keten(s), {events} gebeurtenis(sen) en 0 zegel(s) gecontroleerd." in result.output
    [run] = runs(factory)
    assert (run.trigger, run.run_by, run.ok, run.chains_checked, run.events_checked, run.problems) == (
        "cli", "cli", True, 2, events, [])


def test_a_tampered_chain_is_recorded_per_case_without_personal_data(factory, case, db_url, monkeypatch, tmp_path):
    sql(factory, "UPDATE audit_event SET actor_username = 'iemand_anders' WHERE chain = :c AND seq = 1",
        c=f"instance:{case}")
    result = cli(db_url, monkeypatch, tmp_path, "audit", "controleren")
    assert result.exit_code == 1 and "NIET intact: 1 van 2 keten(s)" in result.output
    [run] = runs(factory)
    assert run.ok is False
    assert run.problems == [{"chain": f"instance:{case}", "instance_id": case, "seq": 1, "kind": "gewijzigd",
                             "message": "Inhoud komt niet overeen met de vastgelegde hash"}]
    assert "Marieke" not in str(run.problems) and "iemand_anders" not in str(run.problems)


def leading(factory, job, **runtime):
    leadership = Leadership(factory.kw["bind"])
    assert leadership.try_acquire()
    jobs.install(jobs.Runtime(factory=factory, leadership=leadership, seal_key=TEST_SEAL_KEY, **runtime))
    try:
        job()
    finally:
        leadership.release()


@pytest.mark.postgres
def test_the_nightly_job_verifies_then_seals_and_records_the_run(factory, case, at):
    leading(factory, jobs.verify_audit_log)
    [run] = runs(factory)
    assert (run.trigger, run.run_by, run.ok) == ("planner", "planner", True)
    with unit_of_work(factory) as session:
        [seal] = session.scalars(select(AuditAnchor))
        assert set(seal.heads) == {"system", f"instance:{case}"} and seal.key_id == TEST_SEAL_KEY.key_id


@pytest.mark.postgres
def test_the_frequent_job_seals_what_moved_and_exports_it_once(factory, world, case, at, tmp_path):
    export = tmp_path / "zegels.jsonl"
    leading(factory, jobs.seal_audit_log, seal_export=str(export))
    leading(factory, jobs.seal_audit_log, seal_export=str(export))
    first, second = [seal_export.record_of(line) for line in export.read_text().splitlines()]
    assert set(first.heads) == {"system", f"instance:{case}"} and second.heads == {}, "nothing moved in between"
    assert second.prev_digest == first.digest and TEST_SEAL_KEY.verifier.verifies(second.digest, second.signature)
    with unit_of_work(factory) as session:
        assert all(seal.exported_at is not None for seal in session.scalars(select(AuditAnchor)))


def test_only_beheerders_and_auditors_see_or_start_a_check(factory, world, at, case):
    with unit_of_work(factory) as session:
        made = verification.run_now(session, actor=world.beheerder, now=at(), key=TEST_SEAL_KEY)
        assert (made.trigger, made.run_by, made.run_by_role) == ("web", "beheerder", "beheerder")
        assert [r.id for r in verification.recent(session, actor=world.auditor)] == [made.id]
    for person in (world.af, world.politie, Actor.system("iemand")):
        with pytest.raises(Forbidden), unit_of_work(factory) as session:
            verification.run_now(session, actor=person, now=at(), key=TEST_SEAL_KEY)
        with pytest.raises(Forbidden), unit_of_work(factory) as session:
            verification.recent(session, actor=person)
