"""Exports for auditors: the audit log of a period (CSV, XLSX) and a case dossier (PDF), each audited."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from engine.audit import audit_export, dossier, verify
from engine.audit.events import EventType
from engine.db import unit_of_work
from engine.errors import Forbidden, ValidationFailed
from engine.models import AccessLogEntry, AuditEvent
from tests.support.helpers import complete, deploy, ready, start
from tests.support.pdf import pdf_streams, pdf_text  # noqa: F401

MARCH = audit_export.Period(date(2026, 3, 1), date(2026, 3, 31))
INJECTION = "=HYPERLINK(\"https://kwaad.example\",\"klik\")"


@pytest.fixture
def case(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.melder, at(), "drie_taken", {"melder_naam": "Marieke Jansen", "melding": "Zorgen"})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["verrijken"].id,
             {"vorm": "SU", "samenvatting": INJECTION})
    return case


def export(factory, actor, at, fmt, period=MARCH):
    with unit_of_work(factory) as session:
        return audit_export.audit_rows(session, actor=actor, now=at(), period=period, fmt=fmt)


def exports_recorded(factory, event_type):
    with unit_of_work(factory) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type)))


def csv_rows(body: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """(the integrity lines above the table, the table from its header on)."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    blank = rows.index([])
    return rows[:blank], rows[blank + 1:]


def test_the_csv_has_one_row_per_event_of_the_period_in_dutch(factory, world, at, case):
    statement, rows = csv_rows(audit_export.to_csv(export(factory, world.auditor, at, "csv")))
    assert statement == [["Integriteit: intact. Alle 2 keten(s) in deze export zijn gecontroleerd op "
                          "2 maart 2026, 11.00.00 uur."]]
    assert rows[0] == list(audit_export.COLUMNS)
    mine = [r for r in rows[1:] if r[1] == str(case)]
    assert [(r[0], r[5], r[6], r[7], r[8], r[10]) for r in mine] == [
        ("2026-03-02T10:00:00+01:00", "Zaak gestart", "startte de zaak", "melder", "Melder", "Drie taken, versie 1"),
        ("2026-03-02T11:00:00+01:00", "Taak afgerond", "rondde ‘Signaal verrijken’ af", "af",
         "Aandachtsfunctionaris", "Drie taken, versie 1"),
    ]
    assert len(rows) == 1 + 9 + 1 + 2, "header, nine accounts, the deployment and the case's two events"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(factory, world, at, case):
    _, table = csv_rows(audit_export.to_csv(export(factory, world.auditor, at, "csv")))
    [enriched] = [r for r in table if r[4] == "task.completed"]
    assert enriched[11] == f"Samenvatting: {INJECTION}; Vorm: SU", "readable data starts with its label"
    for value in ("=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "gewoon"):
        shown = audit_export.neutralise(value)
        assert shown == (value if value == "gewoon" else "'" + value)
    hostile = audit_export.AuditExport([["=cmd|' /C calc'!A0", 5]], ["=HYPERLINK(x)"])
    lines = audit_export.to_csv(hostile).decode("utf-8-sig").splitlines()
    assert lines[0] == "'=HYPERLINK(x)" and lines[-1] == "'=cmd|' /C calc'!A0;5"


def test_the_xlsx_holds_the_same_rows_and_never_a_formula(factory, world, at, case):
    made = export(factory, world.auditor, at, "xlsx")
    made.rows.append(["=1+1", 7])
    workbook = load_workbook(io.BytesIO(audit_export.to_xlsx(made)))
    assert workbook.sheetnames == ["Integriteit", "Auditlog"]
    assert workbook["Integriteit"]["A1"].value.startswith("Integriteit: intact.")
    sheet = workbook["Auditlog"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(audit_export.COLUMNS)
    assert values[-1][:2] == ["=1+1", 7]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [v[5] for v in values[1:-1] if v[1] == case] == ["Zaak gestart", "Taak afgerond"]
    started = next(v for v in values[1:-1] if v[1] == case)
    assert started[0] == datetime(2026, 3, 2, 10, 0), "a real date, in Amsterdam time"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:N")
    assert sheet.column_dimensions["L"].width == 60


def test_an_export_over_a_broken_chain_says_so_in_its_first_lines_and_flags_the_row(factory, world, at, case):
    with unit_of_work(factory) as session:
        session.execute(text("UPDATE audit_event SET actor_username = 'iemand' WHERE chain = :c AND seq = 2"),
                        {"c": f"instance:{case}"})
    statement, table = csv_rows(audit_export.to_csv(export(factory, world.auditor, at, "csv")))
    assert statement[0][0].startswith("Integriteit: NIET intact. 1 van 2 keten(s)")
    assert statement[1] == [f"NIET intact: zaak {case}: gebeurtenis 2 gewijzigd"]
    flagged = {r[3]: r[13] for r in table[1:] if r[1] == str(case)}
    assert flagged == {"1": "keten NIET intact",
                       "2": "NIET intact: gewijzigd: Inhoud komt niet overeen met de vastgelegde hash"}


def test_each_export_is_an_audit_event_in_an_intact_system_chain(factory, world, at, case):
    export(factory, world.auditor, at, "csv")
    export(factory, world.auditor, at, "xlsx", audit_export.Period(date(2026, 3, 2), date(2026, 3, 2)))
    recorded = exports_recorded(factory, EventType.AUDIT_LOG_EXPORTED)
    assert [(e.actor_username, e.chain, e.payload) for e in recorded] == [
        ("auditor", "system", {"format": "CSV", "van": "2026-03-01", "tot": "2026-03-31", "rows": 12}),
        ("auditor", "system", {"format": "XLSX", "van": "2026-03-02", "tot": "2026-03-02", "rows": 13}),
    ]
    with unit_of_work(factory) as session:
        assert verify.verify_all(session) == {}


def test_a_period_is_whole_amsterdam_days(factory, world, at, case):
    assert export(factory, world.auditor, at, "csv", audit_export.Period(date(2026, 3, 3), date(2026, 3, 4))).rows == []


@pytest.mark.parametrize("van, tot, field, message", [
    ("", "2026-03-01", "van", "Vul een datum in"),
    ("2026-03-05", "2026-03-01", "tot", "vóór de begindatum"),
    ("2025-01-01", "2026-03-01", "tot", "hoogstens 366 dagen"),
])
def test_a_bad_period_is_refused_with_a_dutch_message(van, tot, field, message):
    with pytest.raises(ValidationFailed) as caught:
        audit_export.parse_period(van, tot)
    assert message in caught.value.details[field]


@pytest.mark.parametrize("who", ["af", "beheerder", "regisseur"])
def test_only_auditors_export(factory, world, at, case, who):
    with pytest.raises(Forbidden):
        export(factory, getattr(world, who), at, "csv")
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        dossier.dossier_pdf(session, actor=getattr(world, who), now=at(), instance_id=case)


def test_the_dossier_tells_who_did_what_when_and_masks_the_melder(factory, world, at, case, forms):
    at.advance(days=1)
    with unit_of_work(factory) as session:
        body = dossier.dossier_pdf(session, actor=world.auditor, now=at(), instance_id=case, forms=forms)
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert f"Dossier SR-2026-{case:05d}" in text
    assert "Intact, gecontroleerd op 3 maart 2026, 11.00.00 uur \\(nog geen zegel; 2 gebeurtenissen\\)" in text
    assert "Gegenereerd door auditor \\(Auditor, Gemeente Eersel\\) op 3 maart 2026, 11.00.00 uur" in text
    assert "Verklaring over de integriteit" in text and "Uitkomst: intact" in text
    assert "Kop van de keten: volgnummer 2, hash " in text
    assert "de melder startte de zaak" in text
    assert "af \\(Aandachtsfunctionaris, Gemeente Eersel\\) rondde ‘Signaal verrijken’ af" in text
    assert "Vorm van uitbuiting: \\(leeg\\) -> SU \\(toegevoegd\\)" in text
    assert "Melder naam: \\(leeg\\) -> [afgeschermd] \\(toegevoegd\\)" in text, "a field without a form title in words"
    assert "Marieke" not in text and "melder \\(Melder" not in text
    [recorded] = exports_recorded(factory, EventType.DOSSIER_EXPORTED)
    assert (recorded.chain, recorded.actor_username, recorded.payload) == (
        f"instance:{case}", "auditor", {"format": "PDF", "events": 2})
    with unit_of_work(factory) as session:
        assert verify.verify_all(session) == {}
        [view] = session.scalars(select(AccessLogEntry).where(AccessLogEntry.instance_id == case)).all()
        assert (view.username, view.action) == ("auditor", "dossier.exported")


def test_the_dossier_of_a_tampered_case_says_not_intact_first_and_flags_the_event(factory, world, at, case, forms):
    with unit_of_work(factory) as session:
        session.execute(text("UPDATE audit_event SET actor_username = 'iemand' WHERE chain = :c AND seq = 2"),
                        {"c": f"instance:{case}"})
    with unit_of_work(factory) as session:
        body = dossier.dossier_pdf(session, actor=world.auditor, now=at(), instance_id=case, forms=forms)
    text_ = pdf_text(body)
    assert text_.index("NIET intact: 1 probleem/problemen") < text_.index("Verloop \\(2 gebeurtenissen\\)")
    assert "NIET INTACT - gewijzigd: Inhoud komt niet overeen met de vastgelegde hash" in text_
    assert "Uitkomst: NIET intact" in text_
