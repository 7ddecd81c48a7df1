"""One case's integrity, as the history, replay, dossier and exports show it."""

from __future__ import annotations

import pytest

from engine.audit import case_integrity
from engine.db import unit_of_work
from tests.support.audit import TEST_SEAL_KEY, last_seq, seal, sql

# Hashes and replay over payloads that PostgreSQL stores as JSONB (keys reordered), tampered with in SQL.
pytestmark = pytest.mark.postgres


def integrity(factory, case, at):
    with unit_of_work(factory) as session:
        return case_integrity.check_case(session, instance_id=case, verifier=TEST_SEAL_KEY.verifier, now=at())


def test_an_untouched_sealed_case_reads_intact_with_its_last_seal(factory, cases, at):
    assert integrity(factory, cases[0], at).statement.startswith("Intact, gecontroleerd op ")
    assert "nog geen zegel" in integrity(factory, cases[0], at).statement
    seal(factory, at())
    at.advance(minutes=1)
    found = integrity(factory, cases[0], at)
    assert found.intact and found.events == 3
    assert f"laatste zegel {at().day} " in found.statement


def test_a_changed_event_flags_that_event_and_only_that_case(factory, cases, at):
    sql(factory, "UPDATE audit_event SET actor_username = 'iemand' WHERE chain = :c AND seq = 2",
        c=f"instance:{cases[0]}")
    broken = integrity(factory, cases[0], at)
    assert not broken.intact and broken.statement.startswith("NIET intact")
    assert broken.problems_at(2) == ["gewijzigd: Inhoud komt niet overeen met de vastgelegde hash"]
    assert broken.problems_at(1) == [] and integrity(factory, cases[1], at).intact


def test_a_cut_tail_after_a_seal_shows_as_missing(factory, cases, at):
    seal(factory, at())
    chain = f"instance:{cases[1]}"
    last = last_seq(factory, chain)
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = :s", c=chain, s=last)
    sql(factory, "UPDATE audit_chain_head SET seq = :s, hash = (SELECT hash FROM audit_event WHERE chain = :c "
                 "AND seq = :s) WHERE chain = :c", c=chain, s=last - 1)
    broken = integrity(factory, cases[1], at)
    assert [(p.seq, p.kind) for p in broken.missing] == [(last, "ontbreekt")]


def test_a_forged_seal_makes_the_case_not_intact(factory, cases, at):
    seal(factory, at())
    sql(factory, "UPDATE audit_anchor SET signature = :s", s="A" * 88)
    broken = integrity(factory, cases[0], at)
    assert not broken.intact and "handtekening klopt NIET" in broken.statement
