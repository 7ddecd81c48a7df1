"""Due-date markers for work lists: "binnenkort" (within one working day) and "te_laat" (past due).

Computed from the task index alone, so a werkbak can mark many tasks without loading workflows.
"Within one working day" uses the Dutch working-day calendar: a task due Monday 10.00 is
"binnenkort" from Friday 10.00 on, not from Sunday.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import HumanTask, TaskState
from engine.workflow.calendar import ENV_VARIABLE, WorkingDayCalendar, calendar_from_env


class DueState(StrEnum):
    BINNENKORT = "binnenkort"
    TE_LAAT = "te_laat"


@functools.cache
def default_calendar() -> WorkingDayCalendar:
    """The same calendar timer expressions use, with the decree days from the environment."""
    return calendar_from_env(os.environ.get(ENV_VARIABLE))


def due_state(due_at: datetime | None, now: datetime, calendar: WorkingDayCalendar | None = None) -> DueState | None:
    """The marker for a task due at ``due_at``; None when it has no due date or time enough."""
    if due_at is None:
        return None
    if due_at <= now:
        return DueState.TE_LAAT
    if due_at <= (calendar or default_calendar()).add_working_days(now, 1):
        return DueState.BINNENKORT
    return None


def overdue_task_ids(session: Session, *, now: datetime, task_ids: Iterable[int]) -> set[int]:
    """Which of these tasks are ready and past due: one indexed query for a whole werkbak page."""
    wanted = list(task_ids)
    if not wanted:
        return set()
    return set(session.scalars(
        select(HumanTask.id).where(HumanTask.id.in_(wanted), HumanTask.state == TaskState.READY,
                                   HumanTask.due_at <= now)
    ))
