"""Seals over the chain heads: made often, chained, signed with a key outside the database.

A hash chain alone cannot reveal that its last events were cut off, and someone with write access
to the database could rewrite a chain and its head row consistently. A seal records the heads
(seq, hash) that moved since the previous seal, chains itself to that seal and is signed with an
Ed25519 key the database does not hold (:mod:`engine.audit.seal_key`). Folding every seal in order
gives the newest sealed head of every chain; each must still be in its chain, unchanged.

Seals are also exported as they are made (:mod:`engine.audit.seal_export`) to a place the database
administrator does not control; ``audit controleren --zegels FILE`` compares the database with them.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from engine.audit.log import GENESIS, canonical
from engine.audit.seal_key import SealKey, SealVerifier
from engine.audit.verify import ChainProblem
from engine.models import AuditAnchor, AuditChainHead

SEAL_CHAIN = "zegel"
Heads = dict[str, tuple[int, str]]

_HEADS = cast(Table, AuditChainHead.__table__)
_MARK_SEALED = (update(_HEADS).where(_HEADS.c.chain == bindparam("head_chain"), _HEADS.c.seq == bindparam("head_seq"))
                .values(unsealed=False))


def digest_of(heads: dict[str, Any], prev_digest: str, created_at: datetime) -> str:
    return hashlib.sha256(canonical({"heads": heads, "prev": prev_digest, "at": created_at.isoformat()})).hexdigest()


@dataclass(frozen=True)
class SealRecord:
    """A seal as exported and as read back: everything needed to check it without the database."""

    id: int
    created_at: datetime
    heads: dict[str, list[Any]]
    prev_digest: str
    digest: str
    signature: str | None
    key_id: str | None

    @classmethod
    def of(cls, anchor: AuditAnchor) -> SealRecord:
        return cls(anchor.id, anchor.created_at, dict(anchor.heads), anchor.prev_digest, anchor.digest,
                   anchor.signature, anchor.key_id)


def _serialize_sealing(session: Session) -> None:
    """Two seals at once would both chain to the same predecessor; SQLite already writes one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(SEAL_CHAIN.encode())})


def seal(session: Session, *, now: datetime, key: SealKey) -> AuditAnchor:
    """Seal, in the caller's transaction, every head that moved since the previous seal.

    A head that moves again while this runs stays marked unsealed (the mark is cleared only for the
    sealed seq), so the next seal takes it.
    """
    _serialize_sealing(session)
    previous = session.scalar(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1))
    prev_digest = previous.digest if previous else GENESIS
    moved = session.execute(select(AuditChainHead.chain, AuditChainHead.seq, AuditChainHead.hash)
                            .where(AuditChainHead.unsealed.is_(True))).all()
    heads: dict[str, Any] = {row.chain: [row.seq, row.hash] for row in moved}
    digest = digest_of(heads, prev_digest, now)
    anchor = AuditAnchor(created_at=now, heads=heads, prev_digest=prev_digest, digest=digest,
                         signature=key.sign(digest), key_id=key.key_id)
    session.add(anchor)
    session.flush()
    if moved:
        session.connection().execute(_MARK_SEALED, [{"head_chain": row.chain, "head_seq": row.seq} for row in moved])
    return anchor


def seal_problems(seals: Iterable[SealRecord], verifier: SealVerifier | None) -> Iterator[ChainProblem]:
    """Problems of the seal chain itself: a broken link, a changed digest, a missing or wrong signature.

    Seals from before signing (revision 0020) carry no signature; they are accepted only before the
    first signed seal, so stripping a signature or inserting an unsigned seal later still shows.
    """
    prev_digest = GENESIS
    signed_seen = False
    for record in seals:
        when = f"{record.created_at:%Y-%m-%d %H:%M:%S}"
        if record.prev_digest != prev_digest or digest_of(record.heads, record.prev_digest,
                                                          record.created_at) != record.digest:
            yield ChainProblem(SEAL_CHAIN, record.id, "gewijzigd", f"Zegel van {when} is gewijzigd of verwijderd")
        if record.signature is None and not signed_seen:
            pass  # made before seals were signed
        elif verifier is None:
            yield ChainProblem(SEAL_CHAIN, record.id, "ongecontroleerd",
                               f"Handtekening van zegel van {when} niet gecontroleerd: geen zegelsleutel")
        elif record.key_id != verifier.key_id:
            yield ChainProblem(SEAL_CHAIN, record.id, "gewijzigd",
                               f"Zegel van {when} is niet gemaakt met de ingestelde zegelsleutel")
        elif not verifier.verifies(record.digest, record.signature):
            yield ChainProblem(SEAL_CHAIN, record.id, "gewijzigd",
                               f"Handtekening van zegel van {when} klopt niet")
        signed_seen = signed_seen or record.signature is not None
        prev_digest = record.digest


def stored_seals(session: Session) -> Iterator[SealRecord]:
    query = select(AuditAnchor).order_by(AuditAnchor.id).execution_options(yield_per=200)
    for anchor in session.scalars(query):
        yield SealRecord.of(anchor)


def fold(seals: Iterable[SealRecord]) -> Heads:
    """The newest sealed head of every chain (seals hold only the heads that moved)."""
    sealed: Heads = {}
    for record in seals:
        for chain, (seq, digest) in record.heads.items():
            sealed[chain] = (int(seq), str(digest))
    return sealed


@dataclass(frozen=True)
class LastSeal:
    """The newest seal over one case, for "Intact, gecontroleerd op … (laatste zegel …)"."""

    created_at: datetime
    seq: int
    hash: str
    signature_ok: bool


def last_seal_of(session: Session, chain: str, verifier: SealVerifier | None) -> LastSeal | None:
    """The newest seal that holds this chain's head, with its own signature checked."""
    anchor = session.scalar(select(AuditAnchor).where(AuditAnchor.heads[chain].isnot(None))
                            .order_by(AuditAnchor.id.desc()).limit(1))
    if anchor is None:
        return None
    seq, digest = anchor.heads[chain]
    own_digest_ok = digest_of(anchor.heads, anchor.prev_digest, anchor.created_at) == anchor.digest
    signed_ok = anchor.signature is None or (verifier is not None and anchor.key_id == verifier.key_id
                                             and verifier.verifies(anchor.digest, anchor.signature))
    return LastSeal(anchor.created_at, int(seq), str(digest), own_digest_ok and signed_ok)
