"""Drafts in the modeller: saved on the server as untrusted XML, validated like a deploy, deployed only when clean."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.errors import Conflict, Forbidden, ModelRejected, ValidationFailed
from engine.modelling import deployments, drafts
from engine.models import AuditEvent, Deployment, ModelDraft, ProcessDefinition
from engine.workflow.bundle import SourceFile
from tests.support.base import START
from tests.support.chain import FORMS, MODEL_FILES, SYSTEM
from tests.support.modelling import (
    HEAD,  # noqa: F401
    HOSTILE,
    LIMIT,  # noqa: F401
    model,  # noqa: F401
)


def uploaded(factory, actor, content: bytes, filename: str = "klein.bpmn") -> int:
    with unit_of_work(factory) as session:
        return drafts.upload(session, actor=actor, now=START, filename=filename, content=content, max_bytes=LIMIT).id


def draft_row(factory, draft_id: int) -> ModelDraft:
    with unit_of_work(factory) as session:
        row = session.get(ModelDraft, draft_id)
        session.expunge(row)
        return row


def count(factory, table) -> int:
    with unit_of_work(factory) as session:
        return session.scalar(select(func.count()).select_from(table))


def test_a_draft_opened_from_a_version_holds_its_exact_bytes(factory, world, forms):
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=START, comment="eerste",
                           files=[SourceFile("klein.bpmn", model())], forms=forms)
    with unit_of_work(factory) as session:
        draft = drafts.open_version(session, actor=world.regisseur, now=START, process_id="klein", version=1,
                                    max_bytes=LIMIT)
        assert (draft.content, draft.process_id, draft.title, draft.revision) == (model(), "klein", "Klein proces", 1)
        assert draft.base_file_id is not None


def test_saving_bumps_the_revision_and_a_stale_revision_is_a_conflict(factory, world):
    draft_id = uploaded(factory, world.regisseur, model())
    with unit_of_work(factory) as session:
        saved = drafts.save(session, actor=world.regisseur, now=START, draft_id=draft_id,
                            content=model(name="Verrijken"), revision=1, max_bytes=LIMIT)
        assert saved.revision == 2
    with pytest.raises(Conflict):
        with unit_of_work(factory) as session:
            drafts.save(session, actor=world.regisseur, now=START, draft_id=draft_id, content=model(name="Ander"),
                        revision=1, max_bytes=LIMIT)
    assert b"Verrijken" in draft_row(factory, draft_id).content


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_save_is_refused_and_the_draft_keeps_its_content(factory, world, name):
    draft_id = uploaded(factory, world.regisseur, model())
    with pytest.raises(ModelRejected) as caught:
        with unit_of_work(factory) as session:
            drafts.save(session, actor=world.regisseur, now=START, draft_id=draft_id, content=HOSTILE[name],
                        revision=1, max_bytes=LIMIT)
    assert caught.value.details and all(p["message"] for p in caught.value.details)
    assert draft_row(factory, draft_id).content == model()


def test_an_upload_that_is_no_model_or_too_big_is_refused(factory, world):
    with pytest.raises(ValidationFailed):
        uploaded(factory, world.regisseur, model(), filename="script.py")
    with pytest.raises(ModelRejected):
        uploaded(factory, world.regisseur, b'<?xml version="1.0"?><html/>')
    with pytest.raises(ModelRejected) as caught:
        with unit_of_work(factory) as session:
            drafts.upload(session, actor=world.regisseur, now=START, filename="groot.bpmn", content=model(),
                          max_bytes=100)
    assert "groter dan" in caught.value.details[0]["message"]
    assert count(factory, ModelDraft) == 0


def test_validation_lists_problems_by_element_and_deploys_nothing(factory, world, forms):
    draft_id = uploaded(factory, world.regisseur, model(form="bestaat-niet.json", timer="werkdagen("))
    with unit_of_work(factory) as session:
        check = drafts.validate(session, actor=world.regisseur, now=START, draft_id=draft_id, forms=forms,
                                max_bytes=LIMIT)
    assert not check.ok
    by_element = {(p["element_id"], p["message"].split(":")[0]) for p in check.problems}
    assert ("taak", "Formulier 'bestaat-niet.json' bestaat niet in forms/") in by_element
    assert any(element == "te_laat" and "Timerexpressie" in message for element, message in by_element)
    assert all(p["file"] == "klein.bpmn" and p["line"] for p in check.problems)
    assert count(factory, Deployment) == 0
    row = draft_row(factory, draft_id)
    assert (row.check_ok, row.checked_sha256, len(row.problems)) == (False, row.sha256, len(check.problems))


def test_a_clean_draft_validates(factory, world, forms):
    draft_id = uploaded(factory, world.regisseur, model())
    with unit_of_work(factory) as session:
        check = drafts.validate(session, actor=world.regisseur, now=START, draft_id=draft_id, forms=forms,
                                max_bytes=LIMIT)
    assert (check.ok, check.problems, check.files) == (True, [], ["klein.bpmn"])


def test_validate_is_deploy_without_storing_plus_the_lint(factory, world, forms):
    """A lint problem (a user task in no known lane) blocks the modeller, though plain deploy accepts it."""
    content = model().replace(b'<bpmn:flowNodeRef>taak</bpmn:flowNodeRef>', b"")
    files = [SourceFile("klein.bpmn", content)]
    with unit_of_work(factory) as session:
        problems = deployments.validate(session, actor=world.regisseur, files=files, forms=forms)
    assert [(p.element_id, p.message) for p in problems] == [
        ("taak", "Gebruikerstaak staat in geen enkele lane (rol onbekend)")]
    assert count(factory, Deployment) == 0
    draft_id = uploaded(factory, world.regisseur, content)
    with pytest.raises(ModelRejected) as caught:
        with unit_of_work(factory) as session:
            drafts.deploy(session, actor=world.regisseur, now=START, draft_id=draft_id, revision=1,
                          comment="zonder lane", forms=forms, max_bytes=LIMIT)
    assert caught.value.details[0]["element_id"] == "taak"
    assert count(factory, Deployment) == 0


def test_a_draft_with_errors_cannot_be_deployed(factory, world, forms):
    draft_id = uploaded(factory, world.regisseur, model(timer="werkdagen("))
    with pytest.raises(ModelRejected):
        with unit_of_work(factory) as session:
            drafts.deploy(session, actor=world.regisseur, now=START, draft_id=draft_id, revision=1,
                          comment="kapot", forms=forms, max_bytes=LIMIT)
    assert count(factory, Deployment) == 0 and count(factory, ProcessDefinition) == 0


def test_deploying_needs_a_comment(factory, world, forms):
    draft_id = uploaded(factory, world.regisseur, model())
    with pytest.raises(ValidationFailed) as caught:
        with unit_of_work(factory) as session:
            drafts.deploy(session, actor=world.regisseur, now=START, draft_id=draft_id, revision=1, comment="  ",
                          forms=forms, max_bytes=LIMIT)
    assert "toelichting" in caught.value.details


def test_a_deployed_draft_is_a_new_audited_version_and_is_closed(factory, world, forms):
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=START, comment="eerste",
                           files=[SourceFile("klein.bpmn", model())], forms=forms)
    with unit_of_work(factory) as session:
        draft_id = drafts.open_version(session, actor=world.regisseur, now=START, process_id="klein", version=1,
                                       max_bytes=LIMIT).id
        drafts.save(session, actor=world.regisseur, now=START, draft_id=draft_id, content=model(timer="werkdagen(10)"),
                    revision=1, max_bytes=LIMIT)
        deployment = drafts.deploy(session, actor=world.regisseur, now=START, draft_id=draft_id, revision=2,
                                   comment="Termijn naar tien werkdagen", forms=forms, max_bytes=LIMIT)
        assert [(d.process_id, d.version) for d in deployment.definitions] == [("klein", 2)]
        [stored] = deployment.files
        assert b"werkdagen(10)" in stored.content
        event = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "process.deployed")
                                .order_by(AuditEvent.id.desc())).first()
        assert event.payload["comment"] == "Termijn naar tien werkdagen"
    row = draft_row(factory, draft_id)
    assert row.deployment_id == deployment.id
    with pytest.raises(Conflict):
        with unit_of_work(factory) as session:
            drafts.save(session, actor=world.regisseur, now=START, draft_id=draft_id, content=model(), revision=2,
                        max_bytes=LIMIT)


def test_only_procesregisseur_and_beheerder_work_on_drafts(factory, world, forms):
    draft_id = uploaded(factory, world.beheerder, model())
    for actor in (world.af, world.auditor, world.politie, world.melder):
        with pytest.raises(Forbidden):
            with unit_of_work(factory) as session:
                drafts.get(session, actor=actor, draft_id=draft_id)
        with pytest.raises(Forbidden):
            uploaded(factory, actor, model())
        with pytest.raises(Forbidden):
            with unit_of_work(factory) as session:
                drafts.validate(session, actor=actor, now=START, draft_id=draft_id, forms=forms, max_bytes=LIMIT)


def test_the_number_of_open_drafts_is_bounded(factory, world, monkeypatch):
    monkeypatch.setattr(drafts, "MAX_OPEN_DRAFTS", 2)
    uploaded(factory, world.regisseur, model())
    uploaded(factory, world.regisseur, model())
    with pytest.raises(Conflict):
        uploaded(factory, world.regisseur, model())


def test_a_new_empty_process_or_table_parses(factory, world):
    with unit_of_work(factory) as session:
        bpmn = drafts.create_empty(session, actor=world.regisseur, now=START, kind="bpmn", element_id="signaal_test",
                                   name="Signaal <test> & meer", max_bytes=LIMIT)
        dmn = drafts.create_empty(session, actor=world.regisseur, now=START, kind="dmn", element_id="route_test",
                                  name="Route", max_bytes=LIMIT)
        assert (bpmn.process_id, bpmn.title, bpmn.filename) == ("signaal_test", "Signaal <test> & meer",
                                                                "signaal_test.bpmn")
        assert (dmn.kind, dmn.filename) == ("dmn", "route_test.dmn")
    with pytest.raises(ValidationFailed):
        with unit_of_work(factory) as session:
            drafts.create_empty(session, actor=world.regisseur, now=START, kind="bpmn", element_id="1 fout",
                                name="", max_bytes=LIMIT)


def test_a_decision_table_deploys_with_the_processes_that_call_it(factory, world):
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=SYSTEM, now=START, comment="alle regio's", forms=FORMS,
                           files=[SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES])
        dmn = next(f for f in session.scalars(select(Deployment)).one().files if f.kind == "dmn")
        draft = drafts.open_file(session, actor=world.regisseur, now=START, file_id=dmn.id, max_bytes=LIMIT)
        changed = draft.content.replace(b'"politie_en_inspectie"</text></outputEntry>',
                                        b'"politie_en_inspectie" +</text></outputEntry>')
        drafts.save(session, actor=world.regisseur, now=START, draft_id=draft.id, content=changed, revision=1,
                    max_bytes=LIMIT)
        check = drafts.validate(session, actor=world.regisseur, now=START, draft_id=draft.id, forms=FORMS,
                                max_bytes=LIMIT)
        assert check.files == ["routering.dmn", "gedeeld_overdracht.bpmn"]
        assert [p["element_id"] for p in check.problems] == ["regel_dader_route"]
        drafts.save(session, actor=world.regisseur, now=START, draft_id=draft.id,
                    content=changed.replace(b" +</text>", b" </text>"), revision=2, max_bytes=LIMIT)
        deployment = drafts.deploy(session, actor=world.regisseur, now=START, draft_id=draft.id, revision=3,
                                   comment="Regel dader bijgewerkt", forms=FORMS, max_bytes=LIMIT)
        assert [(d.process_id, d.version) for d in deployment.definitions] == [("overdracht_partners", 2)]
