"""The Drieluik cycle with an injected clock: plan, call, freeze, decide per signal, minutes, iCal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.accounts.actors import Actor
from engine.db import unit_of_work
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.meetings import meetings
from engine.models import AccessLogEntry, AuditEvent, MeetingItem, OutboxMessage
from engine.workflow.calendar import AMSTERDAM
from tests.support.chain import FORMS, PASSWORD, REGIONS, VERRIJKT
from tests.support.meetings import (  # noqa: F401
    BASE,
    CALENDAR,
    FRYSLAN,  # noqa: F401
    PLANNED,
    meeting_rows,
    signal_waiting_for_the_drieluik,
)


def cycle(chain, **advance):
    chain.at.advance(**advance)
    with unit_of_work(chain.factory) as session:
        return meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)


def agenda(chain, meeting_id, actor=None):
    with unit_of_work(chain.factory) as session:
        view = meetings.view(session, actor=actor or chair(chain), now=chain.at(), meeting_id=meeting_id)
        return ([(e.reference, e.item.section, e.item.acute_after_freeze) for e in view.new + view.running],
                view)


def chair(chain) -> Actor:
    return chain.person("procesregisseur", "fryslan-zvhf")


def decide(chain, meeting_id, case, besluit, **extra):
    voorzitter = chair(chain)  # created outside the unit of work below: SQLite has one writer
    with unit_of_work(chain.factory) as session:
        [item] = session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                                           MeetingItem.instance_id == case))
        meetings.decide(session, actor=voorzitter, now=chain.at(), meeting_id=meeting_id, item_id=item.id,
                        data={"besluit": besluit, "toelichting": "Besproken.", **extra}, forms=FORMS)


def close(chain, meeting_id):
    voorzitter = chair(chain)
    with unit_of_work(chain.factory) as session:
        meetings.close(session, actor=voorzitter, now=chain.at(), meeting_id=meeting_id)


def ref(case: int) -> str:
    return f"SR-2026-{case:05d}"


def test_regions_whose_profile_lacks_weekday_and_time_are_not_planned_and_the_report_says_why(chain):
    with unit_of_work(chain.factory) as session:
        report = meetings.plan_from_profiles(session, regions=REGIONS, calendar=CALENDAR, now=chain.at())
    assert report["fryslan"] == "het regioprofiel mist nog: weekdag, tijd, oproep_werkdagen_vooraf"
    assert meeting_rows(chain) == []


@pytest.mark.postgres
def test_the_call_goes_to_the_participants_with_a_link_only(chain):
    with unit_of_work(chain.factory) as session:
        for name, role, org in [("tmm", "politie", "fryslan-politie-tmm"), ("fier", "zorgcoordinator", "fryslan-fier"),
                                ("af-lw", "af", "leeuwarden"), ("tmm-oost", "politie", "oost-brabant-avim"),
                                ("oov-lw", "oov", "leeuwarden")]:
            users.create_user(session, actor=Actor.system("t"), now=chain.at(), username=name, password=PASSWORD,
                              role=role, organisation_slug=org, email=f"{name}@example.nl")
    case = signal_waiting_for_the_drieluik(chain)
    first = cycle(chain)
    assert first["planned"]["fryslan"] == 4 and first["called"] == 0
    assert [m.starts_at.astimezone(AMSTERDAM).strftime("%d-%m %H:%M") for m in meeting_rows(chain)][:2] == [
        "10-03 09:30", "24-03 09:30"]
    assert cycle(chain, days=3, hours=1)["called"] == 0, "Thursday: the call goes out two working days ahead"
    assert cycle(chain, days=1)["called"] == 1
    with unit_of_work(chain.factory) as session:
        mails = list(session.scalars(select(OutboxMessage)))
    assert sorted(m.recipient for m in mails) == ["fier@example.nl", "oov-lw@example.nl", "tmm@example.nl"], \
        "participants of Fryslân and the OOV'er of Leeuwarden (001 Bijlage 5): not the AF, not another region"
    assert all(ref(case) not in m.body and "Drieluik" not in m.subject for m in mails)
    by_recipient = {m.recipient: m.body for m in mails}
    assert all(f"{BASE}/overleg/" in by_recipient[who] for who in ("tmm@example.nl", "fier@example.nl"))
    oov = by_recipient["oov-lw@example.nl"]
    assert f"{BASE}/melden" in oov and "/overleg/" not in oov, \
        "the OOV'er has no seat at the table: the link leads to where they report, not to a page they cannot open"


def test_a_lopend_signal_returns_on_three_successive_meetings_until_it_is_decided(chain):
    case = signal_waiting_for_the_drieluik(chain)
    cycle(chain)
    first, second, third, fourth = meeting_rows(chain)[:4]
    cycle(chain, days=7)  # Monday 9 March: the agenda of 10 March freezes
    assert agenda(chain, first.id)[0] == [(ref(case), "nieuw", False)]
    chain.at.advance(days=1)
    decide(chain, first.id, case, "nog_niet_concreet")
    close(chain, first.id)
    for meeting in (second, third):
        cycle(chain, days=13)
        assert agenda(chain, meeting.id)[0] == [(ref(case), "lopend", False)]
        chain.at.advance(days=1)
        decide(chain, meeting.id, case, "nog_niet_concreet")
        close(chain, meeting.id)
    cycle(chain, days=13)
    assert agenda(chain, fourth.id)[0] == [(ref(case), "lopend", False)]
    decide(chain, fourth.id, case, "opplussen")
    assert "casus_starten" in chain.ready(case)
    decisions = [e.payload for e in chain.events(case)
                 if e.event_type == "task.completed" and e.payload["element_id"] == "besluit_overleg"]
    assert [(p["data"]["besluit"], p["context"]["overleg"]) for p in decisions] == [
        ("nog_niet_concreet", first.id), ("nog_niet_concreet", second.id), ("nog_niet_concreet", third.id),
        ("opplussen", fourth.id)]


def test_an_undecided_signal_returns_on_the_next_agenda(chain):
    case = signal_waiting_for_the_drieluik(chain)
    cycle(chain)
    first, second = meeting_rows(chain)[:2]
    cycle(chain, days=7)
    close(chain, first.id)
    cycle(chain, days=14)
    assert agenda(chain, second.id)[0] == [(ref(case), "lopend", False)]


def test_an_acute_signal_after_the_freeze_joins_the_agenda_flagged_and_a_normal_one_waits(chain):
    cycle(chain)
    first, second = meeting_rows(chain)[:2]
    cycle(chain, days=7)  # frozen, empty
    normal = signal_waiting_for_the_drieluik(chain)
    acute = signal_waiting_for_the_drieluik(chain, acuut=True)
    assert cycle(chain, hours=1)["acute_added"] == 1
    assert agenda(chain, first.id)[0] == [(ref(acute), "nieuw", True)]
    decide(chain, first.id, acute, "opplussen")
    close(chain, first.id)
    cycle(chain, days=14)
    assert agenda(chain, second.id)[0] == [(ref(normal), "nieuw", False)]


def test_only_the_chair_decides_and_only_participants_read_the_agenda_and_minutes(chain):
    case = signal_waiting_for_the_drieluik(chain)
    cycle(chain)
    first = meeting_rows(chain)[0]
    cycle(chain, days=7)
    tmm = chain.person("politie", "fryslan-politie-tmm")
    entries, view = agenda(chain, first.id, tmm)
    assert entries == [(ref(case), "nieuw", False)] and not view.can_decide
    assert view.new[0].summary == VERRIJKT["samenvatting"]
    with unit_of_work(chain.factory) as session, pytest.raises(Forbidden):
        meetings.decide(session, actor=tmm, now=chain.at(), meeting_id=first.id, item_id=view.new[0].item.id,
                        data={"besluit": "opplussen", "toelichting": "x"}, forms=FORMS)
    for outsider in (chain.person("politie", "oost-brabant-avim"), chain.person("af", "leeuwarden")):
        with unit_of_work(chain.factory) as session, pytest.raises(NotFound):
            meetings.view(session, actor=outsider, now=chain.at(), meeting_id=first.id)
    with unit_of_work(chain.factory) as session:
        meetings.save_minutes(session, actor=chair(chain), now=chain.at(), meeting_id=first.id,
                              text="Signaal besproken; TMM checkt eigen systemen.")
        logged = session.scalars(select(AccessLogEntry).where(AccessLogEntry.instance_id == case)).all()
        assert {e.username for e in logged if e.action == "meeting.agenda_viewed"} >= {tmm.username}
        minutes = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "meeting.minutes_saved"))
        assert "TMM" not in str(minutes.payload), "the audit log records that minutes were saved, not their text"


def test_the_chair_plans_a_meeting_by_hand_on_a_working_day_only(chain):
    with unit_of_work(chain.factory) as session:
        meeting = meetings.plan_by_hand(session, actor=chair(chain), now=chain.at(), regions=REGIONS,
                                        calendar=CALENDAR, starts_at=chain.at() + timedelta(days=8))
        assert meeting.name == "Drieluik" and meeting.region == "fryslan"
    with unit_of_work(chain.factory) as session, pytest.raises(ValidationFailed, match="werkdag"):
        meetings.plan_by_hand(session, actor=chair(chain), now=chain.at(), regions=REGIONS, calendar=CALENDAR,
                              starts_at=chain.at() + timedelta(days=5))  # a Saturday
    with unit_of_work(chain.factory) as session, pytest.raises(Forbidden):
        meetings.plan_by_hand(session, actor=chain.person("af", "leeuwarden"), now=chain.at(), regions=REGIONS,
                              calendar=CALENDAR, starts_at=chain.at() + timedelta(days=8))


def test_the_ical_feed_lists_the_series_without_any_case(chain):
    case = signal_waiting_for_the_drieluik(chain)
    cycle(chain)
    with unit_of_work(chain.factory) as session:
        feed = meetings.ics(session, actor=chain.person("zorgcoordinator", "fryslan-fier"), now=chain.at())
    assert feed.startswith("BEGIN:VCALENDAR\r\n") and feed.count("BEGIN:VEVENT") == 4
    assert "DTSTART:20260310T083000Z" in feed and "SUMMARY:Drieluik" in feed
    assert ref(case) not in feed


def test_the_auditor_reads_the_agenda_and_the_meeting_decision_in_plain_dutch(chain):
    from engine.audit import audit_phrases

    case = signal_waiting_for_the_drieluik(chain)
    cycle(chain)
    first = meeting_rows(chain)[0]
    cycle(chain, days=7)
    decide(chain, first.id, case, "opplussen")
    events = chain.events(case)
    with unit_of_work(chain.factory) as session:
        vocabulary = audit_phrases.Vocabulary(session)
        vocabulary.preload(events)
        added = next(e for e in events if e.event_type == "meeting.agenda_added")
        decided = [e for e in events if e.event_type == "task.completed"][-1]
        assert audit_phrases.phrase(added, vocabulary) == "zette het signaal op de agenda van Drieluik (nieuw)"
        assert audit_phrases.facts(decided) == (("Besloten in", f"Drieluik (overleg {first.id})"),)
