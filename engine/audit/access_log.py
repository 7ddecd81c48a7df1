"""Reads of case data, one row per view: who, in which role and organisation, when, what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.models import AccessLogEntry

CASE_VIEWED = "case.viewed"
HISTORY_VIEWED = "history.viewed"
TASK_VIEWED = "task.viewed"
ACCESS_LOG_VIEWED = "access_log.viewed"


def record_view(session: Session, *, actor: Actor, now: datetime, instance_id: int, action: str) -> None:
    """Log a read in the caller's transaction (a failed request logs nothing it did not show)."""
    session.add(AccessLogEntry(
        occurred_at=now, instance_id=instance_id, action=action, user_id=actor.user_id, username=actor.username,
        role=str(actor.role) if actor.role else None, organisation=actor.organisation_slug,
    ))


def views_of(session: Session, instance_id: int) -> list[AccessLogEntry]:
    return list(session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.instance_id == instance_id)
        .order_by(AccessLogEntry.occurred_at, AccessLogEntry.id)
    ))
