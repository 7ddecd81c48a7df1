"""A case's history in plain Dutch, as the viewer may see it.

Built from the audit log. The melder's identity is shown only to those who need it (the AF of the
case's gemeente, the melder, auditors); partners read "de melder" (DOMAIN: need-to-know).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.audit.events import EventType
from engine.models import AuditEvent, HumanTask
from engine.roles import ROLE_LABELS, Role
from engine.services.instances import case_history

MAY_KNOW_MELDER = frozenset({Role.AF, Role.MELDER, Role.AUDITOR})

_WHAT: dict[str, str] = {
    EventType.INSTANCE_STARTED: "startte de zaak",
    EventType.INSTANCE_COMPLETED: "De zaak is afgesloten",
    EventType.INSTANCE_FAILED: "De zaak liep vast op een fout in het model",
    EventType.TASK_COMPLETED: "rondde ‘{task}’ af",
    EventType.TIMER_FIRED: "Termijn verstreken: ‘{task}’",
    EventType.INSTANCE_REPLAYED: "speelde de zaak opnieuw af ter controle",
}


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    who: str | None  # None for the system (timers, completion)
    role: str | None
    organisation: str | None
    what: str


def _who(event: AuditEvent, viewer: Actor) -> tuple[str | None, str | None, str | None]:
    if event.actor_id is None:
        return None, None, None
    role = Role(event.actor_role) if event.actor_role else None
    label = ROLE_LABELS.get(role) if role else None
    if role == Role.MELDER and viewer.role not in MAY_KNOW_MELDER and viewer.user_id != event.actor_id:
        return "de melder", None, None
    return event.actor_username, label, event.actor_organisation


def timeline(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> list[TimelineEntry]:
    """Entries oldest first; raises NotFound like the case itself when the viewer may not see it."""
    events = case_history(session, actor=actor, now=now, instance_id=instance_id)
    task_names: dict[int, str] = {
        row.id: row.name
        for row in session.execute(select(HumanTask.id, HumanTask.name).where(HumanTask.instance_id == instance_id))
    }
    entries = []
    for event in events:
        template = _WHAT.get(event.event_type)
        if template is None:
            continue
        task = task_names.get(event.task_id or -1) or event.payload.get("element_id") or ""
        who, role, organisation = _who(event, actor)
        entries.append(TimelineEntry(event.occurred_at, who, role, organisation, template.format(task=task)))
    return entries
