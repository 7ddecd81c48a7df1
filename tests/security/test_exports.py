"""Exports that leave the application: hostile case text must stay text in XLSX and PDF, file names stay names.

The attacker is anyone who can type into a case (a melder, a partner) or name a model file (a
procesregisseur); the victim is the auditor who opens the export in Excel or a PDF reader, or the
browser that saves it.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from engine.audit import audit_export, dossier
from engine.db import unit_of_work
from engine.modelling import deployments
from engine.workflow.bundle import SourceFile
from tests.support.helpers import complete, deploy, ready, start
from tests.support.modelling import model
from tests.support.pdf import pdf_page_contents
from tests.support.web import csrf_of
from webapp.downloads import attachment

MARCH = audit_export.Period(date(2026, 3, 1), date(2026, 3, 31))

# Every start a spreadsheet runs as a formula, DDE included (OWASP "CSV injection").
FORMULAS = ["=HYPERLINK(\"https://kwaad.example\",\"klik\")", "=cmd|' /C calc'!A0", "+31 6 1234 5678", "-2+3",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
# Closes fpdf2's text string and draws its own text in 40 pt; then the page-count alias, markdown and
# control characters (a NUL cannot be stored on PostgreSQL at all, so BEL and ESC stand in for it).
PDF_BREAKOUT = ") Tj ET BT /F1 40 Tf 50 50 Td (INGEVOEGD) Tj ET BT ("
PDF_HOSTILE = f"{PDF_BREAKOUT} {{nb}} **vet** --doorgehaald-- \\ \x07\x1b einde"


@pytest.fixture
def hostile_case(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.melder, at(), "drie_taken", {"melding": FORMULAS[0]})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["verrijken"].id,
             {"vorm": "SU", "samenvatting": PDF_HOSTILE})
    return case


def test_xlsx_stores_every_formula_like_text_as_text_never_as_a_formula(factory, world, at, hostile_case):
    with unit_of_work(factory) as session:
        made = audit_export.audit_rows(session, actor=world.auditor, now=at(), period=MARCH, fmt="xlsx")
    made.rows.append([*FORMULAS, 7])
    body = audit_export.to_xlsx(made)

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheet_xml = b"".join(archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml, "no formula element in the sheet"
    sheet = load_workbook(io.BytesIO(body))["Auditlog"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    last = [c for c in cells if c.row == sheet.max_row]
    assert [c.value for c in last][:len(FORMULAS) + 1] == [*FORMULAS, 7], "the recorded text is kept exactly"
    assert all(c.quotePrefix for c in last[:len(FORMULAS)]), "Excel keeps the cell text when it is edited"
    assert any(c.value and FORMULAS[0] in str(c.value) for c in cells), "the case's own data is exported"


def _outside_strings(content: bytes) -> bytes:
    """The content stream with every literal string removed, as a PDF reader tokenises it."""
    out, depth, i = bytearray(), 0, 0
    while i < len(content):
        byte = content[i:i + 1]
        if depth and byte == b"\\":
            i += 2
            continue
        if byte == b"(":
            depth += 1
        elif byte == b")" and depth:
            depth -= 1
        elif not depth:
            out += byte
        i += 1
    return bytes(out)


def test_pdf_text_cannot_close_its_string_and_draw_its_own_content(factory, world, at, forms, hostile_case):
    with unit_of_work(factory) as session:
        body = dossier.dossier_pdf(session, actor=world.auditor, now=at(), instance_id=hostile_case, forms=forms)
    content = pdf_page_contents(body)  # not the fonts and images: their binary bytes may hold any value
    assert b"\\) Tj ET BT /F1 40 Tf 50 50 Td \\(INGEVOEGD\\) Tj ET BT \\(" in content, "parentheses are escaped"
    operators = _outside_strings(content)
    assert b"INGEVOEGD" not in operators and b"40 Tf" not in operators, "no injected operator runs"
    assert b"{nb}" in content, "the page-count alias is not replaced inside case text"
    assert b"**vet** --doorgehaald--" in content, "markdown stays literal"
    assert b"\x07" not in content and b"\x1b" not in content, "control characters do not reach the PDF"
    assert b"\\\\ " in content, "a backslash is escaped"
    assert re.search(rb"pagina 1 van (?:\) Tj \()?2\)", content), "the footer counts pages"


@pytest.mark.parametrize(("hostile", "fallback", "full"), [
    ('a"b.csv', "a_b.csv", "a_b.csv"),
    ("x\r\nSet-Cookie: sessie=kaping.csv", "xSet-Cookie__sessie_kaping.csv", "xSet-Cookie_ sessie=kaping.csv"),
    ('"; filename=kwaad.exe; x=".bpmn', "filename_kwaad.exe_x__.bpmn", "_; filename=kwaad.exe; x=_.bpmn"),
    ("../../etc/passwd", "passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini", "win.ini"),
    ("dossier Fryslân ☃.pdf", "dossier_Fryslan_.pdf", "dossier Fryslân ☃.pdf"),
    ("\u202egnp.exe", "gnp.exe", "gnp.exe"),
    ("../..", "download", "download"),
])
def test_a_hostile_file_name_cannot_break_the_header_or_leave_its_directory(hostile, fallback, full):
    header = attachment(hostile)
    assert "\r" not in header and "\n" not in header
    header.encode("latin-1")  # a header value Werkzeug can send as it is
    match = re.fullmatch(r"attachment; filename=\"([A-Za-z0-9._-]+)\"(?:; filename\*=UTF-8''([A-Za-z0-9%._~-]+))?",
                         header)
    assert match, header
    assert match[1] == fallback
    assert unquote(match[2]) == full if match[2] else full == fallback


def test_downloads_of_a_model_with_a_hostile_file_name_send_a_safe_header(client, log_in,  # noqa: F811
                                                                          factory, world, forms, at):
    hostile = 'uitrol"\r\nX-Kwaad: 1; ñ.bpmn'
    with unit_of_work(factory) as session:
        deployed = deployments.deploy(session, actor=world.regisseur, now=at(), comment="",
                                      files=[SourceFile(hostile, model())], forms=forms)
        file_id = deployed.files[0].id
    log_in("regisseur")
    response = client.get(f"/modelleren/bestanden/{file_id}/download")
    assert response.status_code == 200
    assert "X-Kwaad" not in response.headers
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"uitrol-{deployed.id}-uitrol_X-Kwaad__1_n.bpmn\"; "
        f"filename*=UTF-8''uitrol-{deployed.id}-uitrol_X-Kwaad_%201%3B%20%C3%B1.bpmn")


def test_the_dossier_is_named_after_the_case_number_only_whatever_the_case_holds(client, log_in,  # noqa: F811
                                                                                 hostile_case):
    log_in("auditor")
    response = client.post(f"/audit/zaken/{hostile_case}/dossier",
                           data={"csrf_token": csrf_of(client, "/audit/zaken")})
    assert response.headers["Content-Disposition"] == f'attachment; filename="dossier-zaak-{hostile_case}.pdf"'
