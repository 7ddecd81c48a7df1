"""A case dossier as PDF for auditors: the whole history with who, when and what, and its diffs.

A PDF leaves the access-controlled application and may be handed on, so it is written for a
reader without need-to-know: the melder is "de melder" and fields that identify them
(``melder``, ``melder_*``) read "[afgeschermd]", as on the case page for partners. Making one is
audited in the case's own chain and logged as a read in the access log.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from fpdf import FPDF
from sqlalchemy.orm import Session

from engine import access
from engine.actors import Actor
from engine.audit import access_log, log
from engine.audit.events import EventType
from engine.dutch import datum
from engine.errors import Forbidden, NotFound
from engine.forms import FormRepository
from engine.roles import ROLE_LABELS
from engine.services import cases
from engine.services.audit_history import UNCHANGED, HistoryEntry, case_summary, entries_of
from engine.services.notes import NoteView, all_notes

FONT = "helvetica"  # a PDF core font: nothing to ship or embed; text is limited to Windows-1252
ENCODING = "windows-1252"


def dossier_pdf(session: Session, *, actor: Actor, now: datetime, instance_id: int,
                forms: FormRepository | None = None) -> bytes:
    """The dossier of one case; the export joins the case's chain under its lock (decision 2).

    :raises Forbidden: for anyone but an auditor. :raises NotFound: for an unknown case.
    """
    if not access.can_audit(actor):
        raise Forbidden("Alleen een auditor mag een dossier exporteren.")
    instance = cases.lock_instance(session, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    entries = entries_of(session, log.history(session, instance_id), reveal_melder=False, forms=forms)
    process, status, organisation = case_summary(session, instance)
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id,
                           action=access_log.DOSSIER_EXPORTED)
    log.record(session, event_type=EventType.DOSSIER_EXPORTED, actor=actor, now=now, instance_id=instance_id,
               definition_id=instance.definition_id, payload={"format": "PDF", "events": len(entries)})
    role = ROLE_LABELS.get(actor.role) if actor.role else None
    by = f"{actor.username} ({', '.join(p for p in (role, actor.organisation_slug) if p)})"
    summary = [("Proces", process), ("Status", status), ("Gemeente", organisation),
               ("Gestart", datum(instance.created_at))]
    return _render(instance_id, summary, entries, generated=f"Gegenereerd door {by} op {datum(now)}", now=now,
                   notes=all_notes(session, instance_id))


class _Document(FPDF):
    """A4 with a footer that repeats who generated the dossier, and page numbers."""

    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.core_fonts_encoding = ENCODING
        # fpdf2 replaces its page-count alias ("{nb}" by default) anywhere in the page content, case
        # text included; an alias nobody can guess keeps "{nb}" in a case's data as written.
        self.page_count_alias = f"{{nb-{secrets.token_hex(4)}}}"
        self.alias_nb_pages(self.page_count_alias)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=8)
        self.cell(0, 10, f"{_safe(self.footer_text)} · pagina {self.page_no()} van {self.page_count_alias}",
                  align="C")

    def line_of(self, text: str, *, size: float = 10, style: str = "", height: float = 5.5) -> None:
        # markdown stays off: "**" or "--" in case text is shown, never turned into bold or strike-through.
        self.set_font(FONT, style=style, size=size)
        self.multi_cell(0, height, _safe(text), align="L", new_x="LMARGIN", new_y="NEXT", markdown=False)


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    """Text as the PDF may hold it; fpdf2 itself escapes ``(``, ``)``, ``\\`` and CR in the string.

    Core fonts hold Windows-1252 only: anything else becomes "?" rather than failing the export,
    and control characters (other than a line break) become a space.
    """
    return _CONTROL.sub(" ", text).encode(ENCODING, "replace").decode(ENCODING)


def _render(instance_id: int, summary: list[tuple[str, str]], entries: list[HistoryEntry], *, generated: str,
            now: datetime, notes: list[NoteView] | None = None) -> bytes:
    pdf = _Document(generated)
    pdf.set_title(f"Dossier zaak {instance_id}")
    pdf.set_creator("Signaalroute")
    pdf.set_lang("nl")
    pdf.creation_date = now
    pdf.add_page()
    pdf.line_of(f"Dossier zaak {instance_id}", size=16, style="B", height=9)
    for label, value in summary:
        pdf.line_of(f"{label}: {value}")
    pdf.line_of(generated, style="I")
    pdf.line_of("De identiteit van de melder is afgeschermd in dit dossier.", style="I")
    pdf.ln(4)
    pdf.line_of(f"Verloop ({len(entries)} gebeurtenissen)", size=13, style="B", height=8)
    for entry in entries:
        _entry(pdf, entry)
    _notes(pdf, notes or [])
    return bytes(pdf.output())


def _notes(pdf: _Document, notes: list[NoteView]) -> None:
    """Notes and files on the case; each file with the SHA-256 its bytes are stored and audited under."""
    pdf.ln(4)
    pdf.line_of(f"Notities en bestanden ({len(notes)})", size=13, style="B", height=8)
    if not notes:
        pdf.line_of("Geen notities of bestanden bij deze zaak.")
    for note in notes:
        pdf.ln(2)
        by = ", ".join(p for p in (note.author_role, note.author_organisation) if p)
        pdf.line_of(f"{datum(note.created_at)} - {note.author} ({by})", style="B")
        pdf.line_of(f"Mag lezen: {', '.join(note.readers)} (en de auteur)", size=9)
        if note.text:
            pdf.line_of(note.text)
        if note.file_sha256:
            pdf.line_of(f"Bestand: {note.file_name} ({note.file_label}, {note.file_size} bytes)", size=9)
            pdf.line_of(f"SHA-256: {note.file_sha256}", size=9)


def _entry(pdf: _Document, entry: HistoryEntry) -> None:
    pdf.ln(2)
    pdf.line_of(f"{datum(entry.occurred_at)} - {entry.type_label}", style="B")
    pdf.line_of(entry.sentence)
    meta = [f"Door: {entry.who_text}", f"gebeurtenis {entry.seq}"]
    if entry.process_version:
        meta.insert(1, f"procesversie: {entry.process_version}")
    pdf.line_of(" · ".join(meta), size=8.5)
    for label, value in entry.facts:
        pdf.line_of(f"{label}: {value}", size=9)
    for change in entry.changes:
        if change.kind == UNCHANGED:
            pdf.line_of(f"    {change.label}: {change.new or '(leeg)'} (ongewijzigd)", size=9)
        else:
            pdf.line_of(f"    {change.label}: {change.old or '(leeg)'} -> {change.new or '(leeg)'} ({change.kind})",
                        size=9)
