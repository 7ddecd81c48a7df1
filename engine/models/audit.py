"""The append-only, hash-chained audit log (decision 5)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, JsonDict, OptionalTimestamp, Timestamp


class AuditEvent(Base):
    """One event. ``chain`` groups events (``instance:12``, ``system``); ``seq`` orders them in it."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[IntPK]
    chain: Mapped[str] = mapped_column(String(60), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), nullable=True, index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[Timestamp]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    actor_username: Mapped[str | None] = mapped_column(String(80), nullable=True)
    actor_role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    actor_organisation: Mapped[str | None] = mapped_column(String(80), nullable=True)
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"), nullable=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), nullable=True)
    # Erasable (retention): personal data live here. ``{"vernietigd": true}`` once the case was destroyed.
    payload: Mapped[JsonDict]
    # SHA-256 of the canonical payload; the chain hash covers this digest, not the payload, so erasing
    # the payload under a retention rule keeps the chain verifiable (engine.audit.log).
    payload_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """Each chain's newest event (seq, hash), written in the transaction that appends the event.

    Deleting the last events of a case leaves this row pointing past the chain's end, so the cut
    shows even before the next seal; ``unsealed`` marks heads that moved since the last seal.
    """

    __tablename__ = "audit_chain_head"

    chain: Mapped[str] = mapped_column(String(60), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    unsealed: Mapped[bool] = mapped_column(Boolean, index=True)


class AuditAnchor(Base):
    """A seal: the chain heads that moved since the previous seal, chained to it and signed.

    Folding every seal in order gives the newest sealed head of every chain. Seals made before
    revision 0020 hold all heads and no signature.
    """

    __tablename__ = "audit_anchor"

    id: Mapped[IntPK]
    created_at: Mapped[Timestamp]
    heads: Mapped[JsonDict]  # chain -> [seq, hash] of its last event at sealing time (moved since the last seal)
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # Ed25519 over ``digest`` with the key outside the database (engine.audit.seal_key), and that key's id.
    signature: Mapped[str | None] = mapped_column(String(100), nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # When it was written to SIGNAALROUTE_ZEGEL_EXPORT (after its transaction committed); not part of the digest.
    exported_at: Mapped[OptionalTimestamp]


class AccessLogEntry(Base):
    """Who read which case when (decision 5: reads of case data are logged too). Append-only."""

    __tablename__ = "access_log"

    id: Mapped[IntPK]
    occurred_at: Mapped[Timestamp]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))  # case.viewed | history.viewed | task.viewed | case.replayed
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(80), nullable=True)
