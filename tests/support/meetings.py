"""Moved from tests/services/test_meetings.py: shared by several test modules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from engine.db import unit_of_work
from engine.meetings import meetings
from engine.models import Meeting
from engine.workflow.calendar import WorkingDayCalendar
from tests.support.chain import REGIONS, VERRIJKT

CALENDAR = WorkingDayCalendar()


FRYSLAN = replace(REGIONS["fryslan"], overleg=replace(
    REGIONS["fryslan"].overleg, weekdag="dinsdag", tijd="09:30", oproep_werkdagen_vooraf=2,
    startdatum=date(2026, 3, 10)))
PLANNED = {**REGIONS, "fryslan": FRYSLAN}


BASE = "https://signaalroute.example"


def signal_waiting_for_the_drieluik(chain, **melding) -> int:
    case = chain.report("leeuwarden", **melding)
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True})
    assert "besluit_overleg" in chain.ready(case)
    return case


def meeting_rows(chain) -> list[Meeting]:
    with unit_of_work(chain.factory) as session:
        return list(session.scalars(select(Meeting).order_by(Meeting.starts_at)))


def set_schedule(chain, actor=None, regions=REGIONS, **values):
    actor = actor or chair(chain)
    settings = {"weekday": "dinsdag", "time_of_day": "09:30", "call_working_days": 3, "freeze_working_days": 1,
                **values}
    with unit_of_work(chain.factory) as session:
        return meetings.change_schedule(session, actor=actor, now=chain.at(), regions=regions, calendar=CALENDAR,
                                        **settings)


def chair(chain):
    return chain.person("procesregisseur", "fryslan-zvhf")


