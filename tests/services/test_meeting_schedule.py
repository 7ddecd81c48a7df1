"""The procesregisseur sets the meeting moment: audited, used by the planner, the agenda freezes before the meeting."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from engine.audit.events import EventType
from engine.db import unit_of_work
from engine.errors import Forbidden, ValidationFailed
from engine.meetings import meetings
from engine.models import AuditEvent, Meeting, MeetingItem, MeetingState
from engine.regions import profile_gaps
from engine.regions.regions import load_regions
from engine.workflow.calendar import AMSTERDAM, WorkingDayCalendar
from tests.support.chain import REGIONS, ROOT
from tests.support.meetings import (
    BASE,
    chair,  # noqa: F401
    meeting_rows,
    set_schedule,  # noqa: F401
    signal_waiting_for_the_drieluik,
)

CALENDAR = WorkingDayCalendar()


def working_days_before(earlier, later) -> int:
    """Working days from ``earlier`` up to (not including) ``later``'s day."""
    day, count = earlier, 0
    while day < later:
        if CALENDAR.is_working_day(day):
            count += 1
        day = day.fromordinal(day.toordinal() + 1)
    return count


def payloads(chain, event_type):
    with unit_of_work(chain.factory) as session:
        return [e.payload for e in session.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type)
                                                   .order_by(AuditEvent.seq))]


def test_the_procesregisseur_sets_the_drieluik_moment_and_the_planner_plans_from_it(chain):
    planned = set_schedule(chain)
    rows = meeting_rows(chain)
    assert planned == len(rows) >= 3  # every two weeks within the planning horizon of eight weeks
    for meeting in rows:
        local = meeting.starts_at.astimezone(AMSTERDAM)
        assert (local.strftime("%A"), local.strftime("%H:%M")) == ("Tuesday", "09:30")
        assert meeting.name == "Drieluik" and meeting.planned_by == "planner"
        call, freeze = meeting.call_at.astimezone(AMSTERDAM), meeting.freeze_at.astimezone(AMSTERDAM)
        assert working_days_before(call.date(), local.date()) == 3
        assert working_days_before(freeze.date(), local.date()) == 1
        assert meeting.call_at < meeting.freeze_at < meeting.starts_at  # frozen before the meeting, not at it
    [event] = payloads(chain, EventType.MEETING_SCHEDULE_CHANGED)
    assert event["region"] == "fryslan" and event["weekday"] == "dinsdag" and event["call_working_days"] == 3
    assert event["before"]["weekday"] is None  # the profile said "AAN TE VULLEN"


def test_a_new_moment_holds_from_the_next_meeting_whose_call_has_not_gone_out(chain):
    set_schedule(chain)
    first = meeting_rows(chain)[0]
    chain.at.now = first.call_at  # the call for the first meeting goes out
    with unit_of_work(chain.factory) as session:
        meetings.send_calls(session, now=chain.at(), base_url=BASE)
    set_schedule(chain, weekday="donderdag", time_of_day="14:00", call_working_days=2)
    rows = meeting_rows(chain)
    assert rows[0].id == first.id and rows[0].state == MeetingState.CALLED
    later = [m.starts_at.astimezone(AMSTERDAM).strftime("%A %H:%M") for m in rows[1:]]
    assert later and set(later) == {"Thursday 14:00"}
    assert payloads(chain, EventType.MEETING_CANCELLED)
    assert len(payloads(chain, EventType.MEETING_SCHEDULE_CHANGED)) == 2


def test_loading_the_profile_again_keeps_the_moment_set_in_the_web_ui(chain):
    set_schedule(chain)
    fresh = load_regions(ROOT / "processes" / "regions")
    assert fresh["fryslan"].overleg.weekdag is None  # the profile still says "AAN TE VULLEN"
    chain.at.advance(days=70)
    with unit_of_work(chain.factory) as session:
        report = meetings.plan_from_profiles(session, regions=fresh, calendar=CALENDAR, now=chain.at())
    assert isinstance(report["fryslan"], int) and report["fryslan"] > 0
    assert {m.starts_at.astimezone(AMSTERDAM).strftime("%A") for m in meeting_rows(chain)} == {"Tuesday"}


@pytest.mark.parametrize(("values", "field"), [
    ({"weekday": "zaterdag"}, "weekdag"), ({"time_of_day": "25:00"}, "tijd"), ({"call_working_days": "twee"}, "oproep"),
    ({"freeze_working_days": 0}, "agenda_dicht"), ({"call_working_days": 2, "freeze_working_days": 2}, "agenda_dicht"),
], ids=range(5))
def test_a_wrong_moment_gets_a_dutch_message_and_changes_nothing(chain, values, field):
    with pytest.raises(ValidationFailed) as raised:
        set_schedule(chain, **values)
    assert field in raised.value.details
    assert meeting_rows(chain) == [] and payloads(chain, EventType.MEETING_SCHEDULE_CHANGED) == []


def test_only_the_procesregisseur_of_a_region_with_a_standing_meeting_sets_it(chain):
    with pytest.raises(Forbidden):
        set_schedule(chain, actor=chain.person("af", "leeuwarden"))
    without_meeting = {**REGIONS, "fryslan": replace(REGIONS["fryslan"], overleg=None)}
    with pytest.raises(Forbidden):
        set_schedule(chain, regions=without_meeting)
    with unit_of_work(chain.factory) as session:
        report = meetings.plan_from_profiles(session, regions=without_meeting, calendar=CALENDAR, now=chain.at())
        assert meetings.region_of_chair(session, chair(chain), without_meeting) is None
    assert "fryslan" not in report, "a region without a standing meeting is neither planned nor reported"
    assert meeting_rows(chain) == []


def test_the_chair_closes_the_agenda_early_and_a_later_signal_waits_for_the_next_meeting(chain):
    set_schedule(chain)
    first = next(m for m in meeting_rows(chain) if m.freeze_at > chain.at())
    case = signal_waiting_for_the_drieluik(chain)
    voorzitter, politie = chair(chain), chain.person("politie", "fryslan-politie-tmm")
    with unit_of_work(chain.factory) as session:
        view = meetings.view(session, actor=voorzitter, now=chain.at(), meeting_id=first.id)
        assert [w.reference for w in view.waiting] == [f"SR-2026-{case:05d}"] and view.can_close_agenda
    with pytest.raises(Forbidden), unit_of_work(chain.factory) as session:
        meetings.close_agenda(session, actor=politie, now=chain.at(), meeting_id=first.id)
    with unit_of_work(chain.factory) as session:
        meetings.close_agenda(session, actor=voorzitter, now=chain.at(), meeting_id=first.id)
    later = signal_waiting_for_the_drieluik(chain)
    task = chain.ready(later)["besluit_overleg"]
    with unit_of_work(chain.factory) as session:
        items = session.scalars(select(MeetingItem.instance_id).where(MeetingItem.meeting_id == first.id)).all()
        assert session.get(Meeting, first.id).state == MeetingState.FROZEN
        linked = meetings.meeting_for_task(session, actor=voorzitter, task_id=task.id)
    assert items == [case]
    assert linked is not None and linked.id != first.id  # the later signal's decision links to the next meeting
    [frozen] = payloads(chain, EventType.MEETING_AGENDA_FROZEN)
    assert frozen == {"meeting": first.id, "by": "procesregisseur.fryslan-zvhf", "early": True}


def test_the_beheerder_sees_each_profiles_gaps_in_dutch_with_names(chain):
    with unit_of_work(chain.factory) as session:
        gaps = profile_gaps.all_gaps(session, REGIONS, ROOT / "processes" / "regions")
        before = {g.region.slug: g.gaps for g in gaps}
    assert any("Drieluik: het vergadermoment is nog niet ingesteld" in gap for gap in before["fryslan"])
    assert any(gap.startswith("Politie") and "geen telefoonnummer (buiten spoed)" in gap for gap in before["soest"])
    assert any("geen jeugdpartner" in gap for gap in before["oost-brabant"])
    text = " ".join(gap for gaps in before.values() for gap in gaps)
    assert "zorgcoordinator-zvh" not in text and "fryslan-" not in text and "_" not in text
    set_schedule(chain)
    with unit_of_work(chain.factory) as session:
        after = profile_gaps.gaps_of(session, REGIONS["fryslan"], ROOT / "processes" / "regions").gaps
    assert not any("vergadermoment" in gap for gap in after)
