"""The audit log of a period as CSV or XLSX, for auditors; every export is itself an audit event.

A period is whole days in Europe/Amsterdam, both ends included. Rows carry the Dutch phrase next
to the raw fields (chain, seq, hash), so the file both reads well and can be checked against the
database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.audit import case_integrity, log
from engine.audit.audit_phrases import (
    EVENT_LABELS,
    Vocabulary,
    deploy_particulars,
    phrase,
    plain,
    readable,
    role_label,
)
from engine.audit.case_integrity import CaseIntegrity
from engine.audit.events import EventType
from engine.audit.seal_key import SealVerifier
from engine.dutch import AMSTERDAM, local_iso
from engine.errors import Forbidden, ValidationFailed
from engine.modelling.forms import FormRepository
from engine.models import AuditEvent

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
MAX_DAYS = 366
COLUMNS = ("tijdstip", "zaak", "keten", "volgnummer", "gebeurtenis", "soort", "omschrijving", "gebruiker", "rol",
           "organisatie", "procesversie", "gegevens", "hash", "integriteit")
WIDTHS = (20, 8, 16, 11, 22, 22, 48, 18, 20, 22, 28, 60, 20, 40)
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 1000

Cell = str | int | datetime


@dataclass(frozen=True)
class AuditExport:
    """The rows under :data:`COLUMNS`, and the integrity statement that goes above them."""

    rows: list[list[Cell]]
    statement: list[str]


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00.00, day after end 00.00) in Amsterdam, as aware datetimes."""
        begin = datetime.combine(self.start, time(), tzinfo=AMSTERDAM)
        until = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=AMSTERDAM)
        return begin, until


def parse_period(start: str | None, end: str | None) -> Period:
    """Two ISO dates from a form; Dutch messages per field ("van", "tot") when they will not do."""
    problems: dict[str, str] = {}
    parsed: dict[str, date] = {}
    for field, value in (("van", start), ("tot", end)):
        try:
            parsed[field] = date.fromisoformat((value or "").strip())
        except ValueError:
            problems[field] = "Vul een datum in, bijvoorbeeld 2026-03-01."
    if not problems and parsed["tot"] < parsed["van"]:
        problems["tot"] = "De einddatum ligt vóór de begindatum."
    if not problems and (parsed["tot"] - parsed["van"]).days >= MAX_DAYS:
        problems["tot"] = f"Kies een periode van hoogstens {MAX_DAYS} dagen."
    if problems:
        raise ValidationFailed("De periode is niet geldig.", problems)
    return Period(parsed["van"], parsed["tot"])


def neutralise(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula gets a leading quote, so it shows as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def audit_rows(session: Session, *, actor: Actor, now: datetime, period: Period, fmt: str,
               verifier: SealVerifier | None = None, forms: FormRepository | None = None) -> AuditExport:
    """The period's events, oldest first, as rows under :data:`COLUMNS`; the export is audited.

    Every chain the period touches is checked first: the export's first lines say whether they are
    intact, and a row whose event the check flags says so in its "integriteit" column.

    :raises Forbidden: for anyone but an auditor.
    """
    if not access.can_audit(actor):
        raise Forbidden("Alleen een auditor mag het auditlog exporteren.")
    if fmt not in FORMATS:
        raise ValidationFailed("Onbekend formaat.", {"formaat": "Kies CSV of XLSX."})
    begin, until = period.bounds()
    events = list(session.scalars(
        select(AuditEvent).where(AuditEvent.occurred_at >= begin, AuditEvent.occurred_at < until)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ))
    vocabulary = Vocabulary(session, forms)  # forms give the "gegevens" column its labels and choice titles
    vocabulary.preload(events)
    checked = {chain: case_integrity.check_chain(session, chain=chain, verifier=verifier, now=now)
               for chain in sorted({event.chain for event in events})}
    rows = [_row(event, vocabulary, checked[event.chain]) for event in events]
    log.record(session, event_type=EventType.AUDIT_LOG_EXPORTED, actor=actor, now=now, payload={
        "format": fmt.upper(), "van": period.start.isoformat(), "tot": period.end.isoformat(), "rows": len(rows)})
    return AuditExport(rows, case_integrity.export_statement(list(checked.values()), now=now))


def _particulars(event: AuditEvent, data: object, vocabulary: Vocabulary) -> str:
    """The "gegevens" cell: a deployment's reason, files and hashes; submitted data as "Label: waarde; …"."""
    if event.event_type == EventType.PROCESS_DEPLOYED:
        return deploy_particulars(event.payload)
    if isinstance(data, dict) and data:
        return readable(data, vocabulary.labels(event), vocabulary.specs(event), vocabulary.organisation_names())
    return plain(data) if data else ""


def _row(event: AuditEvent, vocabulary: Vocabulary, integrity: CaseIntegrity) -> list[Cell]:
    data = event.payload.get("data")
    flags = integrity.problems_at(event.seq)
    return [
        event.occurred_at, event.instance_id or "", event.chain, event.seq, event.event_type,
        EVENT_LABELS.get(event.event_type, event.event_type), phrase(event, vocabulary), event.actor_username or "",
        role_label(event.actor_role) or "", event.actor_organisation or "",
        vocabulary.version(event.definition_id) or "",
        _particulars(event, data, vocabulary), event.hash,
        "NIET intact: " + "; ".join(flags) if flags else ("intact" if integrity.intact else "keten NIET intact"),
    ]


def to_csv(export: AuditExport) -> bytes:
    """CSV for Dutch spreadsheets: ``;`` between fields, UTF-8 with a byte-order mark.

    The integrity statement comes first (one line each, then an empty line), then the header.

    Safe against formula injection: every text cell that starts with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return is prefixed with a single quote (:func:`neutralise`), so a spreadsheet
    shows submitted text such as ``=HYPERLINK(...)`` instead of running it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in export.statement:
        writer.writerow([neutralise(line)])
    writer.writerow([])
    writer.writerow(COLUMNS)
    for row in export.rows:
        writer.writerow([neutralise(local_iso(cell) if isinstance(cell, datetime) else cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(export: AuditExport) -> bytes:
    """An XLSX workbook: the integrity statement on the first sheet, the events on the second.

    The events sheet has a header row with filters, frozen in place, column widths and times as
    real dates (Amsterdam time, with seconds). Every text cell is stored as text, never as a formula.

    openpyxl would store a string starting with ``=`` as a formula, so each such cell is typed as
    a string explicitly; characters XML cannot hold are dropped. Text that starts like a formula
    (:data:`FORMULA_START`) also gets Excel's "quote prefix" style, what Excel itself gives a cell
    typed as ``'=...``: editing the cell later keeps it text. The value stays exactly as recorded.
    """
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Integriteit")
    summary.column_dimensions["A"].width = 120
    for line in export.statement:
        summary.append([_text_cell(summary, line)])
    sheet = workbook.create_sheet("Auditlog")
    for number, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(export.rows) + 1}"
    sheet.append([_text_cell(sheet, column) for column in COLUMNS])
    for row in export.rows:
        sheet.append([_date_cell(sheet, value) if isinstance(value, datetime) else _text_cell(sheet, value)
                      for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _date_cell(sheet: object, value: datetime) -> object:
    """Excel has no time zones: the Amsterdam wall-clock time, shown with seconds."""
    cell = WriteOnlyCell(sheet, value=value.astimezone(AMSTERDAM).replace(tzinfo=None))
    cell.number_format = "dd-mm-yyyy hh:mm:ss"
    return cell


def _text_cell(sheet: object, value: str | int) -> object:
    if isinstance(value, int):
        return value
    text = re.sub(ILLEGAL_CHARACTERS_RE, "", value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell
