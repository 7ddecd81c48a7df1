"""Retention: a case whose period has passed loses its content for good; the audit chain stays verifiable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from engine import notify
from engine.accounts.actors import Actor
from engine.audit import access_log, log
from engine.audit.events import EventType
from engine.db import unit_of_work
from engine.errors import Forbidden
from engine.models import (
    AccessLogEntry,
    AuditEvent,
    Case,
    DestructionRecord,
    HumanTask,
    Meeting,
    MeetingItem,
    OutboxMessage,
    TaskState,
)
from engine.retention import retention
from engine.retention.retention_rules import Outcome, RetentionError, load_rules
from signaalroute import passes
from signaalroute.cli import main
from tests.support.audit import log_problems, seal
from tests.support.base import START
from tests.support.chain import VERRIJKT
from tests.support.retention import CHASED, NEXT, RULES_TOML, dump, finish, write_rules  # noqa: F401

PLANNER = Actor.system("planner")
AGENDA = {"persoonsgegevens_gedeeld": True}
DECISIONS = {"geen_mensenhandel": {"reden_afsluiting": "Reguliere arbeidsrelatie."}, "onwenselijke_situatie": {},
             "opplussen": {}, "nog_niet_concreet": {}}


def marker(name: str) -> str:
    return f"MERKTEKEN-{name}-Anna-de-Vries"


def drieluik(keten, name, besluit=None, *, close=True):
    """A Fryslân signal carrying a marker, discussed in the Drieluik; closed afterwards unless told not to."""
    case = keten.report("leeuwarden", omschrijving=marker(name))
    keten.do(case, "verrijken", {**VERRIJKT, "samenvatting": marker(name)})
    keten.do(case, "agenderen_procesregisseur", AGENDA)
    if besluit is not None:
        keten.do(case, "besluit_overleg", {"besluit": besluit, "toelichting": marker(name), **DECISIONS[besluit]})
    if close:
        finish(keten, case)
    return case


def without_meeting(keten, name):
    """Oost-Brabant has no triage meeting: a signal closes without a meeting decision."""
    case = keten.report("eersel", omschrijving=marker(name))
    keten.do(case, "verrijken", {**VERRIJKT, "samenvatting": marker(name)})
    finish(keten, case)
    return case


def destroyed_ids(factory):
    with unit_of_work(factory) as session:
        return set(session.scalars(select(DestructionRecord.instance_id)))


def run(factory, rules, at):
    return passes.destroy_expired(factory, rules=rules, now=at(), actor=PLANNER, trigger=retention.PLANNER)


def problems(factory):
    return log_problems(factory)


def test_each_outcome_is_destroyed_when_its_period_has_passed_and_not_a_day_before(keten, factory, rules, at):
    cases = {
        "geen": drieluik(keten, "geen", "geen_mensenhandel"),
        "zonder": without_meeting(keten, "zonder"),
        "lopend": drieluik(keten, "lopend", "nog_niet_concreet", close=False),
        "nooit": keten.report("leeuwarden", omschrijving=marker("nooit")),  # never even enriched
        "onwenselijk": drieluik(keten, "onwenselijk", "onwenselijke_situatie"),
        "casus": drieluik(keten, "casus", "opplussen"),
        "casus-loopt": drieluik(keten, "casus-loopt", "opplussen", close=False),
    }
    expected_order = [  # (time after the start, cases destroyed by then)
        (timedelta(days=365 - 1), set()),
        (timedelta(days=365 + 1), {"geen"}),
        (timedelta(days=365 + 182 - 1), {"geen"}),
        (timedelta(days=365 + 185), {"geen", "zonder"}),
        (timedelta(days=2 * 365 + 3), {"geen", "zonder", "lopend", "nooit"}),
        (timedelta(days=3 * 365 + 3), {"geen", "zonder", "lopend", "nooit", "onwenselijk"}),
        (timedelta(days=5 * 365 + 2), {"geen", "zonder", "lopend", "nooit", "onwenselijk", "casus"}),
        (timedelta(days=50 * 365), {"geen", "zonder", "lopend", "nooit", "onwenselijk", "casus"}),
    ]
    for after, names in expected_order:
        at.now = START + after
        result = run(factory, rules, at)
        assert result.failed == []
        assert destroyed_ids(factory) == {cases[n] for n in names}, f"{after.days} days after the start"
    with unit_of_work(factory) as session:
        records = {r.instance_id: r for r in session.scalars(select(DestructionRecord))}
        outcomes = {name: records[case].outcome for name, case in cases.items() if case in records}
        assert outcomes == {"geen": "geen_mensenhandel", "zonder": "afgesloten_zonder_besluit",
                            "lopend": "lopend_signaal", "nooit": "lopend_signaal",
                            "onwenselijk": "onwenselijke_situatie", "casus": "casus"}
        assert records[cases["lopend"]].decision == "nog_niet_concreet"
        assert session.get(Case, cases["casus-loopt"]).status == "active", "a running casus is kept"
    assert problems(factory) == ({}, [])


def test_an_undecided_signal_counts_its_two_years_from_the_last_activity(keten, factory, rules, at):
    case = drieluik(keten, "lopend", "nog_niet_concreet", close=False)
    at.advance(days=400)
    keten.do(case, "besluit_overleg", {"besluit": "nog_niet_concreet", "toelichting": "Weer besproken."})
    at.now = START + timedelta(days=2 * 365 + 3)
    assert run(factory, rules, at).destroyed == [], "discussed again after 400 days: its period restarted"
    at.advance(days=400)
    assert [r.instance_id for r in run(factory, rules, at).destroyed] == [case]


def test_the_dry_run_lists_what_would_go_and_changes_nothing(keten, factory, rules, at):
    gone, kept = drieluik(keten, "geen", "geen_mensenhandel"), drieluik(keten, "casus", "opplussen")
    at.advance(days=400)
    before = dump(factory)
    with unit_of_work(factory) as session:
        plan = retention.plan(session, rules=rules, now=at())
    assert [(i.instance_id, i.outcome) for i in plan.due] == [(gone, Outcome.GEEN_MENSENHANDEL)]
    assert plan.due[0].reference.startswith("SR-2026-") and plan.waiting == {Outcome.CASUS: 1}
    assert dump(factory) == before
    assert kept not in destroyed_ids(factory)


@pytest.mark.postgres
def test_destroyed_content_is_really_gone_from_every_table(keten, factory, rules, at):
    gone = drieluik(keten, "weg", "geen_mensenhandel")
    kept = drieluik(keten, "blijft", "opplussen")
    af = keten.person("af", "leeuwarden")
    with unit_of_work(factory) as session:
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == gone).limit(1))
        # Instructions never echo case data today (engine.cases.instructions); were a model to, they go too.
        task.instructions = f"Bel over {marker('weg')}"
        notify.enqueue(session, key="herinnering-weg", kind=notify.REMINDER, recipient="af@leeuwarden.example",
                       subject="Herinnering", body=f"https://sr.example/taken/{task.id} {marker('weg')}", now=at(),
                       instance_id=gone, task_id=task.id)
        access_log.record_view(session, actor=af, now=at(), instance_id=gone, action=access_log.CASE_VIEWED)
        access_log.record_view(session, actor=af, now=at(), instance_id=kept, action=access_log.CASE_VIEWED)
        meeting = Meeting(region="fryslan", name="Drieluik", starts_at=at(), call_at=at(), freeze_at=at(),
                          participant_roles=",procesregisseur,", state="gehouden", planned_by="planner",
                          minutes=f"Besproken: {marker('weg')}")
        session.add(meeting)
        session.flush()
        decision = session.scalar(select(HumanTask).where(HumanTask.instance_id == gone,
                                                          HumanTask.element_id == "besluit_overleg"))
        item = MeetingItem(meeting_id=meeting.id, instance_id=gone, task_id=decision.id, section="nieuw",
                           acute_after_freeze=False, added_at=at(), decision="geen_mensenhandel", decided_at=at())
        session.add(item)
    seal(factory, at())
    assert marker("weg") in dump(factory)

    at.advance(days=400)
    [record] = run(factory, rules, at).destroyed

    everything = dump(factory)
    assert marker("weg") not in everything, "state, audit payloads, task rows, e-mail, minutes: all gone"
    assert marker("blijft") in everything, "a case within its period keeps everything"
    with unit_of_work(factory) as session:
        instance = session.get(Case, gone)
        assert instance.status == "vernietigd" and instance.started_by_id is None
        assert session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.instance_id == gone)) == 0
        assert [e.instance_id for e in session.scalars(select(AccessLogEntry))] == [kept]
        assert session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == gone, HumanTask.state == TaskState.READY)) == 0
        assert {str(e.payload) for e in log.history(session, gone)} == {str(log.ERASED)}
        assert session.get(MeetingItem, item.id).decision == "geen_mensenhandel", "the agenda keeps the category only"
        assert session.get(Meeting, meeting.id).minutes is None, "its only case is gone, so are the minutes"
        destroyed = session.scalar(select(AuditEvent).where(AuditEvent.chain == "system",
                                                            AuditEvent.event_type == EventType.INSTANCE_DESTROYED))
        assert destroyed.payload == {"instance_id": gone, "reference": record.reference,
                                     "outcome": "geen_mensenhandel", "rule": "geen_mensenhandel",
                                     "record": record.id}
    assert record.removed["e-mails_verwijderd"] == 1 and record.removed["toegangslog_verwijderd"] == 1
    assert record.removed["auditinhoud_gewist"] >= 5 and record.removed["verslagen_gewist"] == 1
    assert problems(factory) == ({}, []), "the chains and the anchor sealed before still verify"


def test_the_destruction_record_holds_no_content(keten, factory, rules, at):
    case = drieluik(keten, "weg", "geen_mensenhandel")
    at.advance(days=400)
    [record] = run(factory, rules, at).destroyed
    with unit_of_work(factory) as session:
        row = session.get(DestructionRecord, record.id)
        fields = {c.name: getattr(row, c.name) for c in DestructionRecord.__table__.columns}
    assert fields["instance_id"] == case and fields["reference"] == f"SR-2026-{case:05d}"
    assert fields["rule"] == "Geen mensenhandel (besluit overleg): 1 jaar na afsluiting van de zaak"
    assert fields["destroyed_by"] == "planner" and fields["trigger"] == "planner"
    assert fields["expired_at"] == fields["period_start"].replace(year=2027) and fields["destroyed_at"] == at()
    assert marker("weg") not in str(fields) and "Vermoedelijk SU" not in str(fields)


def test_a_minutes_text_stays_while_another_case_on_that_agenda_lives(keten, factory, rules, at):
    gone, kept = drieluik(keten, "weg", "geen_mensenhandel"), drieluik(keten, "blijft", "opplussen")
    with unit_of_work(factory) as session:
        meeting = Meeting(region="fryslan", name="Drieluik", starts_at=at(), call_at=at(), freeze_at=at(),
                          participant_roles=",procesregisseur,", state="gehouden", planned_by="planner",
                          minutes="Twee signalen besproken.")
        session.add(meeting)
        session.flush()
        for case in (gone, kept):
            task = session.scalar(select(HumanTask).where(HumanTask.instance_id == case,
                                                          HumanTask.element_id == "besluit_overleg"))
            session.add(MeetingItem(meeting_id=meeting.id, instance_id=case, task_id=task.id, section="nieuw",
                                    acute_after_freeze=False, added_at=at()))
    at.advance(days=400)
    run(factory, rules, at)
    with unit_of_work(factory) as session:
        assert session.get(Meeting, meeting.id).minutes == "Twee signalen besproken."
    at.advance(days=5 * 365)
    run(factory, rules, at)
    with unit_of_work(factory) as session:
        assert session.get(Meeting, meeting.id).minutes is None


def test_a_case_that_moved_on_after_the_plan_is_left_alone(keten, factory, rules, at):
    case = drieluik(keten, "lopend", "nog_niet_concreet", close=False)
    at.advance(days=2 * 365 + 1)
    with unit_of_work(factory) as session:
        assert [i.instance_id for i in retention.plan(session, rules=rules, now=at()).due] == [case]
    keten.do(case, "besluit_overleg", {"besluit": "nog_niet_concreet", "toelichting": "Toch weer iets."})
    with unit_of_work(factory) as session:
        assert retention.destroy_case(session, rules=rules, instance_id=case, actor=PLANNER, now=at(),
                                      trigger=retention.PLANNER) is None
    assert destroyed_ids(factory) == set()


def test_only_the_system_destroys_never_a_person(keten, factory, rules, at):
    case = drieluik(keten, "weg", "geen_mensenhandel")
    at.advance(days=400)
    beheerder = keten.person("beheerder", "leeuwarden")
    with unit_of_work(factory) as session, pytest.raises(Forbidden):
        retention.destroy_case(session, rules=rules, instance_id=case, actor=beheerder, now=at(),
                               trigger=retention.CLI)


def test_a_rule_still_to_be_filled_in_destroys_nothing(keten, factory, at, tmp_path):
    placeholder = RULES_TOML.replace('[geen_mensenhandel]\njaren = 1\njaren_bron = "test"',
                                     '[geen_mensenhandel]\njaren = "AAN TE VULLEN"\njaren_bron = "nog vast te stellen"')
    rules = load_rules(write_rules(tmp_path, placeholder))
    drieluik(keten, "geen", "geen_mensenhandel")
    at.advance(days=50 * 365)
    with unit_of_work(factory) as session:
        plan = retention.plan(session, rules=rules, now=at())
    assert plan.due == [] and plan.unfilled == {Outcome.GEEN_MENSENHANDEL: 1}
    assert run(factory, rules, at).destroyed == []


@pytest.mark.parametrize(("change", "message"), [
    (('jaren = 1\njaren_bron = "test"', "jaren = 1"), "geen_mensenhandel.jaren: vereist een toelichting"),
    (('jaren = 1\njaren_bron = "test"', 'jaren = "AAN TE VULLEN"'), "vereist een toelichting in 'jaren_bron'"),
    (('jaren = 1\njaren_bron = "test"', 'jaren = 1\nmaanden = 3\njaren_bron = "test"'), "precies één termijn"),
    (('jaren = 1\njaren_bron = "test"', 'jaren = 0\njaren_bron = "test"'), "moet een geheel getal zijn"),
    (('jaren = 1\njaren_bron = "test"', 'jaar = 1\njaren_bron = "test"'), "onbekende sleutel"),
    (('[geen_mensenhandel]', '[geen_mensenhandell]'), "onbekende uitkomst"),
    (('bron = "Testbeleid: elke termijn ingevuld."', ''), "bron: verplichte sleutel ontbreekt"),
])
def test_a_period_without_its_source_or_a_malformed_file_is_refused(tmp_path, change, message):
    old, new = change
    with pytest.raises(RetentionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_rules(write_rules(tmp_path, RULES_TOML.replace(old, new, 1)))


def test_the_shipped_retention_file_is_valid_and_names_a_source_for_every_period():
    shipped = load_rules(Path(__file__).resolve().parents[2] / "retention.toml")
    assert {r.outcome: r.months for r in shipped.ordered()} == {
        Outcome.GEEN_MENSENHANDEL: 12, Outcome.ONWENSELIJKE_SITUATIE: None, Outcome.CASUS: 60,
        Outcome.AFGESLOTEN_ZONDER_BESLUIT: None, Outcome.LOPEND_SIGNAAL: 24}
    assert all(r.source for r in shipped.ordered()) and "AVG" in shipped.source


def test_the_command_line_dry_run_destroy_verify_and_replay(keten, factory, at, db_url, monkeypatch, tmp_path):
    gone, kept = drieluik(keten, "weg", "geen_mensenhandel"), drieluik(keten, "blijft", "opplussen")
    monkeypatch.setenv("SIGNAALROUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("SIGNAALROUTE_RETENTION_FILE", str(write_rules(tmp_path)))
    monkeypatch.setattr("signaalroute.cli._now", lambda: START + timedelta(days=400))
    cli = CliRunner()

    dry = cli.invoke(main, ["bewaartermijnen", "toepassen", "--droog"])
    assert dry.exit_code == 0, dry.output
    assert f"SR-2026-{gone:05d} (zaak {gone}): Geen mensenhandel" in dry.output
    assert f"SR-2026-{kept:05d}" not in dry.output and "er is niets veranderd" in dry.output
    assert destroyed_ids(factory) == set()

    wet = cli.invoke(main, ["bewaartermijnen", "toepassen"])
    assert wet.exit_code == 0 and "1 zaak/zaken vernietigd." in wet.output
    assert destroyed_ids(factory) == {gone}

    checked = cli.invoke(main, ["audit", "controleren"])
    assert checked.exit_code == 0, checked.output
    assert f"Zaak {gone} (SR-2026-{gone:05d}): vernietigd op " in checked.output
    assert "volgens regel ‘Geen mensenhandel (besluit overleg): 1 jaar na afsluiting van de zaak’" in checked.output

    replayed = cli.invoke(main, ["afspelen", "--alle"])
    assert replayed.exit_code == 0, replayed.output
    assert f"Zaak {gone} (SR-2026-{gone:05d}): vernietigd op " in replayed.output
    assert "niet opnieuw af te spelen" in replayed.output
    assert "alle consistent" in replayed.output


def test_tampering_with_a_destroyed_case_still_shows(keten, factory, rules, at):
    case = drieluik(keten, "weg", "geen_mensenhandel")
    at.advance(days=400)
    run(factory, rules, at)
    chain = f"instance:{case}"
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM audit_event WHERE chain = :c AND seq = 2"), {"c": chain})
    found, _ = problems(factory)
    assert {p.kind for p in found[chain]} >= {"ontbreekt", "volgorde"}
