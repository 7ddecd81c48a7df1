"""Seal the audit log and hand the seals to the export, at the edges (scheduler, command line).

The scheduler's leader seals every few minutes (``SIGNAALROUTE_ZEGEL_INTERVAL_MINUTEN``, default 5);
every verification seals too. A seal is exported only after its transaction committed; seals not
yet exported (a failed export, or one made by the verification button) go out with the next export.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.audit import anchor, seal_export
from engine.audit.anchor import SealRecord
from engine.audit.seal_key import SealKey
from engine.db import unit_of_work
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


def export_pending(factory: sessionmaker[Session], target: str | None, *, now: datetime) -> int:
    """For the edges, after the sealing transaction committed: write every unexported seal, then mark them.

    Opens its own units of work (it runs after a commit). Marking comes after the write: if marking
    fails, the next export writes the same seals again, and reading an export skips repeated lines.
    """
    if not target:
        return 0
    with unit_of_work(factory) as session:
        pending = unexported(session)
    written = seal_export.export(target, pending)
    with unit_of_work(factory) as session:
        mark_exported(session, [record.id for record in pending], now=now)
    return written
