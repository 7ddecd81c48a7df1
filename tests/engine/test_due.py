"""Werkbak markers: "binnenkort" within one working day (Atw calendar), "te_laat" once past due."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.cases.due import DueState, due_state, overdue_task_ids
from engine.db import unit_of_work
from engine.models import HumanTask
from engine.workflow.calendar import WorkingDayCalendar
from tests.support.helpers import complete, deploy, ready, start

AMS = ZoneInfo("Europe/Amsterdam")
CALENDAR = WorkingDayCalendar()


def ams(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS)


@pytest.mark.parametrize(("now", "due", "expected"), [
    (ams(2026, 3, 4, 10), None, None),  # no due date, no marker
    (ams(2026, 3, 4, 10), ams(2026, 3, 9, 10), None),  # Wednesday, due next Monday: time enough
    (ams(2026, 3, 4, 10), ams(2026, 3, 5, 10), DueState.BINNENKORT),  # due tomorrow, same time
    (ams(2026, 3, 4, 10), ams(2026, 3, 5, 10, 1), None),  # one minute past one working day
    (ams(2026, 3, 6, 10), ams(2026, 3, 9, 9), DueState.BINNENKORT),  # Friday: Monday is the next working day
    # Maundy Thursday 2026: Good Friday and Easter Monday do not count, Tuesday 7 April is next.
    (ams(2026, 4, 2, 10), ams(2026, 4, 7, 9, 30), DueState.BINNENKORT),
    (ams(2026, 4, 2, 10), ams(2026, 4, 7, 10, 30), None),
    (ams(2026, 3, 4, 10), ams(2026, 3, 4, 10), DueState.TE_LAAT),  # at the due time it is due
    (ams(2026, 3, 4, 10), ams(2026, 3, 2, 17), DueState.TE_LAAT),
])
def test_due_state_follows_the_working_day_calendar(now, due, expected):
    assert due_state(due, now, CALENDAR) == expected


def test_overdue_task_ids_names_the_ready_tasks_past_due_among_those_asked(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    late, on_time, done = (start(factory, world.af, at(), "drie_taken") for _ in range(3))
    tasks = {case: next(iter(ready(factory, case).values())).id for case in (late, on_time, done)}
    with unit_of_work(factory) as session:
        for case, due in ((late, at() - timedelta(minutes=1)), (on_time, at() + timedelta(days=1)),
                          (done, at() - timedelta(days=1))):
            session.get(HumanTask, tasks[case]).due_at = due
    complete(factory, world.af, at(), forms, tasks[done], {"vorm": "SU", "samenvatting": "afgerond"})
    with unit_of_work(factory) as session:
        assert overdue_task_ids(session, now=at(), task_ids=tasks.values()) == {tasks[late]}
        assert overdue_task_ids(session, now=at(), task_ids=[]) == set()
