"""The auditor's reading of a case: every audit event in plain Dutch, with what it changed.

Built from the hash-chained audit log, phrased by :mod:`engine.audit.audit_phrases` (which
reuses the case page's timeline phrases): claims and assignments, migrations, exports, the
process version of each step, and the data submitted in each step with a diff against the case
data before it. The case data here is what people submitted (start and
task forms); values a model computes itself are not in the audit log and so not in the diff.
Reading the history is itself written to the access log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.audit import access_log, case_integrity, log
from engine.audit.audit_phrases import (
    EVENT_LABELS,
    Vocabulary,
    facts,
    key_label,
    person,
    phrase,
    role_label,
    shown,
)
from engine.audit.case_integrity import CaseIntegrity
from engine.audit.events import EventType
from engine.audit.seal_key import SealVerifier
from engine.cases.lifecycle import reference
from engine.errors import Forbidden, NotFound
from engine.modelling.forms import FormRepository
from engine.models import AccessLogEntry, AuditEvent, Case, Organisation, ProcessDefinition

STATUS_LABELS = {"active": "Loopt", "completed": "Afgesloten", "cancelled": "Geannuleerd",
                 "error": "Fout, vraag de beheerder", "vernietigd": "Vernietigd (bewaartermijn verstreken)"}
DATA_EVENTS = frozenset({EventType.INSTANCE_STARTED, EventType.TASK_COMPLETED})
# Fields that identify the melder ("melder", "melder_naam", ...): masked where the melder is.
MELDER_FIELD = re.compile(r"^melder(_|$)")
MASKED = "[afgeschermd]"
ADDED, CHANGED, UNCHANGED, REMOVED = "toegevoegd", "gewijzigd", "ongewijzigd", "verwijderd"


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    kind: str  # toegevoegd | gewijzigd | ongewijzigd | verwijderd
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    occurred_at: datetime
    event_type: str
    type_label: str
    who: str  # a username, "de melder" when masked, or "Systeem (planner)"
    username: str | None  # what the person filter matches; None when masked
    role: str | None
    organisation: str | None
    what: str
    process_version: str | None
    changes: tuple[Change, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()

    @property
    def who_text(self) -> str:
        extra = ", ".join(p for p in (self.role, self.organisation) if p)
        return f"{self.who} ({extra})" if extra else self.who

    @property
    def sentence(self) -> str:
        """One sentence: "af (Aandachtsfunctionaris, Gemeente Eersel) rondde ‘X’ af"; system phrases stand alone."""
        return self.what if self.what[:1].isupper() else f"{self.who_text} {self.what}"


@dataclass(frozen=True)
class AccessRow:
    occurred_at: datetime
    username: str
    role: str | None
    organisation: str | None
    what: str


@dataclass(frozen=True)
class CaseAudit:
    instance_id: int
    process: str
    status: str
    organisation: str
    created_at: datetime
    entries: list[HistoryEntry]
    total: int
    event_types: list[tuple[str, str]]  # (value, Dutch label) of the types in this case
    people: list[str]
    access: list[AccessRow]
    integrity: CaseIntegrity
    reference: str


@dataclass(frozen=True)
class CaseRow:
    id: int
    process: str
    status: str
    organisation: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    page: int
    pages: int
    total: int
    per_page: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1


def _same(old: Any, new: Any) -> bool:
    return json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)


def diff(before: dict[str, Any], submitted: dict[str, Any], labels: dict[str, str], *,
         mask_melder: bool = False, specs: dict[str, dict[str, Any]] | None = None,
         organisation_names: dict[str, str] | None = None) -> tuple[Change, ...]:
    """Every submitted field against the case data before it; ``null`` empties a field (removed).

    Fields in name order: PostgreSQL's JSONB does not keep the order they were submitted in.
    """
    changes = []
    for key, new in sorted(submitted.items()):
        old = before.get(key)
        if new is None:
            kind = REMOVED if old is not None else UNCHANGED
        elif old is None:
            kind = ADDED
        else:
            kind = UNCHANGED if _same(old, new) else CHANGED
        spec = (specs or {}).get(key)
        shown_old, shown_new = shown(key, old, spec, organisation_names), shown(key, new, spec, organisation_names)
        if mask_melder and MELDER_FIELD.match(key):
            shown_old, shown_new = (MASKED if shown_old else ""), (MASKED if shown_new else "")
        changes.append(Change(key, key_label(key, labels), kind, shown_old, shown_new))
    return tuple(changes)


def entries_of(session: Session, events: Sequence[AuditEvent], *, reveal_melder: bool,
               forms: FormRepository | None = None) -> list[HistoryEntry]:
    """One case's events, oldest first, as entries with data diffs and the version at each step."""
    vocabulary = Vocabulary(session, forms)
    vocabulary.preload(events)
    data: dict[str, Any] = {}
    labels: dict[str, str] = {}  # a field keeps the title an earlier form gave it
    specs: dict[str, dict[str, Any]] = {}  # ... and its choices and format
    version: str | None = None
    entries = []
    for event in events:
        version = vocabulary.version(event.definition_id) or version  # claims etc. carry no version
        changes: tuple[Change, ...] = ()
        submitted = event.payload.get("data")
        if event.event_type in DATA_EVENTS and isinstance(submitted, dict):
            labels.update(vocabulary.labels(event))
            specs.update(vocabulary.specs(event))
            changes = diff(data, submitted, labels, mask_melder=not reveal_melder, specs=specs,
                           organisation_names=vocabulary.organisation_names())
            data.update(submitted)
            data = {k: v for k, v in data.items() if v is not None}
        name, username, role, organisation = person(event, reveal_melder=reveal_melder)
        organisation = vocabulary.organisation_names().get(organisation or "", organisation)  # never a slug
        entries.append(HistoryEntry(
            seq=event.seq, occurred_at=event.occurred_at, event_type=event.event_type,
            type_label=EVENT_LABELS.get(event.event_type, event.event_type), who=name, username=username,
            role=role, organisation=organisation, what=phrase(event, vocabulary), process_version=version,
            changes=changes, facts=facts(event),
        ))
    return entries


def _require_auditor(actor: Actor) -> None:
    if not access.can_audit(actor):
        raise Forbidden("Alleen een auditor mag de volledige geschiedenis van zaken inzien.")


def _access_rows(entries: Sequence[AccessLogEntry]) -> list[AccessRow]:
    return [AccessRow(e.occurred_at, e.username, role_label(e.role), e.organisation,
                      access_log.ACTION_LABELS.get(e.action, e.action)) for e in entries]


def case_summary(session: Session, instance: Case) -> tuple[str, str, str]:
    """(process with version, status, gemeente) as the auditor's pages and the dossier show them."""
    organisation = session.get(Organisation, instance.organisation_id)
    definition = instance.definition
    process = f"{definition.name or definition.process_id} ({definition.process_id}), versie {definition.version}"
    return process, STATUS_LABELS.get(instance.status, instance.status), organisation.name if organisation else ""


def case_audit(session: Session, *, actor: Actor, now: datetime, instance_id: int, event_type: str | None = None,
               username: str | None = None, forms: FormRepository | None = None,
               verifier: SealVerifier | None = None) -> CaseAudit:
    """A case's full history and access log for an auditor, optionally filtered; the view is logged.

    The case's chain is checked first, so the page says whether what it shows is intact. The access
    log is read before this view is added to it, like ``case_access_log``.
    """
    _require_auditor(actor)
    instance = session.get(Case, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    integrity = case_integrity.check_case(session, instance_id=instance_id, verifier=verifier, now=now)
    entries = entries_of(session, log.history(session, instance_id), reveal_melder=True, forms=forms)
    views = _access_rows(access_log.views_of(session, instance_id))
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id,
                           action=access_log.AUDIT_HISTORY_VIEWED)
    types = {e.event_type: e.type_label for e in entries}
    people = sorted({e.username for e in entries if e.username})
    shown = [e for e in entries if (not event_type or e.event_type == event_type)
             and (not username or e.username == username)]
    process, status, organisation = case_summary(session, instance)
    return CaseAudit(instance_id=instance_id, process=process, status=status, organisation=organisation,
                     created_at=instance.created_at, entries=shown, total=len(entries),
                     event_types=sorted(types.items(), key=lambda item: item[1]), people=people, access=views,
                     integrity=integrity, reference=reference(instance))


def list_cases(session: Session, *, actor: Actor, page: int = 1, per_page: int = 25) -> CasePage:
    """Every case, newest first, a page at a time: the auditor picks one to read."""
    _require_auditor(actor)
    total = int(session.scalar(select(func.count()).select_from(Case)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    query = (
        select(Case.id, Case.status, Case.created_at, Case.updated_at, ProcessDefinition.name,
               ProcessDefinition.process_id, ProcessDefinition.version, Organisation.name.label("organisation"))
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .order_by(Case.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    rows = [CaseRow(r.id, f"{r.name or r.process_id}, versie {r.version}", STATUS_LABELS.get(r.status, r.status),
                    r.organisation, r.created_at, r.updated_at) for r in session.execute(query)]
    return CasePage(rows=rows, page=page, pages=pages, total=total, per_page=per_page)
