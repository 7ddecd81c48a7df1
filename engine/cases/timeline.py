"""A case's history in plain Dutch, as the viewer may see it.

Built from the audit log. The melder's identity is shown only to those who need it (the AF of the
case's gemeente, the melder, auditors); partners read "de melder" (need-to-know, docs/domain.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS, Role
from engine.audit.events import EventType
from engine.cases.lifecycle import case_history
from engine.models import AuditEvent, HumanTask, User

MAY_KNOW_MELDER = frozenset({Role.AF, Role.MELDER, Role.AUDITOR})
MELDER = "de melder"  # how a masked melder is named, everywhere

_WHAT: dict[str, str] = {
    EventType.INSTANCE_STARTED: "startte de zaak",
    EventType.INSTANCE_COMPLETED: "De zaak is afgesloten",
    EventType.INSTANCE_FAILED: "De zaak liep vast op een fout in het model",
    EventType.TASK_COMPLETED: "rondde ‘{task}’ af",
    EventType.TIMER_FIRED: "Termijn verstreken: ‘{task}’",
    EventType.TASK_REMINDED: "Herinnering gestuurd: ‘{task}’ is over de termijn",
    EventType.INSTANCE_REPLAYED: "speelde de zaak opnieuw af ter controle",
}
_FIRED_BY_HAND = "liet de termijn ‘{task}’ direct verlopen"
_WITHDRAWN = "‘{task}’ is vervallen na ‘{after}’"
_NO_REASON = "het proces wacht niet meer op deze taak"


def _withdrawn(event: AuditEvent, task_name: str) -> str:
    """Why a task left the werkbak unfinished, in the model's words (its terminate end event's name)."""
    reason = str(event.payload.get("reason") or "") or _NO_REASON
    after = str(event.payload.get("after_task") or event.payload.get("after_element_id") or "?")
    return f"{_WITHDRAWN.format(task=task_name, after=after)}: {reason[:1].lower()}{reason[1:]}"


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    who: str | None  # None for the system (timers, completion)
    role: str | None
    organisation: str | None
    what: str


def may_know_melder(viewer: Actor, event: AuditEvent) -> bool:
    """Need-to-know: the AF, the melder, auditors, and the melder reading their own events."""
    return viewer.role in MAY_KNOW_MELDER or viewer.user_id == event.actor_id


def who(event: AuditEvent, *, reveal_melder: bool) -> tuple[str | None, str | None, str | None]:
    """(name, role label, organisation) of the person behind an event; None for the system."""
    if event.actor_id is None:
        return None, None, None
    role = Role(event.actor_role) if event.actor_role else None
    label = ROLE_LABELS.get(role) if role else None
    if role == Role.MELDER and not reveal_melder:
        return MELDER, None, None
    return event.actor_username, label, event.actor_organisation


def describe(event: AuditEvent, task_name: str) -> str | None:
    """The Dutch phrase of the events the case page shows; None for the others."""
    if event.event_type == EventType.TIMER_FIRED and event.payload.get("manual"):
        reason = str(event.payload.get("reason") or "")
        return _FIRED_BY_HAND.format(task=task_name) + (f" (reden: {reason})" if reason else " (geen reden opgegeven)")
    if event.event_type == EventType.TASK_WITHDRAWN:
        return _withdrawn(event, task_name)
    template = _WHAT.get(event.event_type)
    return template.format(task=task_name) if template is not None else None


def task_name(event: AuditEvent, task_names: dict[int, str]) -> str:
    return task_names.get(event.task_id or -1) or str(event.payload.get("element_id") or "")


def task_names_of(session: Session, instance_id: int) -> dict[int, str]:
    return {
        row.id: row.name
        for row in session.execute(select(HumanTask.id, HumanTask.name).where(HumanTask.instance_id == instance_id))
    }


def display_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(sorted(user_ids))))
    return {row.id: row.display_name for row in rows if row.display_name}


def timeline(session: Session, *, actor: Actor, now: datetime, instance_id: int) -> list[TimelineEntry]:
    """Entries oldest first; raises NotFound like the case itself when the viewer may not see it."""
    events = case_history(session, actor=actor, now=now, instance_id=instance_id)
    names = task_names_of(session, instance_id)
    people = display_names(session, {e.actor_id for e in events if e.actor_id is not None})
    entries = []
    for event in events:
        what = describe(event, task_name(event, names))
        if what is None:
            continue
        name, role, organisation = who(event, reveal_melder=may_know_melder(actor, event))
        if name is not None and name != MELDER and event.actor_id in people:
            name = people[event.actor_id]  # people read names, not usernames
        entries.append(TimelineEntry(event.occurred_at, name, role, organisation, what))
    return entries
