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
from tests.conftest import MODELS, START
from tests.services.helpers import ready, start

CAMUNDA_MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:modeler="http://camunda.org/schema/modeler/1.0" modeler:executionPlatform="Camunda Platform"
    id="D" targetNamespace="t">
  <bpmn:process id="uit_camunda" name="Uit Camunda" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="af"><bpmn:flowNodeRef>taak</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="script" name="Voorbereiden" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>print("voorbereiden voor", vorm)
voorbereid = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:businessRuleTask id="beslissen" name="Partner bepalen">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>partner_per_vorm</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="taak" name="Beoordelen" camunda:assignee="demo" camunda:candidateGroups="af">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="demo" />
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="test-verrijken.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="script" />
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="beslissen" />
    <bpmn:sequenceFlow id="f3" sourceRef="beslissen" targetRef="taak" />
    <bpmn:sequenceFlow id="f4" sourceRef="taak" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


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
