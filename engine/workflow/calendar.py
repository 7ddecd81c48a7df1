"""The Dutch working-day calendar, for terms counted in werkdagen under the Algemene termijnenwet.

Saturdays, Sundays and the holidays of Atw art. 3 (plus days the government adds by decree) do
not count, and a term that would end on such a day runs on to the next working day (Atw art. 1).
All arithmetic is in Amsterdam wall-clock time, so a deadline set at 10.00 stays at 10.00 across
daylight-saving switches.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_data

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ENV_VARIABLE = "SIGNAALROUTE_EXTRA_NON_WORKING_DAYS"
# The package also lists these two; they always fall on a Sunday and Atw art. 3 does not name them.
_SUNDAY_FEASTS = frozenset({"Eerste paasdag", "Eerste pinksterdag"})
_DECREE_DAY = "Vrije dag bij besluit"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ONE_DAY = timedelta(days=1)


def _local(moment: datetime) -> datetime:
    """``moment`` on the Amsterdam wall clock; naive input is refused because its zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required (a naive one has no known time zone)")
    return moment.astimezone(AMSTERDAM)


def _at(day: date, wall: time) -> datetime:
    """``day`` at Amsterdam wall-clock time ``wall``; the UTC round trip moves a time in a DST gap."""
    return datetime.combine(day, wall, AMSTERDAM).astimezone(UTC).astimezone(AMSTERDAM)


def _whole_days(days: int) -> int:
    days = operator.index(days)  # a float would make the day loops below miss zero
    if days < 0:
        raise ValueError("days must be zero or more")
    return days


class WorkingDayCalendar:
    """Which days count as working days, and deadline arithmetic over them."""

    def __init__(self, extra_days: Iterable[date] = (), office_open: time = time(8, 0),
                 office_close: time = time(16, 30)) -> None:
        if office_open.tzinfo is not None or office_close.tzinfo is not None:
            raise ValueError("office hours are Amsterdam wall-clock times; give them without tzinfo")
        if not office_open < office_close:
            raise ValueError("office_open must be before office_close")
        self.extra_days = frozenset(d.date() if isinstance(d, datetime) else d for d in extra_days)
        self.office_open, self.office_close = office_open, office_close
        self._years: dict[int, dict[date, str]] = {}

    def _non_working(self, year: int) -> dict[date, str]:
        # Computed once per year; a race between threads only computes the same dict twice.
        if (days := self._years.get(year)) is None:
            listed = holiday_data.country_holidays("NL", years=year, language="nl")
            days = {day: name for day, name in listed.items() if name not in _SUNDAY_FEASTS}
            # Atw art. 3 names 5 May for every year; the package has it only every fifth year
            # (a collective-labour-agreement custom that does not apply to statutory terms).
            days.setdefault(date(year, 5, 5), "Bevrijdingsdag")
            days.update((day, _DECREE_DAY) for day in self.extra_days if day.year == year and day not in days)
            days = self._years[year] = dict(sorted(days.items()))
        return days

    def holidays(self, year: int) -> dict[date, str]:
        """The non-working days of ``year`` besides weekends, with their Dutch names, in date order."""
        return dict(self._non_working(year))

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a holiday; an aware datetime counts by its Amsterdam date."""
        if isinstance(day, datetime):
            day = _local(day).date()
        return day.weekday() < 5 and day not in self._non_working(day.year)

    def _next_working_day(self, day: date) -> date:
        """The first working day after ``day`` (ends: extra days are finite and weeks have weekdays)."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """``days`` working days after ``moment``'s date, at the same Amsterdam wall-clock time.

        Zero days is ``moment`` itself on a working day, otherwise the next working day's opening.
        """
        local, days = _local(moment), _whole_days(days)
        day = local.date()
        if days == 0:
            return local if self.is_working_day(day) else _at(self._next_working_day(day), self.office_open)
        for _ in range(days):
            day = self._next_working_day(day)
        return _at(day, local.time())

    def end_of_term(self, moment: datetime, days: int) -> datetime:
        """A term of ``days`` calendar days; ending on a non-working day it runs on (Atw art. 1)."""
        local = _local(moment)
        day = local.date() + timedelta(days=_whole_days(days))
        if not self.is_working_day(day):
            day = self._next_working_day(day)
        return _at(day, local.time())

    def within_office_hours(self, moment: datetime) -> bool:
        """On a working day, from opening up to (not including) closing time."""
        local = _local(moment)
        return self.is_working_day(local.date()) and self.office_open <= local.time() < self.office_close

    def add_office_hours(self, moment: datetime, hours: float) -> datetime:
        """``hours`` of office time after ``moment``; outside office hours counting starts at the next opening."""
        if not (isinstance(hours, int | float) and math.isfinite(hours) and hours >= 0):
            raise ValueError("hours must be a finite number, zero or more")
        local = _local(moment)
        day, wall = local.date(), local.time().replace(fold=0)
        if not self.within_office_hours(local):
            if not (self.is_working_day(day) and wall < self.office_open):
                day = self._next_working_day(day)
            wall = self.office_open
        start, remaining = datetime.combine(day, wall), timedelta(hours=hours)
        # Working days never hold a DST switch (those are Sundays), so naive wall-clock sums are exact.
        while remaining > (left := datetime.combine(start.date(), self.office_close) - start):
            remaining -= left
            start = datetime.combine(self._next_working_day(start.date()), self.office_open)
        end = start + remaining
        return _at(end.date(), end.time())


def calendar_from_env(value: str | None) -> WorkingDayCalendar:
    """The calendar with the decree days configured as comma-separated ISO dates (ENV_VARIABLE).

    Empty parts are ignored, so a trailing comma is harmless; anything else that is not a
    JJJJ-MM-DD date is refused with a message naming it, so a typo cannot silently shift terms.
    """
    days = []
    for part in (value or "").split(","):
        text = part.strip()
        if not text:
            continue
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError(text)
            days.append(date.fromisoformat(text))
        except ValueError:
            raise ValueError(
                f"Ongeldige datum {text[:40]!r} in {ENV_VARIABLE}: verwacht JJJJ-MM-DD, gescheiden door komma's"
            ) from None
    return WorkingDayCalendar(days)
