"""Tampering with audit rows directly in the database is caught, per case, by `audit controleren`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from engine.accounts.actors import Actor
from engine.audit import anchor, log
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.retention import retention
from engine.retention.retention_rules import load_rules
from signaalroute.cli import main
from tests.support.audit import last_seq, log_problems, seal, sql
from tests.support.helpers import start
from tests.support.retention import write_rules

# Hashes and replay over payloads that PostgreSQL stores as JSONB (keys reordered), tampered with in SQL.
pytestmark = pytest.mark.postgres


def problems(factory):
    return log_problems(factory)


def test_an_untouched_log_verifies_and_the_cli_says_so(factory, cases, db_url, monkeypatch, tmp_path):
    assert problems(factory) == ({}, [])
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("SIGNAALROUTE_INSTANCE_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["audit", "controleren"])
    assert result.exit_code == 0 and "Auditlog intact: 3 keten(s)" in result.output


def test_a_changed_byte_of_data_is_caught_in_its_own_case_only(factory, cases):
    chain = f"instance:{cases[0]}"
    sql(factory, "UPDATE audit_event SET actor_username = 'iemand_anders' WHERE chain = :c AND seq = 2", c=chain)
    found, _ = problems(factory)
    assert list(found) == [chain]
    assert [(p.seq, p.kind) for p in found[chain]] == [(2, "gewijzigd")]


def test_a_changed_byte_of_a_hash_is_caught(factory, cases):
    chain = f"instance:{cases[0]}"
    with unit_of_work(factory) as session:
        stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.chain == chain, AuditEvent.seq == 1))
    flipped = ("1" if stored[0] == "0" else "0") + stored[1:]
    sql(factory, "UPDATE audit_event SET hash = :h WHERE chain = :c AND seq = 1", h=flipped, c=chain)
    found, _ = problems(factory)
    kinds = [(p.seq, p.kind) for p in found[chain]]
    assert kinds == [(1, "gewijzigd"), (2, "volgorde")], "its own hash and its successor's link both break"


def test_a_deleted_middle_event_is_caught(factory, cases):
    chain = f"instance:{cases[1]}"
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = 2", c=chain)
    found, _ = problems(factory)
    assert {(p.seq, p.kind) for p in found[chain]} >= {(3, "ontbreekt"), (3, "volgorde")}


def test_an_inserted_event_is_caught(factory, cases):
    chain = f"instance:{cases[0]}"
    with unit_of_work(factory) as session:
        original = session.scalar(select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == 2))
        forged = {c.name: getattr(original, c.name) for c in AuditEvent.__table__.columns if c.name != "id"}
    sql(factory, "UPDATE audit_event SET seq = seq + 100 WHERE chain = :c AND seq >= 2", c=chain)
    sql(factory, "UPDATE audit_event SET seq = seq - 99 WHERE chain = :c AND seq >= 100", c=chain)
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


def test_deleting_the_last_event_before_any_seal_is_caught_by_the_chain_head(factory, cases):
    chain = f"instance:{cases[1]}"
    last = last_seq(factory, chain)
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = :s", c=chain, s=last)
    found, seals = problems(factory)
    assert seals == [] and list(found) == [chain]
    assert [(p.seq, p.kind) for p in found[chain]] == [(last, "ontbreekt")]


def test_deleting_the_last_event_and_its_head_is_caught_by_the_seal(factory, cases, at):
    seal(factory, at())
    chain = f"instance:{cases[1]}"
    last = last_seq(factory, chain)
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = :s", c=chain, s=last)
    sql(factory, "UPDATE audit_chain_head SET seq = :s, hash = (SELECT hash FROM audit_event WHERE chain = :c "
                 "AND seq = :s) WHERE chain = :c", c=chain, s=last - 1)
    found, _ = problems(factory)
    assert [(p.seq, p.kind, p.message) for p in found[chain]] == [
        (last, "ontbreekt", "Gebeurtenis die bij de laatste zegel bestond, ontbreekt")]


def test_sealing_after_a_cut_does_not_seal_the_cut_in(factory, cases, at):
    chain = f"instance:{cases[1]}"
    last = last_seq(factory, chain)
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = :s", c=chain, s=last)
    seal(factory, at.advance(minutes=5))
    found, seals = problems(factory)
    assert seals == []
    assert {(p.seq, p.kind) for p in found[chain]} == {(last, "ontbreekt")}, "head and seal still name the lost event"


def test_a_seal_remade_without_the_key_is_caught(factory, cases, at):
    """A DBA cuts the last event, moves the head and re-seals with a key of their own: the signature shows it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from engine.audit.seal_key import SealKey

    chain = f"instance:{cases[1]}"
    last = last_seq(factory, chain)
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = :s", c=chain, s=last)
    sql(factory, "UPDATE audit_chain_head SET seq = :s, hash = (SELECT hash FROM audit_event WHERE chain = :c "
                 "AND seq = :s) WHERE chain = :c", c=chain, s=last - 1)
    with unit_of_work(factory) as session:
        anchor.seal(session, now=at(), key=SealKey(Ed25519PrivateKey.generate()))
    _, seals = problems(factory)
    assert [(p.seq, p.kind, p.message) for p in seals] == [
        (1, "gewijzigd", f"Zegel van {at():%Y-%m-%d %H:%M:%S} is niet gemaakt met de ingestelde zegelsleutel")]


def test_a_seal_with_a_forged_signature_or_none_is_caught(factory, cases, at):
    seal(factory, at())
    seal(factory, at.advance(minutes=5))
    sql(factory, "UPDATE audit_anchor SET signature = :s WHERE id = 2", s="A" * 88)
    _, seals = problems(factory)
    when = f"{at():%Y-%m-%d %H:%M:%S}"
    assert [(p.seq, p.message) for p in seals] == [(2, f"Handtekening van zegel van {when} klopt niet")]
    sql(factory, "UPDATE audit_anchor SET signature = NULL, key_id = NULL WHERE id = 2")
    _, seals = problems(factory)
    assert [p.seq for p in seals] == [2], "an unsigned seal after a signed one is refused"


def test_a_deleted_seal_is_caught(factory, cases, at):
    seal(factory, at())
    seal(factory, at.advance(days=1))
    sql(factory, "DELETE FROM audit_anchor WHERE id = 1")
    _, seals = problems(factory)
    assert [p.kind for p in seals] == ["gewijzigd"]


def test_a_seal_holds_only_the_heads_that_moved_and_folding_covers_every_case(factory, world, forms, cases, at):
    from engine.models import AuditAnchor

    first = seal(factory, at())
    later = start(factory, world.af, at.advance(minutes=1), "drie_taken")
    second = seal(factory, at.advance(minutes=5))
    with unit_of_work(factory) as session:
        assert set(session.get(AuditAnchor, first).heads) == {"system", *(f"instance:{c}" for c in cases)}
        assert set(session.get(AuditAnchor, second).heads) == {f"instance:{later}"}
        folded = anchor.fold(anchor.stored_seals(session))
    assert set(folded) == {"system", f"instance:{later}", *(f"instance:{c}" for c in cases)}


# --- exported seals: the database against what left it -------------------------------------------------------

@pytest.fixture
def cli_env(db_url, monkeypatch, tmp_path):
    from engine.audit.seal_key import default_key_path, ensure_seal_key

    export = tmp_path / "zegels.jsonl"
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("SIGNAALROUTE_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("SIGNAALROUTE_ZEGEL_EXPORT", str(export))
    ensure_seal_key(default_key_path(tmp_path))
    return export


def test_seals_are_exported_as_made_and_verify_against_the_database(factory, cases, cli_env):
    made = CliRunner().invoke(main, ["audit", "zegelen"])
    assert made.exit_code == 0 and "1 zegel(s) geëxporteerd" in made.output
    [line] = cli_env.read_text().splitlines()
    assert '"instance:' in line and "signature" in line
    result = CliRunner().invoke(main, ["audit", "controleren", "--zegels", str(cli_env)])
    assert result.exit_code == 0, result.output
    assert "ook tegen 1 geëxporteerde zegel(s)" in result.output
    assert len(cli_env.read_text().splitlines()) == 2, "the verification sealed and exported too"


def test_rewriting_history_and_its_seals_in_the_database_is_caught_by_the_export(factory, cases, cli_env):
    """Someone with database access alone deletes a case's last event, its head and every seal: the file remains."""
    assert CliRunner().invoke(main, ["audit", "zegelen"]).exit_code == 0
    chain = f"instance:{cases[0]}"
    last = last_seq(factory, chain)
    sql(factory, "DELETE FROM audit_event WHERE chain = :c AND seq = :s", c=chain, s=last)
    sql(factory, "UPDATE audit_chain_head SET seq = :s, hash = (SELECT hash FROM audit_event WHERE chain = :c "
                 "AND seq = :s) WHERE chain = :c", c=chain, s=last - 1)
    sql(factory, "DELETE FROM audit_anchor")
    without = CliRunner().invoke(main, ["audit", "controleren"])
    assert without.exit_code == 0, "the database alone looks whole"
    result = CliRunner().invoke(main, ["audit", "controleren", "--zegels", str(cli_env)])
    assert result.exit_code != 0
    assert f"{chain} #{last}: ontbreekt - Gebeurtenis die bij de laatste zegel bestond, ontbreekt" in result.output
    assert "zegel #1: " in result.output, "the exported seal is missing or differs in the database"


def test_a_damaged_export_file_is_refused_in_dutch(cases, cli_env):
    cli_env.write_text("geen zegel\n")
    result = CliRunner().invoke(main, ["audit", "controleren", "--zegels", str(cli_env)])
    assert result.exit_code != 0 and "Regel 1 van" in result.output and "is geen zegel" in result.output


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
