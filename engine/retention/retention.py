"""Apply the retention periods: find cases whose period has passed and destroy their content.

A case's outcome picks its rule (``retention.toml``, :mod:`engine.retention.retention_rules`): the last meeting
decision (``besluit_overleg``) if it settled the case, else whether the case is closed. Destroying a
case, each case in its own transaction under its lock (decision 2):

- the workflow state becomes a small tombstone; the row and its id stay, status ``vernietigd``. Kept:
  gemeente, route, creation date and the form of exploitation (``vorm``) — categories the aggregated
  statistics need (003 ch. 7), no person. The melder's account link is cut;
- task rows keep their model-given name but lose their instructions (rendered from case data); open
  tasks and waiting timers are cancelled, so nothing can act on the case again;
- e-mail outbox rows of the case and its tasks are deleted (they hold links only, but name recipients);
- the access log of the case is deleted. It is personal data of staff (who read which trafficking
  case when) and exists to account for reads of this case's data; once that data is gone there is
  nothing left to read, and keeping the log would make it the longest-lived trace of the case. It
  lived as long as the case did, so reads stayed checkable for the whole retention period;
- kept states of migrations (``case_migration``) are deleted: they are full copies of the state;
- every audit payload in the case's chain is erased; digests and hashes stay, so the chain verifies;
- a meeting's minutes (free text about several signals, which cannot be cut per case) go when the
  last case on that meeting's agenda is destroyed. Agenda items keep only the decision category.

What was done is written to a :class:`~engine.models.DestructionRecord` (no content) and, as
``instance.destroyed``, on the system chain — the event :mod:`engine.audit.verify` requires before it
accepts an erased payload. Notes and files on the case (engine.cases.notes) are deleted; the
bytes of each file go once the destruction commits, unless another case still holds the same file
(same SHA-256). The record names the files by hash, type and size, never by the name people gave them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.cases import case_store, notes
from engine.cases.lifecycle import reference
from engine.cases.storage import BlobStore
from engine.errors import Forbidden
from engine.models import (
    AccessLogEntry,
    AuditEvent,
    Case,
    CaseMigration,
    DestructionRecord,
    HumanTask,
    Meeting,
    MeetingItem,
    OutboxMessage,
    TaskState,
    Timer,
    TimerState,
)
from engine.models.cases import CaseStatus
from engine.models.monitoring import CaseFigure
from engine.retention.retention_rules import DECISIONS, LAST_ACTIVITY, Outcome, RetentionRules, Rule

logger = logging.getLogger(__name__)

DECISION_TASK = "besluit_overleg"  # engine.meetings.meetings.DECISION_TASK; not imported to keep this module small
# Someone (or a timer of the model) did something with the case; reads, replays and agenda runs do not count.
ACTIVITY = (EventType.INSTANCE_STARTED, EventType.TASK_COMPLETED, EventType.TIMER_FIRED)
CLOSED = (CaseStatus.COMPLETED, CaseStatus.CANCELLED)
PLANNER, CLI = "planner", "cli"
TRIGGER_LABELS = {PLANNER: "planner (nachtelijk)", CLI: "opdrachtregel"}
REMOVED_LABELS = {  # what a destruction removed, as the beheerder reads it
    "auditinhoud_gewist": "auditgebeurtenissen met gewiste inhoud",
    "taken_geannuleerd": "open taken geannuleerd",
    "taakinstructies_gewist": "taakinstructies gewist",
    "timers_geannuleerd": "wachtende termijnen geannuleerd",
    "e-mails_verwijderd": "e-mails verwijderd",
    "toegangslog_verwijderd": "regels toegangslog verwijderd",
    "migratietoestanden_verwijderd": "bewaarde toestanden van overzettingen verwijderd",
    "verslagen_gewist": "overlegverslagen gewist",
    "notities_verwijderd": "notities en bestanden verwijderd",
    "bestanden": "bestanden verwijderd (SHA-256, soort, grootte)",
}
SERIALIZER_TOMBSTONE = "vernietigd"


@dataclass(frozen=True)
class Assessment:
    """Where one case stands against the retention rules. ``rule`` None: kept until it is closed."""

    instance_id: int
    reference: str
    process_id: str
    status: str
    decision: str | None  # the last meeting decision, if any
    outcome: Outcome | None
    rule: Rule | None
    period_start: datetime | None
    expires_at: datetime | None  # None: the rule's period is still "AAN TE VULLEN", or no rule runs

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass
class Plan:
    """The dry run: what would be destroyed now, and what waits."""

    now: datetime
    due: list[Assessment] = field(default_factory=list)
    waiting: dict[Outcome, int] = field(default_factory=dict)  # period running, not yet expired
    unfilled: dict[Outcome, int] = field(default_factory=dict)  # rule still "AAN TE VULLEN"
    open_with_decision: int = 0  # decided but not closed: kept until closure

    def due_per_rule(self) -> dict[Outcome, list[Assessment]]:
        grouped: dict[Outcome, list[Assessment]] = {}
        for item in self.due:
            assert item.outcome is not None
            grouped.setdefault(item.outcome, []).append(item)
        return grouped


@dataclass
class RunResult:
    destroyed: list[DestructionRecord] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # case ids; the log line says why


def _last_decisions(session: Session, ids: list[int]) -> dict[int, str]:
    last: dict[int, str] = {}
    events = session.execute(select(AuditEvent.instance_id, AuditEvent.payload).where(
        AuditEvent.instance_id.in_(ids), AuditEvent.event_type == EventType.TASK_COMPLETED,
        AuditEvent.payload["element_id"].as_string() == DECISION_TASK).order_by(AuditEvent.seq))
    for instance_id, payload in events:
        decision = (payload.get("data") or {}).get("besluit")
        if instance_id is not None and isinstance(decision, str):
            last[instance_id] = decision
    return last


def _latest(session: Session, ids: list[int], types: Iterable[EventType]) -> dict[int, datetime]:
    rows = session.execute(select(AuditEvent.instance_id, func.max(AuditEvent.occurred_at))
                           .where(AuditEvent.instance_id.in_(ids), AuditEvent.event_type.in_([str(t) for t in types]))
                           .group_by(AuditEvent.instance_id))
    return {instance_id: moment for instance_id, moment in rows if instance_id is not None}


_CHUNK = 500  # ids per IN (...) list: within every backend's parameter limit


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def assess(session: Session, rules: RetentionRules, instance_ids: list[int] | None = None) -> list[Assessment]:
    """Every case not yet destroyed (or the given ones) against the rules, oldest case first."""
    query = select(Case).where(Case.status != CaseStatus.DESTROYED).order_by(Case.id)
    if instance_ids is not None:
        query = query.where(Case.id.in_(instance_ids))
    instances = list(session.scalars(query))
    found: list[Assessment] = []
    for start_at in range(0, len(instances), _CHUNK):
        rows = instances[start_at:start_at + _CHUNK]
        chunk = [r.id for r in rows]
        decisions = _last_decisions(session, chunk)
        closed_at = _latest(session, chunk, [EventType.INSTANCE_COMPLETED])
        active_at = _latest(session, chunk, ACTIVITY)
        for row in rows:
            decision = decisions.get(row.id)
            settled = DECISIONS.get(decision or "")
            outcome: Outcome | None
            if row.status in CLOSED:
                outcome = settled or Outcome.AFGESLOTEN_ZONDER_BESLUIT
            else:
                outcome = None if settled else Outcome.LOPEND_SIGNAAL
            rule = rules[outcome] if outcome is not None else None
            start: datetime | None = None
            if rule is not None:
                if rule.starts_from == LAST_ACTIVITY:
                    start = active_at.get(row.id, row.created_at)
                else:  # a cancelled case has no instance.completed event; its last change is when it stopped
                    start = closed_at.get(row.id, row.updated_at)
            found.append(Assessment(
                instance_id=row.id, reference=reference(row), process_id=row.definition.process_id,
                status=row.status, decision=decision, outcome=outcome, rule=rule, period_start=start,
                expires_at=rule.expires(start) if rule is not None and start is not None else None))
    return found


def plan(session: Session, *, rules: RetentionRules, now: datetime) -> Plan:
    """The dry run: nothing changes."""
    result = Plan(now)
    for item in assess(session, rules):
        if item.outcome is None:
            result.open_with_decision += 1
        elif item.expires_at is None:
            result.unfilled[item.outcome] = result.unfilled.get(item.outcome, 0) + 1
        elif item.expired(now):
            result.due.append(item)
        else:
            result.waiting[item.outcome] = result.waiting.get(item.outcome, 0) + 1
    return result


def _tombstone(record_id: int, now: datetime, outcome: Outcome) -> str:
    return json.dumps({"vernietigd": True, "op": now.isoformat(), "regel": str(outcome), "vernietiging": record_id},
                      sort_keys=True)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _clear_case(session: Session, instance: Case, now: datetime) -> dict[str, int]:
    """Everything but the audit log and the instance row itself; returns what was removed, per kind."""
    case = instance.id
    task_ids = select(HumanTask.id).where(HumanTask.instance_id == case)
    removed = {
        "taken_geannuleerd": _rowcount(session.execute(
            update(HumanTask).where(HumanTask.instance_id == case, HumanTask.state == TaskState.READY)
            .values(state=TaskState.CANCELLED, completed_at=now))),
        "taakinstructies_gewist": _rowcount(session.execute(
            update(HumanTask).where(HumanTask.instance_id == case, HumanTask.instructions.is_not(None))
            .values(instructions=None))),
        "timers_geannuleerd": _rowcount(session.execute(
            update(Timer).where(Timer.instance_id == case, Timer.state == TimerState.WAITING)
            .values(state=TimerState.CANCELLED))),
        "e-mails_verwijderd": _rowcount(session.execute(
            delete(OutboxMessage).where((OutboxMessage.instance_id == case) | OutboxMessage.task_id.in_(task_ids))
            .execution_options(synchronize_session=False))),
        "toegangslog_verwijderd": _rowcount(session.execute(
            delete(AccessLogEntry).where(AccessLogEntry.instance_id == case)
            .execution_options(synchronize_session=False))),
        "migratietoestanden_verwijderd": _rowcount(session.execute(
            delete(CaseMigration).where(CaseMigration.instance_id == case)
            .execution_options(synchronize_session=False))),
        # What the person was (gender, age group, nationality group) goes with the case; the counts
        # already made of it stay, as aggregates without the case (engine.monitoring.figures).
        "kenmerken_gewist": _rowcount(session.execute(
            update(CaseFigure).where(CaseFigure.instance_id == case, (
                CaseFigure.geslacht.is_not(None) | CaseFigure.leeftijdsgroep.is_not(None)
                | CaseFigure.nationaliteitsgroep.is_not(None)))
            .values(geslacht=None, leeftijdsgroep=None, nationaliteitsgroep=None))),
    }
    return removed


def _clear_minutes(session: Session, instance_id: int) -> int:
    """Minutes of meetings whose agenda now holds destroyed cases only."""
    cleared = 0
    meeting_ids = session.scalars(select(MeetingItem.meeting_id).where(MeetingItem.instance_id == instance_id)
                                  .distinct())
    for meeting_id in list(meeting_ids):
        alive = session.scalar(select(func.count()).select_from(MeetingItem)
                               .join(Case, Case.id == MeetingItem.instance_id)
                               .where(MeetingItem.meeting_id == meeting_id,
                                      Case.status != CaseStatus.DESTROYED))
        meeting = session.get(Meeting, meeting_id)
        if not alive and meeting is not None and meeting.minutes is not None:
            meeting.minutes = None
            cleared += 1
    return cleared


def destroy_case(session: Session, *, rules: RetentionRules, instance_id: int, actor: Actor, now: datetime,
                 trigger: str, store: BlobStore | None = None) -> DestructionRecord | None:
    """Destroy one case if, under its lock, its period has passed; None when it no longer qualifies.

    ``store`` holds the bytes of the case's files; a case with files is not destroyed without it.

    Only the system (the scheduler's job, the command line) destroys: no person can, not even a
    beheerder, so a destruction always follows from the rules and nothing else.
    """
    if not actor.is_system:
        raise Forbidden("Alleen de planner of de opdrachtregel vernietigt zaken, volgens de bewaartermijnen.")
    instance = case_store.require_locked(session, instance_id)
    if instance.status == CaseStatus.DESTROYED:
        return None
    [found] = assess(session, rules, [instance_id])  # again under the lock: the case may have moved on
    if not found.expired(now) or found.outcome is None or found.rule is None:
        return None
    assert found.period_start is not None and found.expires_at is not None
    removed: dict[str, Any] = dict(_clear_case(session, instance, now))
    destroyed_notes = notes.destroy_notes(session, instance_id=instance_id, store=store)
    removed["notities_verwijderd"] = destroyed_notes.notes
    removed["bestanden"] = destroyed_notes.files
    removed["auditinhoud_gewist"] = log.erase_case_payloads(session, instance_id)
    record = DestructionRecord(
        instance_id=instance_id, reference=reference(instance), process_id=found.process_id,
        outcome=str(found.outcome), decision=found.decision, rule=found.rule.description,
        rule_source=found.rule.source, period_start=found.period_start, expired_at=found.expires_at,
        destroyed_at=now, destroyed_by=actor.username, trigger=trigger, audit_seq=0, removed=removed,
    )
    session.add(record)
    session.flush()
    instance.state = _tombstone(record.id, now, found.outcome)
    instance.serializer_version = SERIALIZER_TOMBSTONE
    instance.status = CaseStatus.DESTROYED
    instance.started_by_id = None
    instance.error_message = None
    instance.updated_at = now
    session.flush()
    removed["verslagen_gewist"] = _clear_minutes(session, instance_id)
    event = log.record(session, event_type=EventType.INSTANCE_DESTROYED, actor=actor, now=now, payload={
        "instance_id": instance_id, "reference": record.reference, "outcome": record.outcome,
        "rule": str(found.outcome), "record": record.id})
    record.audit_seq = event.seq
    record.removed = dict(removed)
    session.flush()
    return record




# --- what the beheerder reads -----------------------------------------------------------------------------------

@dataclass
class Overview:
    rules: RetentionRules
    plan: Plan
    records: list[DestructionRecord]
    total_records: int


def overview(session: Session, *, actor: Actor, rules: RetentionRules, now: datetime, limit: int = 100) -> Overview:
    """The rules, the dry run and the newest destruction records: ids, references and counts, no content."""
    if not access.can_manage(actor):
        raise Forbidden("Alleen een beheerder ziet de bewaartermijnen en de vernietigingen.")
    records = list(session.scalars(select(DestructionRecord)
                                   .order_by(DestructionRecord.destroyed_at.desc(), DestructionRecord.id.desc())
                                   .limit(limit)))
    total = int(session.scalar(select(func.count()).select_from(DestructionRecord)) or 0)
    return Overview(rules, plan(session, rules=rules, now=now), records, total)


def records_by_case(session: Session, instance_ids: Iterable[int]) -> dict[int, DestructionRecord]:
    """Destruction records of the given cases (for replay and verify reports)."""
    ids = list(instance_ids)
    found: dict[int, DestructionRecord] = {}
    for chunk in _chunks(ids):
        for row in session.scalars(select(DestructionRecord).where(DestructionRecord.instance_id.in_(chunk))):
            found[row.instance_id] = row
    return found
