"""Append events to a per-case hash chain (decision 5).

Each event stores the SHA-256 of its predecessor in the same chain over a canonical JSON
encoding, so an edited, deleted, inserted or reordered row breaks the chain visibly.

The chain hash covers the event's fields and the SHA-256 *digest* of its payload, not the payload
itself (``payload_sha256``). Payloads hold what people submitted — personal data — and must go when
a case's retention period ends (engine.services.retention); the digest stays, so the chain still
verifies after :func:`erase_case_payloads` and an edited payload still shows (its digest no longer
matches). Guessing a payload back from its digest is not practical: every payload that carries case
data also carries the hash of the case state, which depends on the case's random seed.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.audit.events import EventType
from engine.models import AuditEvent

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"
# What an erased payload reads; only valid in the chain of a case whose destruction is on the system chain.
ERASED: dict[str, Any] = {"vernietigd": True}


def chain_for_instance(instance_id: int) -> str:
    return f"instance:{instance_id}"


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def payload_digest(payload: dict[str, Any]) -> str:
    """SHA-256 of the canonical payload: what the chain hash covers in place of the payload."""
    return hashlib.sha256(canonical(payload)).hexdigest()


def is_erased(payload: dict[str, Any]) -> bool:
    return payload == ERASED


def event_hash(event: AuditEvent) -> str:
    """The hash an event must carry: its own fields, its payload's digest and its predecessor's hash."""
    fields = {
        "chain": event.chain,
        "seq": event.seq,
        "instance_id": event.instance_id,
        "event_type": event.event_type,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "actor_role": event.actor_role,
        "actor_organisation": event.actor_organisation,
        "definition_id": event.definition_id,
        "task_id": event.task_id,
        "payload_sha256": event.payload_sha256,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(canonical(fields)).hexdigest()


def _serialize_chain(session: Session, chain: str) -> None:
    """Instance chains are serialized by the instance lock; others by an advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(chain.encode())})


def record(session: Session, *, event_type: EventType, actor: Actor, now: datetime,
           payload: dict[str, Any] | None = None, instance_id: int | None = None,
           definition_id: int | None = None, task_id: int | None = None) -> AuditEvent:
    """Append one event in the caller's transaction; it commits with the change it describes."""
    chain = chain_for_instance(instance_id) if instance_id is not None else SYSTEM_CHAIN
    if instance_id is None:
        _serialize_chain(session, chain)
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    event = AuditEvent(
        chain=chain,
        seq=(last.seq + 1) if last else 1,
        instance_id=instance_id,
        event_type=str(event_type),
        occurred_at=now,
        actor_id=actor.user_id,
        actor_username=actor.username,
        actor_role=str(actor.role) if actor.role else None,
        actor_organisation=actor.organisation_slug,
        definition_id=definition_id,
        task_id=task_id,
        payload=json.loads(canonical(payload or {})),
        prev_hash=last.hash if last else GENESIS,
    )
    event.payload_sha256 = payload_digest(event.payload)
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


def erase_case_payloads(session: Session, instance_id: int) -> int:
    """Replace every payload in the case's chain by :data:`ERASED`; digests and hashes stay as they are.

    Only :mod:`engine.services.retention` calls this, under the case lock, in the same transaction
    as the ``instance.destroyed`` event on the system chain that makes the erasure verifiable.
    """
    result = session.execute(
        update(AuditEvent).where(AuditEvent.chain == chain_for_instance(instance_id)).values(payload=ERASED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.chain == chain_for_instance(instance_id)).order_by(AuditEvent.seq)
        )
    )


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
