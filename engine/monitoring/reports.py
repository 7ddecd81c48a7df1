"""The yearly report per region (PDF and XLSX) and the aggregated CoMensha export.

Both take the tables the dashboard publishes, with the same suppression, so a figure hidden on
the screen is hidden in the report too. A short text per section says what the figures mean
(003 §7.1-7.2: monitoring and the yearly evaluation).
"""

from __future__ import annotations

import io
from datetime import datetime

from fpdf import FPDF
from openpyxl import Workbook

from engine.monitoring.dashboard import HIDDEN_MARK, Dashboard, Table
from engine.monitoring.suppression import THRESHOLD

ENCODING = "windows-1252"
FONT = "helvetica"

SECTIONS: list[tuple[str, str, list[str]]] = [
    ("Signalen", "Het aantal signalen van mogelijke mensenhandel per maand, per vorm van uitbuiting, bron, "
     "acuutheid, route en uitkomst. Een signaal telt in de maand waarin het is gemeld.",
     [f"{d}-per-maand" for d in ("vorm", "bron", "acuut", "route", "uitkomst")]),
    ("Verloop over de jaren", "Het aantal signalen per jaar, om trends te zien.",
     [f"{d}-per-jaar" for d in ("vorm", "bron", "acuut", "route", "uitkomst")]),
    ("Gemeenten in de regio", "De gemeenten van de regio naast elkaar, naar vorm van uitbuiting.",
     ["vorm-per-gemeente"]),
    ("Doorlooptijden", "Hoe lang de stappen duren, van de melding af gerekend: de mediaan (de helft van de "
     "signalen was sneller) en het 90e percentiel (negen op de tien waren sneller), in dagen.",
     ["doorlooptijden"]),
    ("Waar het werk stokt", "De open taken bij het maken van dit verslag, per organisatie en rol, de "
     "verrijking die over de termijn is, en de agenda's van de overleggen met de lopende signalen.",
     ["open-taken", "verrijking-te-laat", "overleggen"]),
]
PRIVACY = (f"Er staan geen personen, namen, vrije tekst of zaaknummers in dit verslag. Aantallen onder de "
           f"{THRESHOLD} en de aantallen waaruit die terug te rekenen zouden zijn, staan als '{HIDDEN_MARK}'.")


def _present(dashboard: Dashboard) -> list[tuple[str, str, list[Table]]]:
    return [(title, text, [dashboard.tables[s] for s in slugs if s in dashboard.tables])
            for title, text, slugs in SECTIONS if any(s in dashboard.tables for s in slugs)]


def xlsx(dashboard: Dashboard, *, now: datetime) -> bytes:
    """One sheet with the texts, then one sheet per table; every value is typed as text or number."""
    book = Workbook()
    intro = book.active
    intro.title = "Toelichting"
    intro.append([f"Jaarverslag monitoring mensenhandel {dashboard.year}, {dashboard.scope.label}"])
    intro.append([f"Gemaakt op {now:%d-%m-%Y}"])
    intro.append([PRIVACY])
    for title, text, tables in _present(dashboard):
        intro.append([])
        intro.append([title])
        intro.append([text])
        intro.append(["Tabellen: " + ", ".join(t.title for t in tables)])
    for _, _, tables in _present(dashboard):
        for table in tables:
            sheet = book.create_sheet(table.slug[:31])
            sheet.append([table.title])
            sheet.append([table.row_header, *table.columns])
            for label, values in table.rows:
                sheet.append([label, *[int(v) if v.isdigit() else v for v in values]])
            if table.note:
                sheet.append([])
                sheet.append([table.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(text: str) -> str:
    return text.replace("→", "->").replace("–", "-").encode(ENCODING, "replace").decode(ENCODING)


def pdf(dashboard: Dashboard, *, now: datetime) -> bytes:
    """A4 landscape: per section its text and tables, wide tables split over several blocks of columns."""
    document = FPDF(orientation="L", format="A4")
    document.core_fonts_encoding = ENCODING
    document.set_title(_safe(f"Jaarverslag monitoring {dashboard.year}"))
    document.set_auto_page_break(True, margin=15)
    document.add_page()
    document.set_font(FONT, style="B", size=16)
    document.multi_cell(0, 9, _safe(f"Jaarverslag monitoring mensenhandel {dashboard.year}"),
                        new_x="LMARGIN", new_y="NEXT")
    document.set_font(FONT, size=11)
    for line in (dashboard.scope.label, f"Gemaakt op {now:%d-%m-%Y}", PRIVACY):
        document.multi_cell(0, 6, _safe(line), new_x="LMARGIN", new_y="NEXT", markdown=False)
    for title, text, tables in _present(dashboard):
        document.ln(4)
        document.set_font(FONT, style="B", size=13)
        document.multi_cell(0, 8, _safe(title), new_x="LMARGIN", new_y="NEXT")
        document.set_font(FONT, size=10)
        document.multi_cell(0, 5, _safe(text), new_x="LMARGIN", new_y="NEXT", markdown=False)
        for table in tables:
            _pdf_table(document, table)
    return bytes(document.output())


def _pdf_table(document: FPDF, table: Table, per_block: int = 6) -> None:
    document.ln(2)
    document.set_font(FONT, style="B", size=10)
    document.multi_cell(0, 6, _safe(table.title), new_x="LMARGIN", new_y="NEXT")
    document.set_font(FONT, size=8)
    for start in range(0, max(1, len(table.columns)), per_block):
        block = range(start, min(start + per_block, len(table.columns)))
        with document.table(first_row_as_headings=True, text_align="LEFT", line_height=4.5) as pdf_table:
            pdf_table.row([_safe(table.row_header), *[_safe(table.columns[i]) for i in block]])
            for label, values in table.rows:
                pdf_table.row([_safe(label), *[_safe(values[i]) for i in block]])
    if table.note:
        document.multi_cell(0, 4.5, _safe(table.note), new_x="LMARGIN", new_y="NEXT", markdown=False)


def comensha_csv(tables: list[Table], *, year: int, scope_label: str) -> str:
    """field;category;count per year, ';'-separated; see docs/comensha-export.md for each field."""
    lines = ["jaar;gebied;veld;categorie;aantal"]
    for table in tables:
        field = table.slug.removeprefix("comensha-")
        for label, values in table.rows:
            lines.append(";".join([str(year), _quote(scope_label), field, _quote(label), values[0]]))
    return "\r\n".join(lines) + "\r\n"


def _quote(text: str) -> str:
    text = text.replace('"', '""')
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return f'"{text}"'
