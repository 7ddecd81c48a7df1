"""Moved from tests/services/test_deploy.py: shared by several test modules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.errors import ModelRejected
from engine.modelling import deployments
from engine.models import Deployment, ModelFile
from engine.workflow.bundle import SourceFile
from tests.support.base import START

BPMN_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="t">"""


def rejected(factory, world, forms, files: list[SourceFile]) -> list[dict]:
    with pytest.raises(ModelRejected) as caught:
        with unit_of_work(factory) as session:
            deployments.deploy(session, actor=world.regisseur, now=START, files=files, comment="", forms=forms)
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(Deployment)) == 0, "nothing may be stored"
        assert session.scalar(select(func.count()).select_from(ModelFile)) == 0
    return caught.value.details


HOSTILE = {
    "xxe": b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>""",
    "billion-laughs": b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&c;</bpmn:definitions>""",
    "oversize": BPMN_HEAD.encode() + b"<!--" + b"x" * (5 * 1024 * 1024) + b"-->",
    "deep-nesting": BPMN_HEAD.encode() + b"<a>" * 300 + b"</a>" * 300 + b"</bpmn:definitions>",
    "not-xml": b"\x89PNG\r\n\x1a\n binary",
    "wrong-root": b'<?xml version="1.0"?><html><body>hallo</body></html>',
}


def model(*, form: str = "test-verrijken.json", lane: str = "AF", timer: str = "werkdagen(5)",
          name: str = "Signaal verrijken") -> bytes:
    """A small model that passes every check: a task in a lane with a form, and a boundary timer."""
    return f"""{HEAD}
  <bpmn:process id="klein" name="Klein proces" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="{lane}"><bpmn:flowNodeRef>s</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>taak</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>te_laat</bpmn:flowNodeRef><bpmn:flowNodeRef>e2</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="taak" name="{name}">
      <bpmn:documentation>Seed 000, Bijlage 3 stap 2.</bpmn:documentation>
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="{form}" /></spiffworkflow:properties>
        <spiffworkflow:instructionsForEndUser>Verzamel de gegevens.</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="te_laat" attachedToRef="taak" cancelActivity="false">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="td"><bpmn:timeDate>{timer}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="taak" />
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="e" />
    <bpmn:sequenceFlow id="f3" sourceRef="te_laat" targetRef="e2" />
  </bpmn:process>
</bpmn:definitions>""".encode()


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


HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="t">"""


LIMIT = 5 * 1024 * 1024
