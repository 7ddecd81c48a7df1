"""The regional triage meeting: plan, call for signals, freeze the agenda, decide per signal, keep minutes.

A signal is on a meeting's agenda while its case waits in its region's model for the decision task
``besluit_overleg`` (each region decides in its own words and form: 001 Bijlage 5, 003 §5.1). The chair
records the decision on the meeting page, which completes that task (same service, same checks, same audit
event as anywhere else). A signal the meeting does not decide, or decides "nog niet concreet", has an open
decision task again and comes back on the next agenda under "lopende signalen" (001 Bijlage 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from engine import notify
from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.audit import access_log, log
from engine.audit.events import EventType
from engine.cases import case_store, lifecycle
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.meetings import meeting_schedule
from engine.meetings.meeting_dates import FREEZE_WORKING_DAYS, deadlines_for, occurrences
from engine.modelling.forms import FormRepository
from engine.models import (
    AgendaSection,
    AuditEvent,
    Case,
    HumanTask,
    Meeting,
    MeetingItem,
    MeetingState,
    Organisation,
    TaskState,
    User,
)
from engine.regions.regions import Region
from engine.workflow.calendar import AMSTERDAM, WorkingDayCalendar

DECISION_TASK = "besluit_overleg"
ENRICHMENT_TASK = "verrijken"
PLANNER = Actor.system("planner")
HORIZON = timedelta(days=56)
MAX_MINUTES = 20_000
CHAIR = Role.PROCESREGISSEUR


# --- who may do what --------------------------------------------------------------------------------------------

def _region_of(session: Session, actor: Actor) -> str | None:
    if actor.organisation_id is None:
        return None
    return session.scalar(select(Organisation.region).where(Organisation.id == actor.organisation_id))


def is_participant(session: Session, actor: Actor, meeting: Meeting) -> bool:
    """Participants are the profile's roles within the meeting's region; the chair is one of them."""
    return (actor.role is not None and str(actor.role) in meeting.roles()
            and _region_of(session, actor) == meeting.region)


def can_see(session: Session, actor: Actor, meeting: Meeting) -> bool:
    return actor.role == Role.AUDITOR or is_participant(session, actor, meeting)


def is_chair(session: Session, actor: Actor, meeting: Meeting) -> bool:
    return actor.role == CHAIR and _region_of(session, actor) == meeting.region


def _visible(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not can_see(session, actor, meeting):
        raise NotFound("Overleg niet gevonden.")
    return meeting


def _chaired(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    meeting = _visible(session, actor, meeting_id)
    if not is_chair(session, actor, meeting):
        raise Forbidden("Alleen de voorzitter (procesregisseur) van dit overleg mag dit.")
    return meeting


# --- planning ---------------------------------------------------------------------------------------------------

def _roles_text(roles: tuple[Role, ...]) -> str:
    return "," + ",".join(sorted({str(r) for r in (*roles, CHAIR)})) + ","


def _add(session: Session, *, region: Region, starts_at: datetime, call_at: datetime, freeze_at: datetime,
         by: Actor, now: datetime) -> Meeting | None:
    assert region.overleg is not None
    if session.scalar(select(Meeting.id).where(Meeting.region == region.slug, Meeting.starts_at == starts_at)):
        return None
    meeting = Meeting(region=region.slug, name=region.overleg.naam, starts_at=starts_at, call_at=call_at,
                      freeze_at=freeze_at, participant_roles=_roles_text(region.overleg.deelnemers),
                      state=MeetingState.PLANNED, planned_by=by.username)
    session.add(meeting)
    session.flush()
    log.record(session, event_type=EventType.MEETING_PLANNED, actor=by, now=now, payload={
        "meeting": meeting.id, "region": region.slug, "starts_at": starts_at.isoformat(), "by": by.username})
    return meeting


def plan_from_profiles(session: Session, *, regions: dict[str, Region], calendar: WorkingDayCalendar,
                       now: datetime) -> dict[str, int | str]:
    """Create the coming meetings of every region whose profile is complete; per region with a standing
    meeting a count or why not."""
    report: dict[str, int | str] = {}
    for region in regions.values():
        overleg = meeting_schedule.effective_overleg(session, region)
        if overleg is None:
            continue  # no standing meeting (Oost-Brabant, Soest): nothing to plan, nothing to report
        try:
            coming = occurrences(overleg, calendar, now.date(), (now + HORIZON).date())
        except ValueError as exc:
            report[region.slug] = str(exc)
            continue
        created = [_add(session, region=region, starts_at=o.starts_at, call_at=o.call_at, freeze_at=o.freeze_at,
                        by=PLANNER, now=now) for o in coming if o.starts_at > now]
        report[region.slug] = sum(1 for m in created if m is not None)
    return report


def plan_by_hand(session: Session, *, actor: Actor, now: datetime, regions: dict[str, Region],
                 calendar: WorkingDayCalendar, starts_at: datetime) -> Meeting:
    """The chair plans a meeting (an extra one, or while the profile still lacks its weekday and time)."""
    region = _chaired_region(session, actor, regions)
    overleg = meeting_schedule.effective_overleg(session, region)
    assert overleg is not None
    if starts_at <= now:
        raise ValidationFailed("Kies een moment in de toekomst.", {"starts_at": "Kies een moment in de toekomst."})
    if not calendar.is_working_day(starts_at.astimezone(AMSTERDAM).date()):
        raise ValidationFailed("Kies een werkdag.", {"starts_at": "Dit is geen werkdag (weekend of feestdag)."})
    call_at, freeze_at = deadlines_for(calendar, starts_at, overleg.oproep_werkdagen_vooraf or 0,
                                       overleg.agenda_dicht_werkdagen_vooraf or FREEZE_WORKING_DAYS)
    meeting = _add(session, region=region, starts_at=starts_at, call_at=max(call_at, now),
                   freeze_at=max(freeze_at, now), by=actor, now=now)
    if meeting is None:
        raise Conflict("Op dat moment staat dit overleg al gepland.")
    return meeting


def _chaired_region(session: Session, actor: Actor, regions: dict[str, Region]) -> Region:
    region = regions.get(_region_of(session, actor) or "")
    if actor.role != CHAIR or region is None:
        raise Forbidden("Alleen de procesregisseur van een regio plant een overleg.")
    if region.overleg is None:
        raise Forbidden(f"Regio {region.naam} heeft geen vast overleg.")
    return region


def region_of_chair(session: Session, actor: Actor, regions: dict[str, Region]) -> Region | None:
    """The region whose meeting the actor chairs, or None (no procesregisseur, or a region without one)."""
    try:
        return _chaired_region(session, actor, regions)
    except Forbidden:
        return None


def change_schedule(session: Session, *, actor: Actor, now: datetime, regions: dict[str, Region],
                    calendar: WorkingDayCalendar, weekday: str, time_of_day: str, call_working_days: object,
                    freeze_working_days: object) -> int:
    """The procesregisseur sets the meeting moment; it holds from the next meeting whose call has not gone out.

    Meetings the planner made from the old moment and that have not been called yet are cancelled
    (their agendas are still empty) and the coming ones are planned from the new moment at once.
    Returns the number of meetings now planned for the region.
    """
    region = _chaired_region(session, actor, regions)
    weekday, time_of_day, call, freeze = meeting_schedule.validate(weekday, time_of_day, call_working_days,
                                                                   freeze_working_days)
    _row, before = meeting_schedule.save(session, actor=actor, now=now, region=region, weekday=weekday,
                                         time_of_day=time_of_day, call_working_days=call, freeze_working_days=freeze)
    log.record(session, event_type=EventType.MEETING_SCHEDULE_CHANGED, actor=actor, now=now, payload={
        "region": region.slug, "region_name": region.naam, "weekday": weekday, "time": time_of_day,
        "call_working_days": call, "freeze_working_days": freeze, "before": before})
    stale = session.scalars(select(Meeting).where(
        Meeting.region == region.slug, Meeting.state == MeetingState.PLANNED, Meeting.planned_by == PLANNER.username,
        Meeting.call_at > now))
    for meeting in stale:
        log.record(session, event_type=EventType.MEETING_CANCELLED, actor=actor, now=now, payload={
            "meeting": meeting.id, "region": region.slug, "starts_at": meeting.starts_at.isoformat(),
            "reason": "vergadermoment gewijzigd"})
        session.delete(meeting)
    session.flush()
    report = plan_from_profiles(session, regions={region.slug: region}, calendar=calendar, now=now)
    planned = report[region.slug]
    return planned if isinstance(planned, int) else 0


# --- the cycle the scheduler drives -----------------------------------------------------------------------------

def _participants(session: Session, meeting: Meeting) -> list[User]:
    return list(session.scalars(
        select(User).join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.region == meeting.region, User.role.in_(meeting.roles()), User.active.is_(True))
        .order_by(User.id)))


def _also_called(session: Session, meeting: Meeting, regions: dict[str, Region] | None) -> list[User]:
    """Whom the profile also asks for new signals, without a seat at the table (001 Bijlage 5: OOV'er Leeuwarden)."""
    region = (regions or {}).get(meeting.region)
    if region is None or region.overleg is None or not region.overleg.oproep_ook:
        return []
    found: list[User] = []
    for role, gemeente in region.overleg.oproep_ook:
        found += session.scalars(select(User).join(Organisation, Organisation.id == User.organisation_id)
                                 .where(Organisation.slug == gemeente, User.role == str(role),
                                        User.active.is_(True)).order_by(User.id))
    return found


def send_calls(session: Session, *, now: datetime, base_url: str, regions: dict[str, Region] | None = None) -> int:
    """Ask the participants (and whom the profile also asks) for new signals; the e-mail holds a link only."""
    due = list(session.scalars(select(Meeting).where(Meeting.state == MeetingState.PLANNED, Meeting.call_at <= now)
                               .order_by(Meeting.call_at).with_for_update(skip_locked=True)))
    for meeting in due:
        sent = 0
        participants = _participants(session, meeting)
        also = [u for u in _also_called(session, meeting, regions) if u not in participants]
        for users_, (subject, body) in ((participants, notify.meeting_mail(base_url=base_url, meeting_id=meeting.id)),
                                        (also, notify.signal_call_mail(base_url=base_url))):
            for user in users_:
                if user.email and notify.enqueue(session, key=f"oproep:{meeting.id}:{user.id}",
                                                 kind=notify.MEETING_CALL, recipient=user.email, subject=subject,
                                                 body=body, now=now, user_id=user.id):
                    sent += 1
        meeting.state, meeting.called_at = MeetingState.CALLED, now
        log.record(session, event_type=EventType.MEETING_CALLED, actor=PLANNER, now=now,
                   payload={"meeting": meeting.id, "recipients": sent})
    return len(due)


def _open_decisions(session: Session, region: str) -> list[HumanTask]:
    """Ready decision tasks of cases in the region's gemeenten, oldest first."""
    return list(session.scalars(
        select(HumanTask).join(Case, Case.id == HumanTask.instance_id)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .where(HumanTask.element_id == DECISION_TASK, HumanTask.state == TaskState.READY,
               Organisation.region == region)
        .order_by(HumanTask.created_at, HumanTask.id)))


def _on_open_agenda(session: Session, instance_id: int) -> bool:
    return session.scalar(select(exists().where(and_(
        MeetingItem.instance_id == instance_id, MeetingItem.decided_at.is_(None),
        MeetingItem.meeting_id == Meeting.id, Meeting.state != MeetingState.HELD)))) or False


def _add_item(session: Session, meeting: Meeting, task: HumanTask, now: datetime, *, acute_late: bool) -> None:
    instance = case_store.require_locked(session, task.instance_id)  # the case's chain gets an event
    earlier = session.scalar(select(exists().where(MeetingItem.instance_id == instance.id)))
    section = AgendaSection.RUNNING if earlier else AgendaSection.NEW
    session.add(MeetingItem(meeting_id=meeting.id, instance_id=instance.id, task_id=task.id, section=section,
                            acute_after_freeze=acute_late, added_at=now))
    log.record(session, event_type=EventType.MEETING_AGENDA_ADDED, actor=PLANNER, now=now, instance_id=instance.id,
               payload={"meeting": meeting.id, "name": meeting.name, "starts_at": meeting.starts_at.isoformat(),
                        "section": str(section), "acute_after_freeze": acute_late})
    session.flush()


def freeze_agendas(session: Session, *, now: datetime) -> int:
    """At the call's deadline the agenda is fixed: every open decision of the region not already on one."""
    due = list(session.scalars(select(Meeting).where(Meeting.state.in_([MeetingState.PLANNED, MeetingState.CALLED]),
                                                     Meeting.freeze_at <= now)
                               .order_by(Meeting.freeze_at).with_for_update(skip_locked=True)))
    for meeting in due:
        _freeze(session, meeting, now=now, cutoff=meeting.freeze_at, by=PLANNER)
    return len(due)


def _freeze(session: Session, meeting: Meeting, *, now: datetime, cutoff: datetime, by: Actor) -> None:
    for task in _open_decisions(session, meeting.region):
        if task.created_at <= cutoff and not _on_open_agenda(session, task.instance_id):
            _add_item(session, meeting, task, now, acute_late=False)
    meeting.state, meeting.frozen_at = MeetingState.FROZEN, now
    log.record(session, event_type=EventType.MEETING_AGENDA_FROZEN, actor=by, now=now, payload={
        "meeting": meeting.id, "by": by.username, "early": now < meeting.freeze_at})


def close_agenda(session: Session, *, actor: Actor, now: datetime, meeting_id: int) -> Meeting:
    """The chair closes the agenda before its deadline: what waits now is on it, later signals go to the next."""
    meeting = _chaired(session, actor, meeting_id)
    if meeting.state not in (MeetingState.PLANNED, MeetingState.CALLED):
        raise Conflict("De agenda van dit overleg is al gesloten.")
    _freeze(session, meeting, now=now, cutoff=now, by=actor)
    session.flush()
    return meeting


def add_late_acute_signals(session: Session, *, now: datetime) -> int:
    """Acute signals never wait: one that reaches a frozen agenda before the meeting joins it, flagged."""
    added = 0
    frozen = list(session.scalars(select(Meeting).where(Meeting.state == MeetingState.FROZEN,
                                                        Meeting.starts_at > now)))
    for meeting in frozen:
        for task in _open_decisions(session, meeting.region):
            if not task.instance.acuut or _on_open_agenda(session, task.instance_id):
                continue
            _add_item(session, meeting, task, now, acute_late=True)
            added += 1
    return added


def run_cycle(session: Session, *, regions: dict[str, Region], calendar: WorkingDayCalendar, now: datetime,
              base_url: str) -> dict[str, Any]:
    """One pass of the meeting calendar, for the scheduler: plan, call, freeze, add late acute signals."""
    planned = plan_from_profiles(session, regions=regions, calendar=calendar, now=now)
    return {"planned": planned, "called": send_calls(session, now=now, base_url=base_url, regions=regions),
            "frozen": freeze_agendas(session, now=now), "acute_added": add_late_acute_signals(session, now=now)}


# --- the meeting page -------------------------------------------------------------------------------------------

@dataclass
class AgendaEntry:
    item: MeetingItem
    reference: str
    gemeente: str
    vorm: str | None
    acuut: bool
    summary: str | None  # the AF's enrichment summary: what the participants need to discuss the signal
    open: bool           # the decision task still waits for this meeting
    form: str | None = None  # the decision form of the case's model (each region decides in its own words)


@dataclass(frozen=True)
class WaitingSignal:
    """A signal that waits for this meeting's decision; it goes on the agenda when the agenda closes."""

    reference: str
    gemeente: str
    vorm: str | None
    acuut: bool


@dataclass
class MeetingView:
    meeting: Meeting
    new: list[AgendaEntry] = field(default_factory=list)
    running: list[AgendaEntry] = field(default_factory=list)
    waiting: list[WaitingSignal] = field(default_factory=list)  # before the agenda closes: what will be on it
    can_decide: bool = False
    can_close_agenda: bool = False
    can_read_minutes: bool = False


def _summary(session: Session, instance_id: int) -> str | None:
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                 AuditEvent.event_type == EventType.TASK_COMPLETED)
        .order_by(AuditEvent.seq.desc()).where(AuditEvent.payload["element_id"].as_string() == ENRICHMENT_TASK)
        .limit(1))
    value = (event.payload.get("data") or {}).get("samenvatting") if event is not None else None
    return value if isinstance(value, str) else None


def view(session: Session, *, actor: Actor, now: datetime, meeting_id: int) -> MeetingView:
    meeting = _visible(session, actor, meeting_id)
    chair = is_chair(session, actor, meeting)
    open_agenda = meeting.state in (MeetingState.PLANNED, MeetingState.CALLED)
    result = MeetingView(meeting, can_decide=chair and meeting.state != MeetingState.HELD,
                         can_close_agenda=chair and open_agenda, can_read_minutes=can_see(session, actor, meeting))
    if open_agenda and _is_next(session, meeting, now):
        for pending in _open_decisions(session, meeting.region):
            if _on_open_agenda(session, pending.instance_id):
                continue
            waiting = pending.instance
            place = session.get(Organisation, waiting.organisation_id)
            result.waiting.append(WaitingSignal(lifecycle.reference(waiting), place.name if place else "",
                                                waiting.vorm, waiting.acuut))
            log_view(session, actor, now, waiting.id)
    items = session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == meeting.id)
                            .order_by(MeetingItem.acute_after_freeze.desc(), MeetingItem.added_at, MeetingItem.id))
    for item in items:
        instance = session.get(Case, item.instance_id)
        assert instance is not None
        gemeente = session.get(Organisation, instance.organisation_id)
        task = session.get(HumanTask, item.task_id)
        entry = AgendaEntry(item, lifecycle.reference(instance), gemeente.name if gemeente else "", instance.vorm,
                            instance.acuut, _summary(session, instance.id),
                            open=task is not None and task.state == TaskState.READY,
                            form=task.form if task is not None else None)
        (result.running if item.section == AgendaSection.RUNNING else result.new).append(entry)
        if meeting.state != MeetingState.HELD:
            log_view(session, actor, now, instance.id)
    return result


def _next_open(session: Session, region: str | None, after: datetime) -> Meeting | None:
    """The region's first meeting whose agenda closes after ``after``: a signal waiting now goes on it."""
    return session.scalar(select(Meeting).where(
        Meeting.region == region, Meeting.state.in_([MeetingState.PLANNED, MeetingState.CALLED]),
        Meeting.freeze_at > after).order_by(Meeting.starts_at).limit(1))


def _is_next(session: Session, meeting: Meeting, now: datetime) -> bool:
    """Only the meeting the waiting signals will go to shows them as its provisional agenda."""
    coming = _next_open(session, meeting.region, now)
    return coming is not None and coming.id == meeting.id


def meeting_for_task(session: Session, *, actor: Actor, task_id: int) -> Meeting | None:
    """The meeting whose agenda holds this decision task, or the region's next one: a 'besluit' links there."""
    task = session.get(HumanTask, task_id)
    if task is None or task.element_id != DECISION_TASK:
        return None
    meeting = session.scalar(select(Meeting).join(MeetingItem, MeetingItem.meeting_id == Meeting.id)
                             .where(MeetingItem.task_id == task_id).order_by(Meeting.starts_at.desc()).limit(1))
    if meeting is None:
        region = session.scalar(select(Organisation.region).join(Case, Case.organisation_id == Organisation.id)
                                .where(Case.id == task.instance_id))
        meeting = _next_open(session, region, task.created_at)
    return meeting if meeting is not None and can_see(session, actor, meeting) else None


def log_view(session: Session, actor: Actor, now: datetime, instance_id: int) -> None:
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id,
                           action=access_log.MEETING_AGENDA_VIEWED)


def decide(session: Session, *, actor: Actor, now: datetime, meeting_id: int, item_id: int, data: dict[str, Any],
           forms: FormRepository) -> MeetingItem:
    """The chair records the meeting's decision for one signal: it completes that case's decision task."""
    meeting = _chaired(session, actor, meeting_id)
    if meeting.state == MeetingState.HELD:
        raise Conflict("Dit overleg is al afgesloten.")
    item = session.get(MeetingItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound("Agendapunt niet gevonden.")
    if item.decided_at is not None:
        raise Conflict("Over dit signaal is in dit overleg al besloten.")
    lifecycle.complete_task(session, actor=actor, now=now, task_id=item.task_id, data=data, forms=forms,
                            audit_context={"overleg": meeting.id, "overleg_naam": meeting.name,
                                           "overleg_datum": meeting.starts_at.isoformat()})
    item.decision, item.decided_at = str(data.get("besluit")), now
    session.flush()
    return item


def save_minutes(session: Session, *, actor: Actor, now: datetime, meeting_id: int, text: str) -> Meeting:
    meeting = _chaired(session, actor, meeting_id)
    text = text.strip()
    if len(text) > MAX_MINUTES:
        raise ValidationFailed("Het verslag is te lang.", {"minutes": f"Vul hoogstens {MAX_MINUTES} tekens in."})
    meeting.minutes, meeting.minutes_by_id = text, actor.user_id
    log.record(session, event_type=EventType.MEETING_MINUTES_SAVED, actor=actor, now=now,
               payload={"meeting": meeting.id, "length": len(text)})
    session.flush()
    return meeting


def close(session: Session, *, actor: Actor, now: datetime, meeting_id: int) -> Meeting:
    """The meeting was held: undecided signals keep their open task and return on the next agenda."""
    meeting = _chaired(session, actor, meeting_id)
    if meeting.state == MeetingState.HELD:
        raise Conflict("Dit overleg is al afgesloten.")
    items = list(session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == meeting.id)))
    decided = sum(1 for i in items if i.decided_at is not None)
    meeting.state, meeting.held_at = MeetingState.HELD, now
    log.record(session, event_type=EventType.MEETING_HELD, actor=actor, now=now,
               payload={"meeting": meeting.id, "decided": decided, "undecided": len(items) - decided})
    session.flush()
    return meeting


def list_for(session: Session, *, actor: Actor, now: datetime) -> list[Meeting]:
    """The meetings of the actor's region (all of them for an auditor), coming first, then the last held."""
    query = select(Meeting).order_by(Meeting.starts_at)
    if actor.role != Role.AUDITOR:
        region = _region_of(session, actor)
        if region is None or actor.role is None:
            return []
        query = query.where(Meeting.region == region, Meeting.participant_roles.contains(f",{actor.role},"))
    return list(session.scalars(query.where(Meeting.starts_at >= now - timedelta(days=90))))


def ics(session: Session, *, actor: Actor, now: datetime) -> str:
    """An iCalendar feed of the actor's meeting series: times and names only, never an agenda."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Signaalroute//Overleg//NL", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH"]
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for meeting in list_for(session, actor=actor, now=now):
        lines += ["BEGIN:VEVENT", f"UID:overleg-{meeting.id}@signaalroute", f"DTSTAMP:{stamp}",
                  f"DTSTART:{meeting.starts_at.strftime('%Y%m%dT%H%M%SZ')}",
                  f"DTEND:{(meeting.starts_at + timedelta(hours=1)).strftime('%Y%m%dT%H%M%SZ')}",
                  f"SUMMARY:{_ics_text(meeting.name)}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
