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

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.audit.events import EventType
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
_APPEND = insert(_EVENTS).returning(_EVENTS.c.id)
_NEW_HEAD = insert(_HEADS)
_MOVE_HEAD = (update(_HEADS).where(_HEADS.c.chain == bindparam("head_chain"))
              .values(seq=bindparam("seq"), hash=bindparam("hash"), unsealed=True))


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
    if instance_id is None:
        _serialize_chain(session, chain)
    connection = session.connection()
    head = connection.execute(_HEAD, {"chain": chain}).first()
    last = head or connection.execute(_LAST_EVENT, {"chain": chain}).first()
    stored_payload = json.loads(canonical(payload or {}))
    values: dict[str, Any] = {
        "chain": chain,
        "seq": (last.seq + 1) if last else 1,
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
        "prev_hash": last.hash if last else GENESIS,
    }
    values["hash"] = hash_of(values)
    event_id = connection.execute(_APPEND, values).scalar_one()
    if head is None:
        connection.execute(_NEW_HEAD, {"chain": chain, "seq": values["seq"], "hash": values["hash"],
                                       "unsealed": True})
    else:
        connection.execute(_MOVE_HEAD, {"head_chain": chain, "seq": values["seq"], "hash": values["hash"]})
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
