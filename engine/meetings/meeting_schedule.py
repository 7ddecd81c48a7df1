"""The region's meeting moment as the procesregisseur sets it: weekday, time, call and freeze terms.

The sources give the cadence (Drieluik every two weeks, 001 Bijlage 5; screeningsoverleg weekly,
003 par. 4.2) but not the weekday and time, so the profiles say "AAN TE VULLEN". The procesregisseur
fills them in the web UI; the row lives in the database, so loading the profile again never undoes
it. The agenda freezes before the meeting, never at its start: participants need the agenda to
check their own systems (001 Bijlage 5).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.errors import ValidationFailed
from engine.models import MeetingSchedule
from engine.regions.regions import WEEKDAGEN, Overleg, Region

MAX_CALL_DAYS = 20
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def get(session: Session, region_slug: str) -> MeetingSchedule | None:
    return session.get(MeetingSchedule, region_slug)


def effective_overleg(session: Session, region: Region) -> Overleg | None:
    """The profile's meeting with the procesregisseur's settings in place of the profile's values."""
    if region.overleg is None:
        return None
    row = get(session, region.slug)
    if row is None:
        return region.overleg
    return replace(region.overleg, weekdag=row.weekday, tijd=row.time_of_day,
                   oproep_werkdagen_vooraf=row.call_working_days,
                   agenda_dicht_werkdagen_vooraf=row.freeze_working_days)


def _int(value: object, key: str, low: int, high: int, label: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if not low <= number <= high:
        raise ValidationFailed("Het vergadermoment bevat fouten.",
                               {key: f"{label}: vul een geheel getal van {low} tot en met {high} in."})
    return number


def validate(weekday: str, time_of_day: str, call_working_days: object,
             freeze_working_days: object) -> tuple[str, str, int, int]:
    """Dutch messages per field; the agenda freezes after the call and at least a working day before."""
    if weekday not in WEEKDAGEN:
        raise ValidationFailed("Het vergadermoment bevat fouten.",
                               {"weekdag": "Kies een werkdag (maandag tot en met vrijdag)."})
    time_of_day = (time_of_day or "").strip()
    if not _TIME.match(time_of_day):
        raise ValidationFailed("Het vergadermoment bevat fouten.",
                               {"tijd": "Vul een tijd in als UU:MM, bijvoorbeeld 09:30."})
    call = _int(call_working_days, "oproep", 1, MAX_CALL_DAYS, "Oproep")
    freeze = _int(freeze_working_days, "agenda_dicht", 1, MAX_CALL_DAYS, "Agenda dicht")
    if freeze >= call:
        raise ValidationFailed("Het vergadermoment bevat fouten.", {
            "agenda_dicht": "De agenda gaat dicht na de oproep: kies minder werkdagen dan bij de oproep."})
    return weekday, time_of_day, call, freeze


def save(session: Session, *, actor: Actor, now: datetime, region: Region, weekday: str, time_of_day: str,
         call_working_days: int, freeze_working_days: int) -> tuple[MeetingSchedule, dict[str, object]]:
    """Upsert the row; returns it and the values it had before (for the audit event)."""
    row = get(session, region.slug)
    overleg = effective_overleg(session, region)
    before: dict[str, object] = {
        "weekday": overleg.weekdag if overleg else None, "time": overleg.tijd if overleg else None,
        "call_working_days": overleg.oproep_werkdagen_vooraf if overleg else None,
        "freeze_working_days": overleg.agenda_dicht_werkdagen_vooraf if overleg else None}
    if row is None:
        row = MeetingSchedule(region=region.slug, weekday=weekday, time_of_day=time_of_day,
                              call_working_days=call_working_days, freeze_working_days=freeze_working_days,
                              updated_by=actor.username, updated_at=now)
        session.add(row)
    else:
        row.weekday, row.time_of_day = weekday, time_of_day
        row.call_working_days, row.freeze_working_days = call_working_days, freeze_working_days
        row.updated_by, row.updated_at = actor.username, now
    session.flush()
    return row, before
