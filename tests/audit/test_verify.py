"""Tampering with audit rows directly in the database is caught, per case, by `audit verify`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update

from engine.actors import Actor
from engine.audit import anchor, log, verify
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.retention_rules import load_rules
from engine.services import retention
from signaalroute.cli import main
from tests.retention_support import write_rules
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


# --- erased payloads (retention): the chain hash covers a digest of the payload, not the payload -------------

@pytest.fixture
def destroyed(factory, cases, at, tmp_path):
    """The first case destroyed under the retention rules: its payloads erased, their digests kept."""
    rules = load_rules(write_rules(tmp_path))
    with unit_of_work(factory) as session:
        record = retention.destroy_case(session, rules=rules, instance_id=cases[0], actor=Actor.system("planner"),
                                        now=at.advance(days=3 * 365), trigger=retention.PLANNER)
    assert record is not None
    return cases[0]


def test_the_erased_payloads_of_a_destroyed_case_verify(factory, destroyed):
    with unit_of_work(factory) as session:
        assert {str(e.payload) for e in log.history(session, destroyed)} == {str(log.ERASED)}
    assert problems(factory) == ({}, [])


def test_an_edited_digest_is_caught(factory, cases, destroyed):
    for case in cases:  # the live case and the destroyed one alike
        sql(factory, "UPDATE audit_event SET payload_sha256 = :d WHERE chain = :c AND seq = 2",
            d="0" * 64, c=f"instance:{case}")
    found, _ = problems(factory)
    assert {chain: [(p.seq, p.kind) for p in found[chain]] for chain in found} == {
        f"instance:{cases[0]}": [(2, "gewijzigd")],
        f"instance:{cases[1]}": [(2, "gewijzigd"), (2, "gewijzigd")],  # no longer the payload's, and not hashed
    }


def test_an_erased_payload_with_the_digest_of_other_content_is_caught(factory, destroyed):
    other = log.payload_digest({"element_id": "verrijken", "data": {"vorm": "AU", "samenvatting": "Iets anders"}})
    sql(factory, "UPDATE audit_event SET payload_sha256 = :d WHERE chain = :c AND seq = 2",
        d=other, c=f"instance:{destroyed}")
    found, _ = problems(factory)
    assert [(p.seq, p.kind) for p in found[f"instance:{destroyed}"]] == [(2, "gewijzigd")]


def test_erasing_a_payload_of_a_case_that_was_not_destroyed_is_caught(factory, cases):
    chain = f"instance:{cases[1]}"
    with unit_of_work(factory) as session:
        session.execute(update(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 2)
                        .values(payload=log.ERASED))
    found, _ = problems(factory)
    assert [(p.seq, p.message) for p in found[chain]] == [
        (2, "Inhoud is gewist, maar de vernietiging van de zaak is niet vastgelegd")]


def test_an_edited_payload_no_longer_matches_its_digest(factory, cases):
    chain = f"instance:{cases[1]}"
    with unit_of_work(factory) as session:
        session.execute(update(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 2)
                        .values(payload={"element_id": "verrijken", "data": {"vorm": "AU"}}))
    found, _ = problems(factory)
    assert [(p.seq, p.kind, p.message) for p in found[chain]] == [
        (2, "gewijzigd", "Inhoud komt niet overeen met de vastgelegde hash")]
