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
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS
from engine.audit import access_log, case_integrity, log, verify
from engine.audit.audit_history import UNCHANGED, HistoryEntry, case_summary, entries_of
from engine.audit.case_integrity import CaseIntegrity
from engine.audit.events import EventType
from engine.audit.seal_key import SealVerifier
from engine.cases import case_store
from engine.cases.lifecycle import reference
from engine.cases.notes import NoteView, all_notes
from engine.dutch import datum_tijd
from engine.errors import Forbidden, NotFound
from engine.modelling.forms import FormRepository
from engine.models import Organisation

FONT = "helvetica"  # a PDF core font: nothing to ship or embed; text is limited to Windows-1252
ENCODING = "windows-1252"


def dossier_pdf(session: Session, *, actor: Actor, now: datetime, instance_id: int,
                forms: FormRepository | None = None, verifier: SealVerifier | None = None) -> bytes:
    """The dossier of one case; the export joins the case's chain under its lock (decision 2).

    The chain is checked before anything is written: the dossier opens and ends with that outcome,
    and an event the check flags is marked where it stands, so nobody hands on an altered value as fact.

    :raises Forbidden: for anyone but an auditor. :raises NotFound: for an unknown case.
    """
    if not access.can_audit(actor):
        raise Forbidden("Alleen een auditor mag een dossier exporteren.")
    instance = case_store.lock_case(session, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    integrity = case_integrity.check_case(session, instance_id=instance_id, verifier=verifier, now=now)
    entries = entries_of(session, log.history(session, instance_id), reveal_melder=False, forms=forms)
    process, status, organisation = case_summary(session, instance)
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id,
                           action=access_log.DOSSIER_EXPORTED)
    head = verify.stored_head(session, log.chain_for_case(instance_id))
    log.record(session, event_type=EventType.DOSSIER_EXPORTED, actor=actor, now=now, instance_id=instance_id,
               definition_id=instance.definition_id, payload={"format": "PDF", "events": len(entries)})
    role = ROLE_LABELS.get(actor.role) if actor.role else None
    own = session.scalar(select(Organisation.name).where(Organisation.slug == actor.organisation_slug)) \
        if actor.organisation_slug else None
    by = f"{actor.username} ({', '.join(p for p in (role, own or actor.organisation_slug) if p)})"
    summary = [("Kenmerk", reference(instance)), ("Proces", process), ("Status", status),
               ("Gemeente", organisation), ("Gestart", datum_tijd(instance.created_at))]
    closing = _integrity_lines(integrity, head, by=by)
    return _render(reference(instance), summary, entries, generated=f"Gegenereerd door {by} op {datum_tijd(now)}",
                   now=now, integrity=integrity, closing=closing, notes=all_notes(session, instance_id))


def _integrity_lines(integrity: CaseIntegrity, head: tuple[int, str] | None, *, by: str) -> list[str]:
    """The dossier's last section: what was checked, when, against which seal, by whose export."""
    seal = integrity.last_seal
    sealed = "Laatste zegel: nog geen zegel over deze zaak"
    if seal is not None:
        sealed = (f"Laatste zegel: {datum_tijd(seal.created_at)}, over volgnummer {seal.seq}; handtekening "
                  f"{'klopt' if seal.signature_ok else 'klopt NIET'}")
    return [
        f"Uitkomst: {'intact' if integrity.intact else 'NIET intact'}",
        f"Gecontroleerd op: {datum_tijd(integrity.checked_at)}",
        f"Aantal gebeurtenissen gecontroleerd: {integrity.events} (het maken van dit dossier komt er als "
        "volgende gebeurtenis bij)",
        f"Kop van de keten: volgnummer {head[0]}, hash {head[1]}" if head else "Kop van de keten: ontbreekt",
        sealed,
        f"Geëxporteerd door: {by}",
    ]


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


def _render(name: str, summary: list[tuple[str, str]], entries: list[HistoryEntry], *, generated: str,
            now: datetime, integrity: CaseIntegrity, closing: list[str], notes: list[NoteView] | None = None) -> bytes:
    pdf = _Document(generated)
    pdf.set_title(f"Dossier {name}")
    pdf.set_creator("Signaalroute")
    pdf.set_lang("nl")
    pdf.creation_date = now
    pdf.add_page()
    pdf.line_of(f"Dossier {name}", size=16, style="B", height=9)
    pdf.line_of(integrity.statement, style="B", size=11 if integrity.intact else 13)
    for label, value in summary:
        pdf.line_of(f"{label}: {value}")
    pdf.line_of(generated, style="I")
    pdf.line_of("De identiteit van de melder is afgeschermd in dit dossier.", style="I")
    pdf.ln(4)
    pdf.line_of(f"Verloop ({len(entries)} gebeurtenissen)", size=13, style="B", height=8)
    for entry in entries:
        _entry(pdf, entry, integrity.problems_at(entry.seq))
    for missing in integrity.missing:
        pdf.ln(2)
        pdf.line_of(f"NIET INTACT - gebeurtenis {missing.seq} ontbreekt: {missing.message}", style="B")
    _notes(pdf, notes or [])
    pdf.add_page()
    pdf.line_of("Verklaring over de integriteit", size=13, style="B", height=8)
    for line in closing:
        pdf.line_of(line)
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
        pdf.line_of(f"{datum_tijd(note.created_at)} - {note.author} ({by})", style="B")
        pdf.line_of(f"Mag lezen: {', '.join(note.readers)} (en de auteur)", size=9)
        if note.text:
            pdf.line_of(note.text)
        if note.file_sha256:
            pdf.line_of(f"Bestand: {note.file_name} ({note.file_label}, {note.file_size} bytes)", size=9)
            pdf.line_of(f"SHA-256: {note.file_sha256}", size=9)


def _entry(pdf: _Document, entry: HistoryEntry, flags: list[str]) -> None:
    pdf.ln(2)
    if pdf.will_page_break(_height_of(entry)):  # one event on one page where it fits
        pdf.add_page()
    pdf.line_of(f"{datum_tijd(entry.occurred_at)} - {entry.type_label}", style="B")
    for flag in flags:
        pdf.line_of(f"NIET INTACT - {flag}. Lees deze gebeurtenis niet als feit.", style="B")
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


def _height_of(entry: HistoryEntry) -> float:
    """A generous estimate in mm; a page holds about 250 mm of text between the margins."""
    return min(250.0, 5.5 * 3 + 5.0 * (len(entry.facts) + len(entry.changes)))
