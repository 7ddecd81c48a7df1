"""Tampering with audit rows directly in the database is caught, per case, by `audit verify`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from engine.audit import anchor, verify
from engine.db import unit_of_work
from engine.models import AuditEvent
from signaalroute.cli import main
from tests.services.helpers import complete, deploy, ready, start

VALID = {"vorm": "SU", "samenvatting": "Signaal"}


@pytest.fixture
def cases(factory, world, forms, at):
    """Two cases with four events each in their chains."""
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    ids = []
    for _ in range(2):
        case = start(factory, world.af, at.advance(minutes=1), "drie_taken")
        [task] = ready(factory, case).values()
        complete(factory, world.af, at.advance(minutes=1), forms, task.id, VALID)
        ids.append(case)
    return ids


def sql(factory, statement, **params):
    with unit_of_work(factory) as session:
        session.execute(text(statement), params)


def problems(factory):
    with unit_of_work(factory) as session:
        return verify.verify_all(session), anchor.verify_anchors(session)


def test_an_untouched_log_verifies_and_the_cli_says_so(factory, cases, db_url, monkeypatch, tmp_path):
    assert problems(factory) == ({}, [])
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "x" * 64)
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 0 and "Auditlog intact: 3 keten(s)" in result.output


def test_an_edited_payload_is_caught_in_its_own_case_only(factory, cases):
    chain = f"instance:{cases[0]}"
    sql(factory, "UPDATE audit_event SET actor_username = 'iemand_anders' WHERE chain = :c AND seq = 2", c=chain)
    found, _ = problems(factory)
    assert list(found) == [chain]
    assert [(p.seq, p.kind) for p in found[chain]] == [(2, "gewijzigd")]


def test_a_deleted_event_is_caught(factory, cases):
    chain = f"instance:{cases[1]}"
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = 1", c=chain)
    found, _ = problems(factory)
    assert {p.kind for p in found[chain]} >= {"ontbreekt", "volgorde"}


def test_an_inserted_event_is_caught(factory, cases):
    chain = f"instance:{cases[0]}"
    with unit_of_work(factory) as session:
        original = session.scalar(select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 2))
        forged = {c.name: getattr(original, c.name) for c in AuditEvent.__table__.columns if c.name != "id"}
    sql(factory, "UPDATE audit_event SET seq = seq + 1 WHERE chain = :c AND seq >= 2", c=chain)
    with unit_of_work(factory) as session:
        session.add(AuditEvent(**{**forged, "payload": {"vals": True}}))
    found, _ = problems(factory)
    assert found[chain], "an inserted event breaks the chain"


def test_reordered_events_are_caught(factory, cases):
    chain = f"instance:{cases[0]}"
    sql(factory, "UPDATE audit_event SET seq = 100 WHERE chain = :c AND seq = 1", c=chain)
    sql(factory, "UPDATE audit_event SET seq = 1 WHERE chain = :c AND seq = 2", c=chain)
    sql(factory, "UPDATE audit_event SET seq = 2 WHERE chain = :c AND seq = 100", c=chain)
    found, _ = problems(factory)
    assert {p.kind for p in found[chain]} >= {"volgorde"}


def test_cutting_off_the_newest_events_is_caught_by_the_anchor(factory, cases, at):
    with unit_of_work(factory) as session:
        anchor.seal(session, now=at())
    chain = f"instance:{cases[1]}"
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = 2", c=chain)
    found, anchored = problems(factory)
    assert found == {}, "the chain itself still looks whole"
    assert [(p.chain, p.seq, p.kind) for p in anchored] == [(chain, 2, "ontbreekt")]


def test_an_edited_anchor_is_caught(factory, cases, at):
    with unit_of_work(factory) as session:
        anchor.seal(session, now=at())
        anchor.seal(session, now=at.advance(days=1))
    sql(factory, "DELETE FROM audit_anchor WHERE id = 1")
    _, anchored = problems(factory)
    assert [p.kind for p in anchored] == ["gewijzigd"]
