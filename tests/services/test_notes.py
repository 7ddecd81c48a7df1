"""Notes and files on a case: who reads them, what the audit chain says, what bad input leaves behind."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from engine.accounts.actors import Actor
from engine.audit import access_log, audit_history, dossier, verify
from engine.audit.events import EventType
from engine.cases import notes
from engine.cases.notes import Upload
from engine.cases.storage import DirectoryBlobStore
from engine.db import unit_of_work
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import AccessLogEntry, AuditEvent, CaseNote, DestructionRecord
from engine.retention import retention
from signaalroute import passes
from tests.support import file_samples
from tests.support.chain import TERUG, VERRIJKT
from tests.support.pdf import pdf_text
from tests.support.retention import finish, keten_fixture, rules_fixture  # noqa: F401

MAX = 1024 * 1024
PDF_HASH = hashlib.sha256(file_samples.PDF).hexdigest()


@pytest.fixture
def store(tmp_path):
    return DirectoryBlobStore(tmp_path / "bestanden")


def at_zorg(chain) -> int:
    """An Eersel signal the police handled; the zorgcoördinator now holds 'Zorg en opvang'."""
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    assert "zorg_en_opvang" in chain.ready(case)
    return case


def add(chain, store, case, who=("af", "eersel"), *, text="Foto van de locatie ontvangen.",
        readers=("af", "zorgcoordinator"), upload=None):
    with unit_of_work(chain.factory) as session:
        note = notes.add_note(session, actor=chain.person(*who), now=chain.at(), instance_id=case, text=text,
                              readers=list(readers), upload=upload, store=store, max_file_bytes=MAX)
        return note.id


def visible(chain, who, case):
    with unit_of_work(chain.factory) as session:
        return notes.visible_notes(session, actor=chain.person(*who), instance_id=case)


def test_a_note_for_af_and_zorgcoordinator_is_read_by_them_and_not_by_the_police(chain, store):
    case = at_zorg(chain)
    note = add(chain, store, case, upload=Upload("aangifte.pdf", file_samples.PDF))
    for reader in [("af", "eersel"), ("zorgcoordinator", "oost-brabant-lumens"), ("auditor", "eersel")]:
        [seen] = visible(chain, reader, case)
        assert (seen.id, seen.text, seen.file_name, seen.file_sha256) == (
            note, "Foto van de locatie ontvangen.", "aangifte.pdf", PDF_HASH)
        assert seen.readers == ("Aandachtsfunctionaris", "Zorgcoördinator")
    assert visible(chain, ("politie", "oost-brabant-avim"), case) == []  # sees the case, not the note
    with pytest.raises(NotFound):  # another gemeente's AF does not even see the case
        visible(chain, ("af", "bergeijk"), case)


def test_the_author_always_reads_their_own_note_but_a_colleague_outside_the_readers_does_not(chain, store):
    case = at_zorg(chain)
    add(chain, store, case, text="Alleen voor de zorg.", readers=["zorgcoordinator"])
    assert [n.text for n in visible(chain, ("af", "eersel"), case)] == ["Alleen voor de zorg."]
    with unit_of_work(chain.factory) as session:  # a second AF of Eersel: sees the case, not this note
        from engine.accounts import users
        colleague = users.actor_for(users.create_user(
            session, actor=Actor.system("test"), now=chain.at(), username="af2.eersel", password="x" * 12,
            role="af", organisation_slug="eersel"))
    with unit_of_work(chain.factory) as session:
        assert notes.visible_notes(session, actor=colleague, instance_id=case) == []


def test_the_readers_to_choose_from_are_the_roles_on_the_case(chain, store):
    case = at_zorg(chain)
    with unit_of_work(chain.factory) as session:
        assert [str(r) for r in notes.reader_choices(session, case)] == ["af", "zorgcoordinator", "politie"]


def test_adding_a_file_puts_its_hash_in_the_case_audit_chain_in_the_same_transaction(chain, store):
    case = at_zorg(chain)
    note_id = add(chain, store, case, text="", upload=Upload("aangifte.pdf", file_samples.PDF))
    with unit_of_work(chain.factory) as session:
        note = session.get(CaseNote, note_id)
        event = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case,
                                                         AuditEvent.event_type == EventType.NOTE_ADDED)).one()
        assert event.seq == note.audit_seq and event.chain == f"instance:{case}"
        assert event.payload["file"] == {"name": "aangifte.pdf", "sha256": PDF_HASH, "type": "application/pdf",
                                         "size": len(file_samples.PDF)}
        assert event.payload["audience"] == ["af", "zorgcoordinator"] and event.payload["text"] is None
        assert verify.verify_chain(session, f"instance:{case}") == []
    assert store.get(PDF_HASH) == file_samples.PDF


def test_reading_a_file_returns_its_sniffed_type_and_is_logged_as_a_read(chain, store):
    case = at_zorg(chain)
    note_id = add(chain, store, case, upload=Upload("locatie.png", file_samples.png()))
    zoco = chain.person("zorgcoordinator", "oost-brabant-lumens")
    with unit_of_work(chain.factory) as session:
        found = notes.read_file(session, actor=zoco, now=chain.at(), instance_id=case, note_id=note_id, store=store)
        assert (found.name, found.mime, found.data) == ("locatie.png", "image/png", file_samples.png())
    with unit_of_work(chain.factory) as session:
        logged = session.scalars(select(AccessLogEntry).where(AccessLogEntry.instance_id == case,
                                                              AccessLogEntry.action == access_log.FILE_DOWNLOADED))
        assert [e.username for e in logged] == [zoco.username]
    police = chain.person("politie", "oost-brabant-avim")
    with unit_of_work(chain.factory) as session, pytest.raises(NotFound):
        notes.read_file(session, actor=police, now=chain.at(), instance_id=case, note_id=note_id, store=store)


BAD = [
    ("empty", dict(text="   ", upload=None), "tekst", "Schrijf een notitie of kies een bestand."),
    ("too long", dict(text="x" * (notes.MAX_TEXT + 1)), "tekst", "te lang"),
    ("control character in the text", dict(text="a\x1bb"), "tekst", "stuurtekens"),
    ("empty file", dict(upload=Upload("leeg.pdf", b"")), "bestand", "Het bestand is leeg."),
    ("too big", dict(upload=Upload("groot.txt", b"a" * (MAX + 1))), "bestand", "te groot"),
    ("wrong type", dict(upload=Upload("foto.png", file_samples.EXE)), "bestand", "Dit soort bestand kan niet"),
    ("path in the name", dict(upload=Upload("../../etc/aangifte.pdf", file_samples.PDF)), "bestand", "pad"),
    ("windows path", dict(upload=Upload("C:\\Users\\af\\aangifte.pdf", file_samples.PDF)), "bestand", "pad"),
    ("control character in the name", dict(upload=Upload("aangifte\r\n.pdf", file_samples.PDF)), "bestand",
     "stuurtekens"),
    ("no name", dict(upload=Upload("", file_samples.PDF)), "bestand", "geen naam"),
    ("no readers", dict(readers=[]), "lezers", "Kies wie dit mag lezen."),
    ("a reader not on the case", dict(readers=["af", "arbeidsinspectie"]), "lezers", "werken"),
]


@pytest.mark.parametrize(("name", "given", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_in_dutch_and_stores_nothing(chain, store, name, given, field, message):
    case = at_zorg(chain)
    with unit_of_work(chain.factory) as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(ValidationFailed) as refused:
        add(chain, store, case, **given)
    assert message in refused.value.details[field]
    with unit_of_work(chain.factory) as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    assert not store.root.exists() or not any(p.is_file() for p in store.root.rglob("*"))


def test_a_transaction_that_rolls_back_after_the_upload_leaves_no_file_on_disk(chain, store):
    case = at_zorg(chain)
    with pytest.raises(RuntimeError), unit_of_work(chain.factory) as session:
        notes.add_note(session, actor=chain.person("af", "eersel"), now=chain.at(), instance_id=case, text="",
                       readers=["af"], upload=Upload("brief.pdf", file_samples.PDF), store=store, max_file_bytes=MAX)
        assert store.exists(PDF_HASH)
        raise RuntimeError("the request failed after the upload")
    assert not store.exists(PDF_HASH)
    with unit_of_work(chain.factory) as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0


def test_an_auditor_reads_but_never_adds(chain, store):
    case = at_zorg(chain)
    with pytest.raises(Forbidden):
        add(chain, store, case, who=("auditor", "eersel"))


def test_files_go_with_their_case_unless_another_case_still_holds_the_same_bytes(keten, rules, store):
    first, second = keten.report("eersel"), keten.report("eersel")
    for case in (first, second):
        keten.do(case, "verrijken", VERRIJKT)
        add(keten, store, case, readers=["af"], upload=Upload("aangifte.pdf", file_samples.PDF))
    add(keten, store, first, readers=["af"], upload=Upload("brief.txt", file_samples.TEXT))
    finish(keten, first)
    keten.at.advance(days=200)
    finish(keten, second)
    keten.at.advance(days=18 * 31 - 190)  # past the first case's 18 months, before the second's
    result = passes.destroy_expired(keten.factory, rules=rules, now=keten.at(), actor=Actor.system("planner"),
                                       trigger=retention.PLANNER, store=store)
    assert [r.instance_id for r in result.destroyed] == [first]
    text_hash = hashlib.sha256(file_samples.TEXT).hexdigest()
    with unit_of_work(keten.factory) as session:
        record = session.scalars(select(DestructionRecord).where(DestructionRecord.instance_id == first)).one()
        assert record.removed["notities_verwijderd"] == 3 - 1
        assert sorted(record.removed["bestanden"]) == sorted([
            f"{PDF_HASH} (PDF, {len(file_samples.PDF)} bytes)", f"{text_hash} (Tekst, {len(file_samples.TEXT)} bytes)"])
        assert session.scalars(select(CaseNote.instance_id)).all() == [second]
    assert not store.exists(text_hash)  # only the first case held it
    assert store.get(PDF_HASH) == file_samples.PDF  # the second case still holds the same PDF
    keten.at.advance(days=400)
    result = passes.destroy_expired(keten.factory, rules=rules, now=keten.at(), actor=Actor.system("planner"),
                                       trigger=retention.PLANNER, store=store)
    assert [r.instance_id for r in result.destroyed] == [second]
    assert not store.exists(PDF_HASH)


def test_a_case_with_files_is_not_destroyed_without_the_store_that_holds_them(keten, rules, store):
    case = keten.report("eersel")
    keten.do(case, "verrijken", VERRIJKT)
    add(keten, store, case, readers=["af"], upload=Upload("aangifte.pdf", file_samples.PDF))
    finish(keten, case)
    keten.at.advance(days=600)
    result = passes.destroy_expired(keten.factory, rules=rules, now=keten.at(), actor=Actor.system("planner"),
                                       trigger=retention.PLANNER)
    assert result.failed == [case] and not result.destroyed
    assert store.exists(PDF_HASH)


def test_the_auditor_reads_the_note_with_its_readers_and_hash_in_the_case_history(chain, store):
    case = at_zorg(chain)
    add(chain, store, case, upload=Upload("aangifte.pdf", file_samples.PDF))
    with unit_of_work(chain.factory) as session:
        history = audit_history.case_audit(session, actor=chain.person("auditor", "eersel"), now=chain.at(),
                                           instance_id=case)
    [entry] = [e for e in history.entries if e.event_type == EventType.NOTE_ADDED]
    assert entry.type_label == "Notitie of bestand toegevoegd"
    assert entry.sentence == ("af.eersel (Aandachtsfunctionaris, Gemeente Eersel) voegde een notitie met een "
                              "bestand toe aan de zaak")
    assert dict(entry.facts) == {
        "Mag lezen": "Aandachtsfunctionaris, Zorgcoördinator (en de auteur)",
        "Notitie": "Foto van de locatie ontvangen.",
        "Bestand": "aangifte.pdf", "Soort": "application/pdf", "Grootte": f"{len(file_samples.PDF)} bytes",
        "SHA-256": PDF_HASH}


def test_the_dossier_lists_each_file_with_its_hash(chain, store):
    case = at_zorg(chain)
    add(chain, store, case, text="Brief ontvangen.", readers=["af"], upload=Upload("brief.txt", file_samples.TEXT))
    with unit_of_work(chain.factory) as session:
        body = dossier.dossier_pdf(session, actor=chain.person("auditor", "eersel"), now=chain.at(), instance_id=case)
    text = pdf_text(body)
    assert "Notities en bestanden \\(1\\)" in text
    assert f"Bestand: brief.txt \\(Tekst, {len(file_samples.TEXT)} bytes\\)" in text
    assert f"SHA-256: {hashlib.sha256(file_samples.TEXT).hexdigest()}" in text
    assert "Mag lezen: Aandachtsfunctionaris \\(en de auteur\\)" in text
