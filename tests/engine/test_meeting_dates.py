"""Meeting dates for a year: wall-clock time across DST, holidays moved to the next working day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from engine.accounts.roles import Role
from engine.meetings.meeting_dates import deadlines_for, occurrences
from engine.regions.regions import Overleg
from engine.workflow.calendar import AMSTERDAM, WorkingDayCalendar

CALENDAR = WorkingDayCalendar()


def overleg(cadans="tweewekelijks", weekdag="maandag", tijd="09:30", oproep=3, startdatum=date(2026, 1, 12)):
    return Overleg("Drieluik", cadans, weekdag, tijd, (Role.POLITIE,), (), oproep, "test", startdatum)


def local(moment: datetime) -> tuple[date, str]:
    wall = moment.astimezone(AMSTERDAM)
    return wall.date(), wall.strftime("%H:%M")


def test_a_biweekly_monday_meeting_over_2026_keeps_its_wall_clock_time_and_skips_holidays():
    meetings = occurrences(overleg(), CALENDAR, date(2026, 1, 1), date(2026, 12, 31))
    days = [local(m.starts_at)[0] for m in meetings]
    assert len(days) == 26
    assert {local(m.starts_at)[1] for m in meetings} == {"09:30"}, "09.30 uur in winter and in summer time"
    utc_hours = {m.starts_at.hour for m in meetings}
    assert utc_hours == {7, 8}, "UTC shifts by an hour at the DST switches (29 March, 25 October)"
    # Easter Monday 6 April 2026 is a holiday: that meeting moves to Tuesday
    assert date(2026, 4, 7) in days and date(2026, 4, 6) not in days
    assert days[:3] == [date(2026, 1, 12), date(2026, 1, 26), date(2026, 2, 9)]
    assert days[-1] == date(2026, 12, 28)


def test_the_call_goes_out_working_days_before_and_the_agenda_freezes_the_working_day_before():
    [easter] = [m for m in occurrences(overleg(), CALENDAR, date(2026, 4, 1), date(2026, 4, 10))]
    # meeting Tue 7 April; three working days back skip Easter Monday and Good Friday: 2 April, 1 April, 31 March
    assert local(easter.call_at) == (date(2026, 3, 31), "09:30")
    assert local(easter.freeze_at) == (date(2026, 4, 2), "09:30"), "Thursday: Friday and Monday are holidays"


def test_a_weekly_meeting_on_kings_day_moves_to_the_next_day():
    days = [local(m.starts_at)[0] for m in occurrences(overleg("wekelijks", "maandag"), CALENDAR,
                                                        date(2026, 4, 20), date(2026, 5, 5))]
    assert days == [date(2026, 4, 20), date(2026, 4, 28), date(2026, 5, 4)], "27 April is Koningsdag"


def test_an_incomplete_profile_plans_nothing_and_says_what_is_missing():
    try:
        occurrences(overleg(weekdag=None, tijd=None), CALENDAR, date(2026, 1, 1), date(2026, 2, 1))
    except ValueError as exc:
        assert str(exc) == "het regioprofiel mist nog: weekdag, tijd"
    else:
        raise AssertionError("an incomplete profile must not be planned")


def test_a_monthly_meeting_is_on_the_first_weekday_of_the_month():
    days = [local(m.starts_at)[0] for m in occurrences(overleg("maandelijks", "dinsdag"), CALENDAR,
                                                        date(2026, 1, 1), date(2026, 3, 31))]
    assert days == [date(2026, 1, 6), date(2026, 2, 3), date(2026, 3, 3)]


def test_a_meeting_planned_by_hand_gets_its_call_and_freeze():
    call, freeze = deadlines_for(CALENDAR, datetime(2026, 3, 10, 8, 30, tzinfo=UTC), 2)
    assert local(call) == (date(2026, 3, 6), "09:30") and local(freeze) == (date(2026, 3, 9), "09:30")
