"""Models written with other tools deploy and run: a region may bring models drawn in Camunda Modeler or SpiffArena.

SpiffArena scripts print; Camunda and Flowable save ``*.bpmn20.xml``, Signavio plain ``*.xml``; Camunda
and Zeebe models carry settings of their own engine. BPMN or DMN is decided by the root element, the
foreign settings are reported as warnings ("wordt genegeerd") and never block the deploy.
"""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.errors import ModelRejected
from engine.modelling import deployments, drafts
from engine.models import Case, ModelFile
from engine.workflow.bundle import NOT_A_MODEL, SourceFile
from tests.support.base import MODELS, START
from tests.support.helpers import ready, start
from tests.support.modelling import CAMUNDA_MODEL  # noqa: F401


def files() -> list[SourceFile]:
    return [SourceFile("uit_camunda.bpmn20.xml", CAMUNDA_MODEL),
            SourceFile("partner.xml", (MODELS / "partner_per_vorm.dmn").read_bytes())]


def test_a_camunda_model_named_bpmn20_xml_with_a_dmn_named_xml_deploys_and_runs(factory, world, forms):
    with unit_of_work(factory) as session:
        deployment = deployments.deploy(session, actor=world.regisseur, now=START, files=files(), comment="import",
                                        forms=forms)
        stored = {f.filename: f.kind for f in session.query(ModelFile).filter_by(deployment_id=deployment.id)}
    assert stored == {"uit_camunda.bpmn20.xml": "bpmn", "partner.xml": "dmn"}, "kind from the root element"
    case = start(factory, world.af, START, "uit_camunda", {"vorm": "AU"})
    with unit_of_work(factory) as session:
        instance = session.get(Case, case)
        assert instance.status == "active"
    assert list(ready(factory, case)) == ["taak"], "the printing script ran and the decision was taken"


def test_foreign_engine_settings_are_warnings_that_name_what_is_ignored():
    warnings = [w.message for w in deployments.warnings(files())]
    assert "Camunda-instelling 'assignee' op 'Beoordelen' wordt genegeerd: Signaalroute leest alleen BPMN en de " \
           "eigen eigenschappen (lane, formulier, instructies)" in warnings
    assert any("'candidateGroups' op 'Beoordelen' wordt genegeerd" in w for w in warnings)
    assert any("'historyTimeToLive' op 'Uit Camunda' wordt genegeerd" in w for w in warnings)
    assert "Zeebe-instelling 'assignmentDefinition' bij 'Beoordelen' wordt genegeerd" in warnings
    assert not any("executionPlatform" in w for w in warnings), "the modeler's own bookkeeping changes nothing"
    assert len(warnings) == 4


def test_an_xml_file_that_is_neither_bpmn_nor_dmn_is_refused_by_its_root(factory, world, forms):
    with pytest.raises(ModelRejected) as caught:
        with unit_of_work(factory) as session:
            deployments.deploy(session, actor=world.regisseur, now=START, comment="", forms=forms,
                               files=[SourceFile("iets.xml", b"<?xml version='1.0'?><html><body/></html>")])
    assert [p["message"] for p in caught.value.details] == [NOT_A_MODEL]


def test_a_bpmn20_xml_upload_opens_as_a_bpmn_draft_and_its_check_lists_the_warnings(factory, world, forms):
    with unit_of_work(factory) as session:
        draft = drafts.upload(session, actor=world.regisseur, now=START, filename="uit_camunda.bpmn20.xml",
                              content=CAMUNDA_MODEL, max_bytes=5 * 1024 * 1024)
        assert draft.kind == "bpmn" and draft.process_id == "uit_camunda"
        check = drafts.validate(session, actor=world.regisseur, now=START, draft_id=draft.id, forms=forms,
                                max_bytes=5 * 1024 * 1024)
    assert len(check.warnings) == 4
    assert all("wordt genegeerd" in w["message"] for w in check.warnings)
    assert not any("wordt genegeerd" in p["message"] for p in check.problems), "warnings never block"
