"""Append events to a per-case hash chain (decision 5).

Each event stores the SHA-256 of its predecessor in the same chain over a canonical JSON
encoding, so an edited, deleted, inserted or reordered row breaks the chain visibly.

The chain hash covers the event's fields and the SHA-256 *digest* of its payload, not the payload
itself (``payload_sha256``). Payloads hold what people submitted — personal data — and must go when
a case's retention period ends (engine.retention.retention); the digest stays, so the chain still
verifies after :func:`erase_case_payloads` and an edited payload still shows (its digest no longer
matches). Guessing a payload back from its digest is not practical: every payload that carries case
data also carries the hash of the case state, which depends on the case's random seed.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.audit.events import EventType
from engine.db.built_once import built_once
from engine.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"
# What an erased payload reads; only valid in the chain of a case whose destruction is on the system chain.
ERASED: dict[str, Any] = {"vernietigd": True}


def chain_for_case(instance_id: int) -> str:
    return f"instance:{instance_id}"


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def payload_digest(payload: dict[str, Any]) -> str:
    """SHA-256 of the canonical payload: what the chain hash covers in place of the payload."""
    return hashlib.sha256(canonical(payload)).hexdigest()


def is_erased(payload: dict[str, Any]) -> bool:
    return payload == ERASED


HASHED_FIELDS = ("chain", "seq", "instance_id", "event_type", "occurred_at", "actor_id", "actor_username",
                 "actor_role", "actor_organisation", "definition_id", "task_id", "payload_sha256", "prev_hash")


def event_hash(event: AuditEvent) -> str:
    """The hash an event must carry: its own fields, its payload's digest and its predecessor's hash."""
    return hash_of({name: getattr(event, name) for name in HASHED_FIELDS})


def hash_of(values: Mapping[str, Any]) -> str:
    """The hash over the :data:`HASHED_FIELDS` of an event given as a mapping (a row or its values)."""
    fields = {name: values[name] for name in HASHED_FIELDS}
    fields["occurred_at"] = values["occurred_at"].isoformat()
    return hashlib.sha256(canonical(fields)).hexdigest()


def _serialize_chain(session: Session, chain: str) -> None:
    """Instance chains are serialized by the instance lock; others by an advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(chain.encode())})


_EVENTS = cast(Table, AuditEvent.__table__)
_HEADS = cast(Table, AuditChainHead.__table__)
# Built once (a statement memoizes its cache key); the chain head is read, the event appended with Core.
_HEAD = select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.chain == bindparam("chain"))
# Only when a chain has no head row yet (its first event, or a head removed by someone): the events decide.
_LAST_EVENT = (select(_EVENTS.c.seq, _EVENTS.c.hash).where(_EVENTS.c.chain == bindparam("chain"))
               .order_by(_EVENTS.c.seq.desc()).limit(1))
_EVENT_COLUMNS = ("chain", "seq", "instance_id", "event_type", "occurred_at", "actor_id", "actor_username",
                  "actor_role", "actor_organisation", "definition_id", "task_id", "payload", "payload_sha256",
                  "prev_hash", "hash")


def _append_statements(insert: Any) -> tuple[Any, Any]:
    """(event INSERT, head upsert) for one dialect; the head row is created or moved in one statement."""
    event = _EVENTS.insert().values({name: bindparam(name, type_=_EVENTS.c[name].type) for name in _EVENT_COLUMNS})
    head = insert(_HEADS).values(chain=bindparam("chain"), seq=bindparam("seq"), hash=bindparam("hash"),
                                 unsealed=True)
    head = head.on_conflict_do_update(index_elements=[_HEADS.c.chain],
                                      set_={"seq": head.excluded.seq, "hash": head.excluded.hash, "unsealed": True})
    return event.returning(_EVENTS.c.id), head


_APPEND_SQLITE, _MOVE_HEAD_SQLITE = _append_statements(sqlite_insert)
_MOVE_HEAD_SQLITE = built_once(_MOVE_HEAD_SQLITE)  # an upsert is compiled once only so (engine.db.built_once)
# PostgreSQL: the event and its chain head in one statement (one round trip), a data-modifying CTE each.
_appended, _moved = (part.cte(name) for part, name in zip(_append_statements(pg_insert), ("appended", "moved"),
                                                         strict=True))
_APPEND_AND_MOVE_PG = built_once(select(_appended.c.id).add_cte(_moved))
# The chain heads this transaction has read or written (chain -> seq, hash), in ``Session.info``.
# A chain's head cannot move under a transaction that holds the chain's lock (the case lock, or the
# advisory lock of the system chain), so a second event in the same transaction need not read it again.
_HEADS_SEEN = "audit.chain_heads"


@event.listens_for(Session, "after_transaction_end")
def _forget_heads(session: Session, _transaction: Any) -> None:
    """Known heads are only good inside the transaction (and under the lock) they were read in."""
    session.info.pop(_HEADS_SEEN, None)


def remember_head(session: Session, instance_id: int, *, seq: int, hash_: str) -> None:
    """Tell :func:`record` the case chain's head, read by the caller under the case lock in this transaction.

    Saves :func:`record` its own read of the head (one round trip per step).
    """
    session.info.setdefault(_HEADS_SEEN, {})[chain_for_case(instance_id)] = (seq, hash_)


def new_chain(session: Session, instance_id: int) -> None:
    """The case was inserted in this transaction: its chain starts at the genesis hash, nothing to read.

    Case rows are never deleted, so a new id has no events; were there any, the unique (chain, seq)
    of the first event would refuse the step rather than fork the chain.
    """
    remember_head(session, instance_id, seq=0, hash_=GENESIS)


def record(session: Session, *, event_type: EventType, actor: Actor, now: datetime,
           payload: dict[str, Any] | None = None, instance_id: int | None = None,
           definition_id: int | None = None, task_id: int | None = None) -> AuditEvent:
    """Append one event in the caller's transaction; it commits with the change it describes.

    The chain's head row moves in the same transaction, so the newest events cannot be removed
    without the head (and, once sealed, the signed seal) showing it. The caller's pending changes
    are flushed first, so the event lands after what it describes. The returned object is not
    attached to the session (it was written with Core).
    """
    session.flush()
    chain = chain_for_case(instance_id) if instance_id is not None else SYSTEM_CHAIN
    connection = session.connection()
    heads: dict[str, tuple[int, str]] = session.info.setdefault(_HEADS_SEEN, {})
    last = heads.get(chain)
    if last is None:
        if instance_id is None:
            _serialize_chain(session, chain)
        row = connection.execute(_HEAD, {"chain": chain}).first() or connection.execute(
            _LAST_EVENT, {"chain": chain}).first()
        last = (row.seq, row.hash) if row else (0, GENESIS)
    stored_payload = json.loads(canonical(payload or {}))
    values: dict[str, Any] = {
        "chain": chain,
        "seq": last[0] + 1,
        "instance_id": instance_id,
        "event_type": str(event_type),
        "occurred_at": now,
        "actor_id": actor.user_id,
        "actor_username": actor.username,
        "actor_role": str(actor.role) if actor.role else None,
        "actor_organisation": actor.organisation_slug,
        "definition_id": definition_id,
        "task_id": task_id,
        "payload": stored_payload,
        "payload_sha256": payload_digest(stored_payload),
        "prev_hash": last[1],
    }
    values["hash"] = hash_of(values)
    if connection.dialect.name == "postgresql":
        event_id = connection.execute(_APPEND_AND_MOVE_PG, values).scalar_one()
    else:
        event_id = connection.execute(_APPEND_SQLITE, values).scalar_one()
        connection.execute(_MOVE_HEAD_SQLITE, {"chain": chain, "seq": values["seq"], "hash": values["hash"]})
    heads[chain] = (values["seq"], values["hash"])
    return AuditEvent(id=event_id, **values)


def erase_case_payloads(session: Session, instance_id: int) -> int:
    """Replace every payload in the case's chain by :data:`ERASED`; digests and hashes stay as they are.

    Only :mod:`engine.retention.retention` calls this, under the case lock, in the same transaction
    as the ``instance.destroyed`` event on the system chain that makes the erasure verifiable.
    """
    result = session.execute(
        update(AuditEvent).where(AuditEvent.chain == chain_for_case(instance_id)).values(payload=ERASED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.chain == chain_for_case(instance_id)).order_by(AuditEvent.seq)
        )
    )


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
