"""Seal every chain's head once a day, so removing the newest events of a case shows as well.

A hash chain alone cannot reveal that its last events were cut off. The anchor records each
chain's head (seq and hash) and is itself chained to the previous anchor.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit.log import GENESIS, canonical
from engine.audit.verify import ChainProblem
from engine.models import AuditAnchor, AuditEvent


def _digest(heads: dict[str, list[object]], prev_digest: str, created_at: datetime) -> str:
    return hashlib.sha256(canonical({"heads": heads, "prev": prev_digest, "at": created_at.isoformat()})).hexdigest()


def current_heads(session: Session) -> dict[str, list[object]]:
    last = (select(AuditEvent.chain, func.max(AuditEvent.seq).label("seq"))
            .group_by(AuditEvent.chain).subquery())
    rows = session.execute(
        select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash)
        .join(last, (AuditEvent.chain == last.c.chain) & (AuditEvent.seq == last.c.seq))
    )
    return {row.chain: [row.seq, row.hash] for row in rows}


def seal(session: Session, *, now: datetime) -> AuditAnchor:
    """Record today's anchor in the caller's transaction."""
    previous = session.scalar(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1))
    prev_digest = previous.digest if previous else GENESIS
    heads = current_heads(session)
    anchor = AuditAnchor(created_at=now, heads=heads, prev_digest=prev_digest,
                         digest=_digest(heads, prev_digest, now))
    session.add(anchor)
    session.flush()
    return anchor


def verify_anchors(session: Session) -> list[ChainProblem]:
    """Anchors must chain, and every sealed head must still be in its chain unchanged."""
    problems: list[ChainProblem] = []
    prev_digest = GENESIS
    latest: AuditAnchor | None = None
    for anchor in session.scalars(select(AuditAnchor).order_by(AuditAnchor.id)):
        if anchor.prev_digest != prev_digest or _digest(anchor.heads, anchor.prev_digest,
                                                        anchor.created_at) != anchor.digest:
            problems.append(ChainProblem("anker", anchor.id, "gewijzigd",
                                         f"Anker van {anchor.created_at:%Y-%m-%d} is gewijzigd of verwijderd"))
        prev_digest, latest = anchor.digest, anchor
    if latest is None:
        return problems
    for chain, (seq, digest) in latest.heads.items():
        found = session.scalar(select(AuditEvent.hash).where(AuditEvent.chain == chain, AuditEvent.seq == seq))
        if found is None:
            problems.append(ChainProblem(chain, int(seq), "ontbreekt",
                                         "Gebeurtenis die bij het laatste anker bestond, ontbreekt"))
        elif found != digest:
            problems.append(ChainProblem(chain, int(seq), "gewijzigd",
                                         "Gebeurtenis wijkt af van het laatste anker"))
    return problems
