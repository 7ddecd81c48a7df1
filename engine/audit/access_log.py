"""Reads of case data, one row per view: who, in which role and organisation, when, what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.db import keep_on_refusal
from engine.models import AccessLogEntry

CASE_VIEWED = "case.viewed"
HISTORY_VIEWED = "history.viewed"
TASK_VIEWED = "task.viewed"
ACCESS_LOG_VIEWED = "access_log.viewed"
AUDIT_HISTORY_VIEWED = "audit_history.viewed"
DOSSIER_EXPORTED = "dossier.exported"
MEETING_AGENDA_VIEWED = "meeting.agenda_viewed"
FILE_DOWNLOADED = "file.downloaded"
NOTES_VIEWED = "notes.viewed"

# How the access log reads in Dutch, for the auditor's pages and the dossier.
ACTION_LABELS = {
    CASE_VIEWED: "bekeek de zaak",
    HISTORY_VIEWED: "bekeek het verloop",
    TASK_VIEWED: "opende een taak",
    ACCESS_LOG_VIEWED: "bekeek het toegangslog",
    AUDIT_HISTORY_VIEWED: "bekeek de auditgeschiedenis",
    DOSSIER_EXPORTED: "exporteerde het dossier",
    MEETING_AGENDA_VIEWED: "zag het signaal op de agenda van het overleg",
    FILE_DOWNLOADED: "downloadde een bestand van de zaak",
    NOTES_VIEWED: "las de notities van de zaak",
}


def record_view(session: Session, *, actor: Actor, now: datetime, instance_id: int, action: str) -> None:
    """Log a read in the caller's transaction; it stays on record if the request is refused afterwards.

    A form that fails validation is shown again with the case (422), a colleague's task read-only (409):
    the person read the case either way. Recording a read that was done is safer than losing one.
    """
    session.add(AccessLogEntry(
        occurred_at=now, instance_id=instance_id, action=action, user_id=actor.user_id, username=actor.username,
        role=str(actor.role) if actor.role else None, organisation=actor.organisation_slug,
    ))
    keep_on_refusal(session, "access log entry")


def views_of(session: Session, instance_id: int) -> list[AccessLogEntry]:
    return list(session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.instance_id == instance_id)
        .order_by(AccessLogEntry.occurred_at, AccessLogEntry.id)
    ))
