"""The Dutch working-day calendar: hand-checked holidays and term arithmetic (Algemene termijnenwet)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from engine.workflow.calendar import AMSTERDAM, WorkingDayCalendar, calendar_from_env

CALENDAR = WorkingDayCalendar()


def ams(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


# Easter Sunday 2025-04-20, 2026-04-05, 2027-03-28; Ascension is Easter + 39, Whit Monday Easter + 50.
HOLIDAYS = {
    2025: {
        date(2025, 1, 1): "Nieuwjaarsdag",
        date(2025, 4, 18): "Goede vrijdag",
        date(2025, 4, 21): "Tweede paasdag",
        date(2025, 4, 26): "Koningsdag",  # 27 April 2025 is a Sunday
        date(2025, 5, 5): "Bevrijdingsdag",
        date(2025, 5, 29): "Hemelvaartsdag",
        date(2025, 6, 9): "Tweede pinksterdag",
        date(2025, 12, 25): "Eerste kerstdag",
        date(2025, 12, 26): "Tweede kerstdag",
    },
    2026: {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 3): "Goede vrijdag",
        date(2026, 4, 6): "Tweede paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 25): "Tweede pinksterdag",
        date(2026, 12, 25): "Eerste kerstdag",
        date(2026, 12, 26): "Tweede kerstdag",
    },
    2027: {
        date(2027, 1, 1): "Nieuwjaarsdag",
        date(2027, 3, 26): "Goede vrijdag",
        date(2027, 3, 29): "Tweede paasdag",
        date(2027, 4, 27): "Koningsdag",
        date(2027, 5, 5): "Bevrijdingsdag",
        date(2027, 5, 6): "Hemelvaartsdag",
        date(2027, 5, 17): "Tweede pinksterdag",
        date(2027, 12, 25): "Eerste kerstdag",
        date(2027, 12, 26): "Tweede kerstdag",
    },
}


# --- which days are working days ----------------------------------------------------------


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_the_holidays_of_a_year_are_exactly_the_atw_days_with_dutch_names_in_date_order(year):
    found = CALENDAR.holidays(year)
    assert found == HOLIDAYS[year]
    assert list(found) == sorted(found)


def test_kings_day_moves_to_the_saturday_before_when_27_april_is_a_sunday():
    assert date(2025, 4, 27).weekday() == 6
    assert not CALENDAR.is_working_day(date(2025, 4, 26))
    assert date(2025, 4, 27) not in CALENDAR.holidays(2025)


@pytest.mark.parametrize("day", [date(2026, 5, 5), date(2027, 5, 5), date(2028, 5, 5), date(2031, 5, 5)])
def test_liberation_day_is_a_non_working_day_every_year_not_only_every_fifth(day):
    assert day.weekday() < 5
    assert not CALENDAR.is_working_day(day)
    assert CALENDAR.holidays(day.year)[day] == "Bevrijdingsdag"


def test_good_friday_is_not_a_working_day():
    assert not CALENDAR.is_working_day(date(2026, 4, 3))


def test_weekends_are_not_working_days_and_ordinary_weekdays_are():
    assert not CALENDAR.is_working_day(date(2026, 3, 7))  # Saturday
    assert not CALENDAR.is_working_day(date(2026, 3, 8))  # Sunday
    assert all(CALENDAR.is_working_day(date(2026, 3, d)) for d in range(2, 7))
    assert CALENDAR.is_working_day(date(2026, 5, 4))  # Dodenherdenking is a working day


def test_an_aware_datetime_counts_by_its_amsterdam_date():
    # 23:30 UTC on Thursday 2 April is already Good Friday in Amsterdam.
    assert not CALENDAR.is_working_day(datetime(2026, 4, 2, 23, 30, tzinfo=UTC))
    assert CALENDAR.is_working_day(datetime(2026, 4, 2, 21, 30, tzinfo=UTC))


def test_an_extra_day_by_decree_is_a_named_non_working_day_of_its_year_only():
    calendar = WorkingDayCalendar(extra_days=[date(2026, 12, 24)])
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.holidays(2026)[date(2026, 12, 24)] == "Vrije dag bij besluit"
    assert calendar.holidays(2027) == HOLIDAYS[2027]
    assert CALENDAR.is_working_day(date(2026, 12, 24)), "the default calendar has no extra days"


def test_changing_the_returned_holidays_does_not_change_the_calendar():
    calendar = WorkingDayCalendar()
    calendar.holidays(2026).clear()
    assert calendar.holidays(2026) == HOLIDAYS[2026]


# --- adding working days ------------------------------------------------------------------


def test_one_working_day_after_the_thursday_before_easter_is_the_tuesday_after_it():
    assert CALENDAR.add_working_days(ams(2026, 4, 2, 10), 1) == ams(2026, 4, 7, 10)


def test_one_working_day_after_christmas_eve_2026_skips_both_christmas_days_and_the_weekend():
    # 24 December 2026 is a Thursday: Friday 25 and Saturday 26 are Christmas, then Sunday.
    assert CALENDAR.add_working_days(ams(2026, 12, 24, 14, 15), 1) == ams(2026, 12, 28, 14, 15)


def test_adding_working_days_keeps_the_wall_clock_time_across_the_switch_to_summer_time():
    result = CALENDAR.add_working_days(ams(2026, 3, 27, 9), 1)
    assert result == ams(2026, 3, 30, 9)
    assert (result.hour, result.minute) == (9, 0)
    assert result.utcoffset() == timedelta(hours=2)
    assert ams(2026, 3, 27, 9).utcoffset() == timedelta(hours=1)
    assert result.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_adding_working_days_keeps_the_wall_clock_time_across_the_switch_to_winter_time():
    result = CALENDAR.add_working_days(ams(2026, 10, 23, 9), 1)
    assert result.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_an_extra_day_by_decree_is_skipped_when_counting():
    calendar = WorkingDayCalendar(extra_days=[date(2026, 12, 24)])
    assert calendar.add_working_days(ams(2026, 12, 23), 1) == ams(2026, 12, 28)
    assert CALENDAR.add_working_days(ams(2026, 12, 23), 1) == ams(2026, 12, 24)


def test_ten_working_days_over_late_april_skip_kings_day_and_liberation_day():
    # Fri 24 Apr 2026 + 10: 28, 29, 30 Apr, 1, 4, 6, 7, 8, 11, 12 May (27 Apr and 5 May are holidays).
    assert CALENDAR.add_working_days(ams(2026, 4, 24), 10) == ams(2026, 5, 12)


def test_counting_from_a_weekend_day_starts_at_the_next_days():
    assert CALENDAR.add_working_days(ams(2026, 3, 7, 11), 1) == ams(2026, 3, 9, 11)


def test_zero_working_days_is_the_moment_itself_on_a_working_day():
    moment = ams(2026, 3, 5, 13, 37)
    assert CALENDAR.add_working_days(moment, 0) == moment


def test_zero_working_days_from_a_non_working_day_is_the_next_working_days_opening():
    assert CALENDAR.add_working_days(ams(2026, 4, 3, 13), 0) == ams(2026, 4, 7, 8)


def test_the_result_is_in_amsterdam_time_whatever_zone_came_in():
    result = CALENDAR.add_working_days(datetime(2026, 3, 5, 9, 0, tzinfo=UTC), 1)
    assert result.tzinfo is AMSTERDAM
    assert result == ams(2026, 3, 6, 10)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(datetime(2026, 3, 5, 9), 1)
    with pytest.raises(ValueError):
        CALENDAR.within_office_hours(datetime(2026, 3, 5, 9))


def test_a_negative_number_of_days_or_hours_is_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(ams(2026, 3, 5), -1)
    with pytest.raises(ValueError):
        CALENDAR.end_of_term(ams(2026, 3, 5), -1)
    with pytest.raises(ValueError):
        CALENDAR.add_office_hours(ams(2026, 3, 5), -0.5)
    with pytest.raises(ValueError):
        CALENDAR.add_office_hours(ams(2026, 3, 5), float("nan"))


def test_a_fractional_number_of_working_days_is_refused():
    with pytest.raises(TypeError):
        CALENDAR.add_working_days(ams(2026, 3, 5), 1.5)  # type: ignore[arg-type]


# --- end of a term (Atw art. 1) -----------------------------------------------------------


def test_a_term_ending_on_a_working_day_is_not_extended():
    assert CALENDAR.end_of_term(ams(2026, 4, 22), 14) == ams(2026, 5, 6)


def test_a_term_ending_on_a_saturday_runs_on_to_the_monday():
    assert CALENDAR.end_of_term(ams(2026, 4, 22), 10) == ams(2026, 5, 4)


def test_a_term_ending_on_liberation_day_runs_on_to_6_may():
    assert CALENDAR.end_of_term(ams(2026, 4, 21), 14) == ams(2026, 5, 6)


def test_a_term_ending_on_whit_saturday_runs_on_past_sunday_and_whit_monday():
    assert CALENDAR.end_of_term(ams(2026, 5, 9, 17), 14) == ams(2026, 5, 26, 17)


def test_a_term_ending_on_a_decree_day_runs_on():
    calendar = WorkingDayCalendar(extra_days=[date(2026, 5, 15)])
    assert calendar.end_of_term(ams(2026, 5, 1), 14) == ams(2026, 5, 18)


def test_a_term_of_zero_days_on_a_holiday_runs_on_to_the_next_working_day():
    assert CALENDAR.end_of_term(ams(2026, 1, 1, 9), 0) == ams(2026, 1, 2, 9)


# --- office hours ---------------------------------------------------------------------------


def test_office_hours_run_from_opening_up_to_but_not_including_closing():
    assert CALENDAR.within_office_hours(ams(2026, 3, 5, 8, 0))
    assert CALENDAR.within_office_hours(ams(2026, 3, 5, 16, 29))
    assert not CALENDAR.within_office_hours(ams(2026, 3, 5, 16, 30))
    assert not CALENDAR.within_office_hours(ams(2026, 3, 5, 7, 59))
    assert not CALENDAR.within_office_hours(ams(2026, 3, 7, 10))  # Saturday
    assert not CALENDAR.within_office_hours(ams(2026, 4, 3, 10))  # Good Friday


def test_two_office_hours_from_friday_half_past_three_end_on_monday_at_nine():
    assert CALENDAR.add_office_hours(ams(2026, 3, 6, 15, 30), 2) == ams(2026, 3, 9, 9)


def test_a_moment_before_opening_starts_counting_at_eight():
    assert CALENDAR.add_office_hours(ams(2026, 3, 5, 7), 1) == ams(2026, 3, 5, 9)


def test_a_moment_after_closing_starts_counting_at_the_next_working_days_opening():
    assert CALENDAR.add_office_hours(ams(2026, 3, 5, 18), 1.5) == ams(2026, 3, 6, 9, 30)
    assert CALENDAR.add_office_hours(ams(2026, 3, 5, 18), 0) == ams(2026, 3, 6, 8)


def test_office_hours_that_exactly_fill_the_day_end_at_closing_time():
    assert CALENDAR.add_office_hours(ams(2026, 3, 5, 14, 30), 2) == ams(2026, 3, 5, 16, 30)


def test_office_hours_skip_easter_and_keep_wall_clock_time_over_the_dst_switch():
    assert CALENDAR.add_office_hours(ams(2026, 4, 2, 16), 1) == ams(2026, 4, 7, 8, 30)
    result = CALENDAR.add_office_hours(ams(2026, 3, 27, 16), 1)
    assert result == ams(2026, 3, 30, 8, 30)
    assert result.astimezone(UTC) == datetime(2026, 3, 30, 6, 30, tzinfo=UTC)


def test_a_full_week_of_office_hours_is_five_working_days():
    assert CALENDAR.add_office_hours(ams(2026, 3, 2, 8), 5 * 8.5) == ams(2026, 3, 6, 16, 30)


def test_office_hours_can_be_configured():
    calendar = WorkingDayCalendar(office_open=time(9, 0), office_close=time(17, 0))
    assert calendar.add_office_hours(ams(2026, 3, 6, 16), 2) == ams(2026, 3, 9, 10)
    with pytest.raises(ValueError):
        WorkingDayCalendar(office_open=time(17, 0), office_close=time(9, 0))


# --- configuration from the environment ---------------------------------------------------


def test_the_environment_setting_lists_extra_days_separated_by_commas():
    calendar = calendar_from_env(" 2026-12-24, 2027-05-07,")
    assert calendar.extra_days == {date(2026, 12, 24), date(2027, 5, 7)}
    assert not calendar.is_working_day(date(2027, 5, 7))


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_environment_setting_means_no_extra_days(value):
    assert calendar_from_env(value).extra_days == frozenset()


@pytest.mark.parametrize("bad", ["24-12-2026", "2026-02-30", "morgen", "20261224", "2026-W52-4"])
def test_an_invalid_environment_setting_is_refused_in_dutch_naming_the_bad_part(bad):
    with pytest.raises(ValueError, match="Ongeldige datum") as caught:
        calendar_from_env(f"2026-12-24,{bad}")
    assert repr(bad) in str(caught.value)
