"""Seal the audit log and hand the seals to the export, at the edges (scheduler, command line).

The scheduler's leader seals every few minutes (``SIGNAALROUTE_ZEGEL_INTERVAL_MINUTEN``, default 5);
every verification seals too. A seal is exported only after its transaction committed; seals not
yet exported (a failed export, or one made by the verification button) go out with the next export.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.audit import anchor
from engine.audit.anchor import SealRecord
from engine.audit.seal_key import SealKey
from engine.models import AuditAnchor


def seal(session: Session, *, key: SealKey, now: datetime) -> SealRecord:
    return SealRecord.of(anchor.seal(session, now=now, key=key))


def unexported(session: Session) -> list[SealRecord]:
    """Seals not yet written to the export, oldest first."""
    rows = session.scalars(select(AuditAnchor).where(AuditAnchor.exported_at.is_(None)).order_by(AuditAnchor.id))
    return [SealRecord.of(row) for row in rows]


def mark_exported(session: Session, ids: list[int], *, now: datetime) -> None:
    if ids:
        session.execute(update(AuditAnchor).where(AuditAnchor.id.in_(ids)).values(exported_at=now))
