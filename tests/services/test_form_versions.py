"""Forms by version: a deployment keeps the forms its tasks use, so an old case keeps its form."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.errors import Forbidden, ValidationFailed
from engine.modelling import deployments, form_catalogue, form_editing
from engine.modelling.forms import FormRepository
from engine.models import AuditEvent, DeploymentForm, ProcessDefinition
from engine.workflow.bundle import SourceFile
from tests.support.base import FIXTURES, START
from tests.support.modelling import model

FORM = "test-verrijken.json"


@pytest.fixture
def own_forms(tmp_path) -> FormRepository:
    """A forms directory the test may change, as an administrator could change forms/ on disk."""
    directory = tmp_path / "forms"
    shutil.copytree(FIXTURES / "forms", directory)
    return FormRepository(directory)


def deploy(factory, actor, forms, comment="versie") -> int:
    with unit_of_work(factory) as session:
        deployment = deployments.deploy(session, actor=actor, now=START, comment=comment,
                                        files=[SourceFile("klein.bpmn", model())], forms=forms)
        return deployment.definitions[0].id


def edited(schema_text: str, title: str) -> str:
    schema = json.loads(schema_text)
    schema["properties"]["samenvatting"]["title"] = title
    return json.dumps(schema, ensure_ascii=False, indent=2)


def save(factory, actor, forms, text, comment="Betere labels", name=FORM):
    with unit_of_work(factory) as session:
        return form_editing.save_form(session, actor=actor, now=START, repository=forms, name=name, text=text,
                                       comment=comment).version


def test_a_deployment_stores_the_exact_form_its_tasks_use(factory, world, own_forms):
    definition_id = deploy(factory, world.regisseur, own_forms)
    raw = (own_forms.directory / FORM).read_bytes()
    with unit_of_work(factory) as session:
        [row] = session.scalars(select(DeploymentForm)).all()
        assert (row.name, row.content, row.form_version_id) == (FORM, raw, None)
        event = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "process.deployed"))
        assert event.payload["forms"] == [{"name": FORM, "sha256": row.sha256}]
        assert form_catalogue.form_for(session, definition_id, FORM) == json.loads(raw)


def test_an_old_case_keeps_its_form_when_the_form_changes_and_a_new_version_is_deployed(factory, world, own_forms):
    old = deploy(factory, world.regisseur, own_forms)
    text = (own_forms.directory / FORM).read_text()
    assert save(factory, world.regisseur, own_forms, edited(text, "Korte samenvatting")) == 1
    (own_forms.directory / FORM).write_text(edited(text, "Op schijf gewijzigd"))  # the file changes too
    new = deploy(factory, world.regisseur, own_forms)
    with unit_of_work(factory) as session:
        old_form = form_catalogue.form_for(session, old, FORM, fallback=own_forms)
        new_form = form_catalogue.form_for(session, new, FORM, fallback=own_forms)
        assert old_form["properties"]["samenvatting"]["title"] == "Samenvatting"
        assert new_form["properties"]["samenvatting"]["title"] == "Korte samenvatting"  # browser version wins
        assert form_catalogue.validate_for(session, old, FORM, {"vorm": "SU"}, fallback=own_forms) == {
            "samenvatting": "Dit veld is verplicht."}


def test_a_deployment_from_before_forms_were_stored_falls_back_to_forms_on_disk(factory, world, own_forms):
    definition_id = deploy(factory, world.regisseur, own_forms)
    with unit_of_work(factory) as session:
        for row in session.scalars(select(DeploymentForm)):
            session.delete(row)
    with unit_of_work(factory) as session:
        assert form_catalogue.form_for(session, definition_id, FORM) is None
        assert form_catalogue.form_for(session, definition_id, FORM, fallback=own_forms) == own_forms.load(FORM)
        assert session.get(ProcessDefinition, definition_id) is not None


@pytest.mark.parametrize(("text", "fragment"), [
    ("{ kapot", "Geen geldige JSON op regel 1"),
    ('{"type": "object", "properties": {"a": {"type": "tekst"}}}', "properties.a.type"),
    ('{"type": "object", "properties": {}}', "minstens één veld"),
    ("[1, 2]", "JSON-object"),
    ('{"type": "object", "properties": ' + '{"a": ' * 3000 + "1" + "}" * 3001, "dieper genest"),
])
def test_a_broken_schema_is_refused_in_dutch(factory, world, own_forms, text, fragment):
    with pytest.raises(ValidationFailed) as caught:
        save(factory, world.regisseur, own_forms, text)
    assert fragment in caught.value.details["schema"]


def test_saving_needs_a_comment_a_change_and_a_safe_name(factory, world, own_forms):
    text = (own_forms.directory / FORM).read_text()
    with pytest.raises(ValidationFailed) as caught:
        save(factory, world.regisseur, own_forms, edited(text, "Nieuw"), comment=" ")
    assert "toelichting" in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        save(factory, world.regisseur, own_forms, text)
    assert caught.value.details["schema"] == "Het formulier is niet gewijzigd."
    with pytest.raises(ValidationFailed) as caught:
        save(factory, world.regisseur, own_forms, text, name="../geheim.json")
    assert "naam" in caught.value.details


def test_a_saved_form_version_is_audited_and_only_deployers_may_save(factory, world, own_forms):
    text = (own_forms.directory / FORM).read_text()
    save(factory, world.beheerder, own_forms, edited(text, "Samenvatting van het signaal"))
    with unit_of_work(factory) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "form.saved"))
        assert (event.payload["name"], event.payload["version"]) == (FORM, 1)
    with pytest.raises(Forbidden):
        save(factory, world.af, own_forms, edited(text, "Iets anders"))


def test_a_form_made_in_the_browser_can_be_used_by_a_model(factory, world, own_forms):
    schema = {"title": "Nieuw", "type": "object", "properties": {"x": {"type": "string", "title": "X"}}}
    with unit_of_work(factory) as session:
        form_editing.save_form(session, actor=world.regisseur, now=START, repository=own_forms, name="nieuw.json",
                                text=json.dumps(schema), comment="Nieuw formulier", new=True)
    with unit_of_work(factory) as session:
        deployment = deployments.deploy(session, actor=world.regisseur, now=START, comment="met nieuw formulier",
                                        files=[SourceFile("klein.bpmn", model(form="nieuw.json"))], forms=own_forms)
        assert form_catalogue.form_for(session, deployment.definitions[0].id, "nieuw.json") == schema
