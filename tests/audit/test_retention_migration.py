"""Migration 0012 moves the audit log to hashes over payload digests without laundering earlier tampering."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from engine.audit import log
from engine.db import make_engine, make_session_factory, normalize_url, unit_of_work
from engine.db.migrate import downgrade, upgrade
from tests.support.audit import log_problems
from tests.support.base import BACKENDS, PG_URL, START, create_pg_database


def _canonical(fields):
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _old_hash(row, prev):
    """The scheme up to 0011: the hash covered the payload itself."""
    fields = {k: row[k] for k in ("chain", "seq", "instance_id", "event_type", "actor_id", "actor_username",
                                  "actor_role", "actor_organisation", "definition_id", "task_id")}
    fields |= {"occurred_at": row["occurred_at"].isoformat(), "payload": row["payload"], "prev_hash": prev}
    return hashlib.sha256(_canonical(fields)).hexdigest()


@pytest.fixture(params=BACKENDS)
def old_database(request, tmp_path) -> Iterator[str]:
    """An empty database at revision 0011, before the change of hash scheme."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'oud.sqlite'}"
    else:
        parsed = make_url(normalize_url(PG_URL))
        url = create_pg_database(parsed.set(database=f"{parsed.database}_migratie0012")
                                  .render_as_string(hide_password=False))
    upgrade(url, "0011")
    yield url
    if request.param != "sqlite":
        parsed = make_url(normalize_url(url))
        admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False),
                            isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


def _write_old_chain(connection, chain, payloads, *, tamper_seq=None):
    prev = log.GENESIS
    for seq, payload in enumerate(payloads, start=1):
        row = {"chain": chain, "seq": seq, "instance_id": None, "event_type": "task.completed",
               "occurred_at": START + timedelta(minutes=seq), "actor_id": None, "actor_username": "planner",
               "actor_role": None, "actor_organisation": None, "definition_id": None, "task_id": None,
               "payload": payload}
        digest = _old_hash(row, prev)
        stored = {**payload, "vals": True} if seq == tamper_seq else payload  # edited after the fact
        occurred = row["occurred_at"].replace(tzinfo=None) if connection.dialect.name == "sqlite" else \
            row["occurred_at"]
        connection.execute(text(
            "INSERT INTO audit_event (chain, seq, instance_id, event_type, occurred_at, actor_id, actor_username,"
            " actor_role, actor_organisation, definition_id, task_id, payload, prev_hash, hash) VALUES (:chain,"
            " :seq, NULL, :event_type, :occurred_at, NULL, :actor_username, NULL, NULL, NULL, NULL, :payload,"
            " :prev_hash, :hash)"),
            {**row, "occurred_at": occurred, "payload": json.dumps(stored), "prev_hash": prev, "hash": digest})
        prev = digest
    return prev


def test_upgrading_rehashes_intact_chains_and_keeps_earlier_tampering_visible(old_database):
    engine = make_engine(old_database)
    with engine.begin() as connection:
        heads = {
            "instance:1": [3, _write_old_chain(connection, "instance:1", [{"data": {"naam": "Anna"}}, {"n": 2},
                                                                          {"n": 3}])],
            "instance:2": [3, _write_old_chain(connection, "instance:2", [{"n": 1}, {"n": 2}, {"n": 3}],
                                               tamper_seq=2)],
        }
        digest = hashlib.sha256(_canonical({"heads": heads, "prev": log.GENESIS, "at": START.isoformat()}))
        created = START.replace(tzinfo=None) if connection.dialect.name == "sqlite" else START
        connection.execute(text("INSERT INTO audit_anchor (created_at, heads, prev_digest, digest) "
                                "VALUES (:at, :heads, :prev, :digest)"),
                           {"at": created, "heads": json.dumps(heads), "prev": log.GENESIS,
                            "digest": digest.hexdigest()})
    engine.dispose()

    upgrade(old_database)

    engine = make_engine(old_database)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        digests = session.execute(text("SELECT payload_sha256 FROM audit_event WHERE chain = 'instance:1' "
                                       "ORDER BY seq")).scalars().all()
    found, anchored = log_problems(factory)
    assert list(found) == ["instance:2"], "the intact chain verifies under the new scheme"
    assert [(p.seq, p.kind) for p in found["instance:2"]] == [(2, "gewijzigd")], "tampered before: still caught"
    assert anchored == [], "the anchor was resealed over the new head hashes"
    assert digests[0] == log.payload_digest({"data": {"naam": "Anna"}})

    downgrade(old_database, "0011")
    with engine.connect() as connection:
        hashes = connection.execute(text("SELECT hash FROM audit_event WHERE chain = 'instance:1' ORDER BY seq"))
        last = list(hashes.scalars())[-1]
    engine.dispose()
    assert last == heads["instance:1"][1], "downgrading restores the old hashes exactly"
