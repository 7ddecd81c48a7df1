"""Notes and files on a case: who may add them, who may read them, and where the bytes go.

Anyone who may see a case (:func:`engine.access.can_see_case`) and works on cases may add a
note, a file or both, and chooses which roles on the case may read it. The author always reads their
own; an auditor reads everything, for audit; everyone else needs their role in the note's audience
*and* sight of the case. The rule lives here, so the case page, the API and the download all apply it.

A file is checked completely before anything is stored (name, size, type sniffed from its bytes),
its bytes go to a :class:`~engine.cases.storage.BlobStore` under their SHA-256, and the note row and its
``note.added`` audit event (which carries the hash) are written in the caller's transaction under the
case lock (the case's chain is serialized by that lock). Bytes written for a transaction that then
rolls back are removed again, so a failed request leaves no file behind.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS, Role
from engine.audit import access_log, log
from engine.audit.events import EventType
from engine.cases import case_store
from engine.cases.file_types import ALLOWED_TEXT, BY_MIME, TEXT, FileType, sniff
from engine.cases.storage import BlobMissing, BlobStore
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import CaseNote, HumanTask
from engine.models.cases import CaseStatus

logger = logging.getLogger(__name__)

MAX_TEXT = 10_000
MAX_NAME = 200
# Roles that never work on a case, so they are never a note's reader by choice (the auditor reads all anyway).
NOT_A_READER = frozenset({Role.MELDER, Role.AUDITOR, Role.BEHEERDER})
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the sender's computer gave it, and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class NoteView:
    id: int
    created_at: datetime
    author: str
    author_role: str | None
    author_organisation: str | None
    text: str | None
    readers: tuple[str, ...]  # Dutch role labels
    reader_roles: tuple[str, ...]  # the same as role values (the API's words)
    file_name: str | None
    file_type: str | None  # the sniffed MIME type
    file_label: str | None  # "PDF", "Afbeelding (PNG)"
    file_size: int | None
    file_sha256: str | None


@dataclass(frozen=True)
class FileDownload:
    name: str
    mime: str
    data: bytes


# --- who may read -------------------------------------------------------------------------------------------------

def reader_choices(session: Session, instance_id: int) -> list[Role]:
    """The roles on the case, in the order of :class:`Role`: the gemeente's AF and every role that held a task."""
    on_case = {Role.AF}
    for value in session.scalars(select(HumanTask.role).where(HumanTask.instance_id == instance_id).distinct()):
        try:
            on_case.add(Role(value))
        except ValueError:
            continue
    return [role for role in Role if role in on_case and role not in NOT_A_READER]


def may_read(actor: Actor, note: CaseNote) -> bool:
    """The read rule for one note, for someone who already may see its case."""
    if access.can_audit(actor):
        return True
    if actor.user_id is not None and note.author_id == actor.user_id:
        return True
    return actor.role is not None and str(actor.role) in _roles(note)


def _roles(note: CaseNote) -> list[str]:
    roles = note.audience.get("roles") if isinstance(note.audience, dict) else None
    return [str(r) for r in roles] if isinstance(roles, list) else []


def _require_case(session: Session, actor: Actor, instance_id: int) -> None:
    if not access.can_see_case(session, actor, instance_id):
        raise NotFound("Zaak niet gevonden.")


def _view(note: CaseNote) -> NoteView:
    labels = []
    for value in _roles(note):
        try:
            labels.append(ROLE_LABELS[Role(value)])
        except ValueError:
            labels.append(value)
    kind = BY_MIME.get(note.file_type or "")
    author_role = ROLE_LABELS.get(Role(note.author_role)) if note.author_role in set(Role) else note.author_role
    return NoteView(
        id=note.id, created_at=note.created_at, author=note.author_username, author_role=author_role,
        author_organisation=note.author_organisation, text=note.text, readers=tuple(labels),
        reader_roles=tuple(_roles(note)), file_name=note.file_name, file_type=note.file_type,
        file_label=kind.label if kind else note.file_type, file_size=note.file_size, file_sha256=note.file_sha256)


def visible_notes(session: Session, *, actor: Actor, instance_id: int, now: datetime | None = None) -> list[NoteView]:
    """The notes of a case this actor may read, oldest first. :raises NotFound: when the case is hidden.

    With ``now`` the read is logged (the API); the case page passes none, its view is logged already.
    """
    _require_case(session, actor, instance_id)
    if now is not None:
        access_log.record_view(session, actor=actor, now=now, instance_id=instance_id,
                               action=access_log.NOTES_VIEWED)
    rows = session.scalars(select(CaseNote).where(CaseNote.instance_id == instance_id)
                           .order_by(CaseNote.created_at, CaseNote.id))
    return [_view(note) for note in rows if may_read(actor, note)]


def all_notes(session: Session, instance_id: int) -> list[NoteView]:
    """Every note of a case, for the auditor's dossier (the caller has checked :func:`access.can_audit`)."""
    rows = session.scalars(select(CaseNote).where(CaseNote.instance_id == instance_id)
                           .order_by(CaseNote.created_at, CaseNote.id))
    return [_view(note) for note in rows]


def read_file(session: Session, *, actor: Actor, now: datetime, instance_id: int, note_id: int,
              store: BlobStore) -> FileDownload:
    """A file's bytes with its name and sniffed type; the read lands in the access log.

    :raises NotFound: when the case or note is hidden from the actor, or the note has no file.
    """
    _require_case(session, actor, instance_id)
    note = session.get(CaseNote, note_id)
    if note is None or note.instance_id != instance_id or not may_read(actor, note) or note.file_sha256 is None:
        raise NotFound("Bestand niet gevonden.")
    try:
        data = store.get(note.file_sha256)
    except BlobMissing as exc:
        logger.error("case file missing from the store", extra={"note_id": note.id, "instance_id": instance_id})
        raise NotFound("Het bestand is niet meer aanwezig.") from exc
    access_log.record_view(session, actor=actor, now=now, instance_id=instance_id,
                           action=access_log.FILE_DOWNLOADED)
    kind = BY_MIME.get(note.file_type or "") or TEXT
    return FileDownload(name=note.file_name or f"bestand-{note.id}.{kind.extension}", mime=kind.mime, data=data)


# --- adding -------------------------------------------------------------------------------------------------------

def _bad_characters(text: str, allowed: set[str]) -> bool:
    return any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} and c not in allowed for c in text)


def _check_text(text: str, errors: dict[str, str]) -> str:
    text = text.strip()
    if len(text) > MAX_TEXT:
        errors["tekst"] = f"De notitie is te lang: hoogstens {MAX_TEXT} tekens, nu {len(text)}."
    elif _bad_characters(text, _ALLOWED_CONTROLS):
        errors["tekst"] = "De notitie bevat onzichtbare stuurtekens; haal die weg."
    return text


def _check_name(name: str) -> str | None:
    """A file name is only shown and offered back for download; one that looks like a path is refused."""
    if not name.strip():
        return "Het bestand heeft geen naam."
    if "/" in name or "\\" in name or name.strip() in {".", ".."}:
        return "De bestandsnaam mag geen map of pad bevatten (geen / of \\)."
    if _bad_characters(name, set()):
        return "De bestandsnaam bevat onzichtbare stuurtekens; geef het bestand een gewone naam."
    if len(name) > MAX_NAME:
        return f"De bestandsnaam is te lang: hoogstens {MAX_NAME} tekens."
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",").replace(",0", "") + " MB"


def _check_file(upload: Upload, max_bytes: int, errors: dict[str, str]) -> FileType | None:
    problem = _check_name(upload.name)
    if problem is None and not upload.data:
        problem = "Het bestand is leeg."
    if problem is None and len(upload.data) > max_bytes:
        problem = f"Het bestand is te groot: hoogstens {_megabytes(max_bytes)}."
    kind = sniff(upload.data) if problem is None else None
    if problem is None and kind is None:
        problem = f"Dit soort bestand kan niet worden toegevoegd. Toegestaan: {ALLOWED_TEXT}."
    if problem is not None:
        errors["bestand"] = problem
    return kind


def _check_readers(readers: Iterable[str], choices: list[Role], errors: dict[str, str]) -> list[str]:
    wanted = {str(r).strip() for r in readers if str(r).strip()}
    allowed = {str(r) for r in choices}
    if not wanted:
        errors["lezers"] = "Kies wie dit mag lezen."
    elif not wanted <= allowed:
        errors["lezers"] = "Kies alleen rollen die aan deze zaak werken."
    return [str(r) for r in choices if str(r) in wanted]


def add_note(session: Session, *, actor: Actor, now: datetime, instance_id: int, text: str,
             readers: Iterable[str], upload: Upload | None, store: BlobStore, max_file_bytes: int) -> CaseNote:
    """Add a note and/or a file, readable by ``readers`` (roles on the case), audited with the file's hash.

    Nothing is stored unless every part is valid. :raises ValidationFailed: with Dutch messages per
    field (``tekst``, ``bestand``, ``lezers``). :raises NotFound: for a case the actor may not see.
    """
    if actor.user_id is None or actor.role is None or actor.role in access.NO_CASE_WORK:
        raise Forbidden("Alleen wie aan zaken werkt, voegt notities en bestanden toe.")
    _require_case(session, actor, instance_id)
    errors: dict[str, str] = {}
    text = _check_text(text, errors)
    if upload is not None and not upload.name and not upload.data:
        upload = None  # the file field was left empty
    kind = _check_file(upload, max_file_bytes, errors) if upload is not None else None
    if not text and upload is None and "tekst" not in errors:
        errors["tekst"] = "Schrijf een notitie of kies een bestand."
    roles = _check_readers(readers, reader_choices(session, instance_id), errors)
    if errors:
        raise ValidationFailed("De notitie is niet toegevoegd: " + " ".join(errors.values()), errors)
    instance = case_store.require_locked(session, instance_id)
    if instance.status == CaseStatus.DESTROYED:
        raise Conflict("Deze zaak is vernietigd (bewaartermijn verstreken).")
    note = CaseNote(instance_id=instance_id, created_at=now, author_id=actor.user_id,
                    author_username=actor.username, author_role=str(actor.role),
                    author_organisation=actor.organisation_slug, audience={"roles": roles}, text=text or None,
                    audit_seq=0)
    file_payload: dict[str, Any] | None = None
    if upload is not None and kind is not None:
        digest, created = store.put(upload.data)
        if created:
            _on_rollback(session, lambda: store.delete(digest))
        note.file_name, note.file_sha256 = upload.name.strip(), digest
        note.file_type, note.file_size = kind.mime, len(upload.data)
        file_payload = {"name": note.file_name, "sha256": digest, "type": kind.mime, "size": note.file_size}
    session.add(note)
    session.flush()
    recorded = log.record(session, event_type=EventType.NOTE_ADDED, actor=actor, now=now, instance_id=instance_id,
                          definition_id=instance.definition_id,
                          payload={"note": note.id, "audience": roles, "text": note.text, "file": file_payload})
    note.audit_seq = recorded.seq
    session.flush()
    return note


# --- destruction (engine.retention.retention) ------------------------------------------------------------------------

@dataclass(frozen=True)
class Destroyed:
    notes: int
    files: list[str]  # "sha256 (PDF, 12345 bytes)": named without the name people gave them (personal data)


def destroy_notes(session: Session, *, instance_id: int, store: BlobStore | None) -> Destroyed:
    """Delete the case's notes; the bytes of files no other case holds go once the transaction commits.

    Called by the retention service under the case lock. Deleting bytes is not transactional, so it
    waits for the commit: a rolled back destruction keeps its files.
    """
    notes = list(session.scalars(select(CaseNote).where(CaseNote.instance_id == instance_id)))
    files = [n for n in notes if n.file_sha256]
    if files and store is None:
        raise RuntimeError("case has files but no blob store was given to destroy them")
    named = [f"{n.file_sha256} ({(BY_MIME.get(n.file_type or '') or TEXT).label}, {n.file_size} bytes)"
             for n in files]
    for note in notes:
        session.delete(note)
    session.flush()
    digests = {n.file_sha256 for n in files if n.file_sha256}
    shared = set(session.scalars(select(CaseNote.file_sha256).where(CaseNote.file_sha256.in_(digests)))) \
        if digests else set()
    orphaned = sorted(digests - shared)
    if orphaned and store is not None:
        _on_commit(session, lambda: [store.delete(d) for d in orphaned])
    return Destroyed(notes=len(notes), files=named)


# --- side effects bound to the transaction's outcome -----------------------------------------------------------------

_PENDING = "signaalroute.blob_actions"
_COMMIT, _ROLLBACK = "commit", "rollback"


def _pending(session: Session) -> dict[str, list[Callable[[], object]]]:
    """Actions waiting for this session's transaction to end; listeners are attached once per session."""
    found: dict[str, list[Callable[[], object]]] | None = session.info.get(_PENDING)
    if found is None:
        found = {_COMMIT: [], _ROLLBACK: []}
        session.info[_PENDING] = found
        event.listen(session, "after_commit", lambda s: _run(s, _COMMIT))
        event.listen(session, "after_rollback", lambda s: _run(s, _ROLLBACK))
    return found


def _run(session: Session, outcome: str) -> None:
    pending = session.info.get(_PENDING) or {}
    actions = list(pending.get(outcome, []))
    for queue in pending.values():
        queue.clear()
    for action in actions:
        try:
            action()
        except OSError:
            logger.exception("case file store action failed", extra={"on": outcome})


def _on_rollback(session: Session, action: Callable[[], object]) -> None:
    _pending(session)[_ROLLBACK].append(action)


def _on_commit(session: Session, action: Callable[[], object]) -> None:
    _pending(session)[_COMMIT].append(action)
