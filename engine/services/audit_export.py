"""The audit log of a period as CSV or XLSX, for auditors; every export is itself an audit event.

A period is whole days in Europe/Amsterdam, both ends included. Rows carry the Dutch phrase next
to the raw fields (chain, seq, hash), so the file both reads well and can be checked against the
database.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.dutch import AMSTERDAM, local_iso
from engine.errors import Forbidden, ValidationFailed
from engine.models import AuditEvent
from engine.services.audit_phrases import EVENT_LABELS, Vocabulary, phrase, role_label

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
MAX_DAYS = 366
COLUMNS = ("tijdstip", "zaak", "keten", "volgnummer", "gebeurtenis", "soort", "omschrijving", "gebruiker", "rol",
           "organisatie", "procesversie", "gegevens", "hash")
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 1000

Cell = str | int


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


def audit_rows(session: Session, *, actor: Actor, now: datetime, period: Period, fmt: str) -> list[list[Cell]]:
    """The period's events, oldest first, as rows under :data:`COLUMNS`; the export is audited.

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
    vocabulary = Vocabulary(session)
    vocabulary.preload(events)
    rows = [_row(event, vocabulary) for event in events]
    log.record(session, event_type=EventType.AUDIT_LOG_EXPORTED, actor=actor, now=now, payload={
        "format": fmt.upper(), "van": period.start.isoformat(), "tot": period.end.isoformat(), "rows": len(rows)})
    return rows


def _row(event: AuditEvent, vocabulary: Vocabulary) -> list[Cell]:
    data = event.payload.get("data")
    return [
        local_iso(event.occurred_at), event.instance_id or "", event.chain, event.seq, event.event_type,
        EVENT_LABELS.get(event.event_type, event.event_type), phrase(event, vocabulary), event.actor_username or "",
        role_label(event.actor_role) or "", event.actor_organisation or "",
        vocabulary.version(event.definition_id) or "",
        json.dumps(data, ensure_ascii=False, sort_keys=True) if data else "", event.hash,
    ]


def to_csv(rows: list[list[Cell]]) -> bytes:
    """CSV for Dutch spreadsheets: ``;`` between fields, UTF-8 with a byte-order mark.

    Safe against formula injection: every text cell that starts with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return is prefixed with a single quote (:func:`neutralise`), so a spreadsheet
    shows submitted text such as ``=HYPERLINK(...)`` instead of running it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list[Cell]]) -> bytes:
    """An XLSX workbook with one sheet; every text cell is stored as text, never as a formula.

    openpyxl would store a string starting with ``=`` as a formula, so each such cell is typed as
    a string explicitly; characters XML cannot hold are dropped. Text that starts like a formula
    (:data:`FORMULA_START`) also gets Excel's "quote prefix" style, what Excel itself gives a cell
    typed as ``'=...``: editing the cell later keeps it text. The value stays exactly as recorded.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Auditlog")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet: object, value: Cell) -> object:
    if isinstance(value, int):
        return value
    text = re.sub(ILLEGAL_CHARACTERS_RE, "", value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell
