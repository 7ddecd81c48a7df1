"""When a region's meeting takes place, when the call for signals goes out, and when its agenda freezes.

Occurrences are computed on the Amsterdam wall clock, so a meeting at 09.30 stays at 09.30 across
daylight-saving switches, and one that falls on a holiday (Atw) moves to the next working day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from engine.regions.regions import WEEKDAGEN, Overleg
from engine.workflow.calendar import AMSTERDAM, WorkingDayCalendar

# A two-weekly cadence without a startdatum counts its weeks from this Monday (ISO week 2 of 2026).
DEFAULT_ANCHOR = date(2026, 1, 5)
CADENCE_WEEKS = {"wekelijks": 1, "tweewekelijks": 2, "driewekelijks": 3, "vierwekelijks": 4}
# The agenda freezes at the call's deadline: one working day before the meeting, at its wall-clock time.
FREEZE_WORKING_DAYS = 1


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime  # UTC
    call_at: datetime    # UTC
    freeze_at: datetime  # UTC


def _wall(day: date, at: time) -> datetime:
    return datetime.combine(day, at, AMSTERDAM).astimezone(UTC)


def _back(calendar: WorkingDayCalendar, day: date, working_days: int) -> date:
    """The day ``working_days`` working days before ``day``."""
    while working_days > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            working_days -= 1
    return day


def _nominal_days(overleg: Overleg, first: date, last: date) -> Iterator[date]:
    assert overleg.weekdag is not None and overleg.cadans is not None
    weekday = WEEKDAGEN.index(overleg.weekdag)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    if overleg.cadans == "maandelijks":  # the first such weekday of every month
        while day <= last:
            if day.day <= 7:
                yield day
            day += timedelta(days=7)
        return
    step = CADENCE_WEEKS[overleg.cadans]
    anchor = overleg.startdatum or DEFAULT_ANCHOR
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    while day <= last:
        weeks = ((day - timedelta(days=day.weekday())) - anchor_monday).days // 7
        if weeks % step == 0 and day >= (overleg.startdatum or date.min):
            yield day
        day += timedelta(days=7)


def occurrences(overleg: Overleg, calendar: WorkingDayCalendar, first: date, last: date) -> list[Occurrence]:
    """Meetings whose nominal day lies in [first, last]; raises ValueError while the profile is incomplete."""
    if overleg.missing:
        raise ValueError("het regioprofiel mist nog: " + ", ".join(overleg.missing))
    assert overleg.tijd is not None and overleg.oproep_werkdagen_vooraf is not None
    at = time.fromisoformat(overleg.tijd)
    result = []
    for nominal in _nominal_days(overleg, first, last):
        day = nominal
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        call_day = _back(calendar, day, overleg.oproep_werkdagen_vooraf)
        freeze_days = overleg.agenda_dicht_werkdagen_vooraf or FREEZE_WORKING_DAYS
        freeze_day = max(call_day, _back(calendar, day, freeze_days))
        result.append(Occurrence(_wall(day, at), _wall(call_day, at), _wall(freeze_day, at)))
    return result


def deadlines_for(calendar: WorkingDayCalendar, starts_at: datetime, call_working_days: int,
                  freeze_working_days: int = FREEZE_WORKING_DAYS) -> tuple[datetime, datetime]:
    """Call and freeze moments for a meeting planned by hand at ``starts_at``."""
    local = starts_at.astimezone(AMSTERDAM)
    call_day = _back(calendar, local.date(), call_working_days)
    freeze_day = max(call_day, _back(calendar, local.date(), freeze_working_days))
    return _wall(call_day, local.time()), _wall(freeze_day, local.time())
