"""Deploying models: immutable versions, every problem located, hostile XML refused, nothing half-stored."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.errors import Forbidden
from engine.modelling import deployments
from engine.models import AuditEvent, Deployment, ProcessDefinition
from engine.workflow.bundle import SourceFile
from tests.support.base import MODELS, START
from tests.support.helpers import deploy
from tests.support.modelling import BPMN_HEAD, HOSTILE, rejected  # noqa: F401


def one_task_process(*, lane: str = "af", task_extra: str = "", after: str = "") -> bytes:
    """A one-task process; ``after`` is an element with id "x" wired in between the task and the end."""
    target = "x" if after else "e"
    wiring = ('<bpmn:sequenceFlow id="f3" sourceRef="x" targetRef="e" />' if after else "")
    return f"""{BPMN_HEAD}
  <bpmn:process id="p" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="{lane}"><bpmn:flowNodeRef>taak</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="taak" name="Taak">{task_extra}<bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    {after}
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="taak" />
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="{target}" />
    {wiring}
  </bpmn:process>
</bpmn:definitions>""".encode()


def test_a_valid_deployment_stores_the_exact_bytes_with_their_hash_author_and_comment(factory, world, forms):
    deployment_id = deploy(factory, world.regisseur, START, forms, "drie_taken.bpmn", comment="Eerste versie")
    raw = (MODELS / "drie_taken.bpmn").read_bytes()
    with unit_of_work(factory) as session:
        deployment = session.get(Deployment, deployment_id)
        assert deployment.comment == "Eerste versie"
        assert deployment.deployed_by_id == world.regisseur.user_id
        assert deployment.deployed_at == START
        [stored] = deployment.files
        assert stored.content == raw
        assert stored.sha256 == hashlib.sha256(raw).hexdigest()
        [definition] = deployment.definitions
        assert (definition.process_id, definition.version, definition.name) == ("drie_taken", 1, "Drie taken")
        event = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "process.deployed"))
        assert event.payload["deployment_id"] == deployment_id


def test_deploying_again_makes_a_new_version_and_keeps_the_old_one(factory, world, forms):
    deploy(factory, world.regisseur, START, forms, "drie_taken.bpmn")
    deploy(factory, world.regisseur, START, forms, "drie_taken.bpmn")
    with unit_of_work(factory) as session:
        versions = session.scalars(select(ProcessDefinition.version).order_by(ProcessDefinition.version)).all()
        assert versions == [1, 2]


def test_only_procesregisseur_or_beheerder_may_deploy(factory, world, forms):
    with pytest.raises(Forbidden):
        with unit_of_work(factory) as session:
            deployments.deploy(session, actor=world.af, now=START, comment="",
                               files=[SourceFile("a.bpmn", one_task_process())], forms=forms)


def test_a_call_activity_to_an_earlier_deployment_is_resolved_and_copied_in(factory, world, forms):
    deploy(factory, world.regisseur, START, forms, "riec_opschaling.bpmn")
    deployment_id = deploy(factory, world.regisseur, START, forms, "parallel_sub.bpmn")
    with unit_of_work(factory) as session:
        files = session.get(Deployment, deployment_id).files
        assert sorted(f.filename for f in files) == ["parallel_sub.bpmn", "riec_opschaling.bpmn"]
        assert [f.included_from_id for f in files if f.filename == "riec_opschaling.bpmn"] == [1]


@pytest.mark.parametrize(
    ("content", "expected_element", "expected_text"),
    [
        (one_task_process(lane="Bakkers"), "l", "Lane 'Bakkers' noemt geen bekende rol"),  # on the lane
        (one_task_process(task_extra='<bpmn:extensionElements><spiffworkflow:properties>'
                          '<spiffworkflow:property name="formJsonSchemaFilename" value="bestaat-niet.json"/>'
                          '</spiffworkflow:properties></bpmn:extensionElements>'),
         "taak", "Formulier 'bestaat-niet.json' bestaat niet"),
        (one_task_process(after='<bpmn:scriptTask id="x"><bpmn:script>__import__("os")</bpmn:script>'
                          '</bpmn:scriptTask>'), "x", "Script is ongeldig"),
        (one_task_process(after='<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition>'
                          '<bpmn:timeDuration>"drie dagen"</bpmn:timeDuration></bpmn:timerEventDefinition>'
                          '</bpmn:intermediateCatchEvent>'), "x", "geen geldige ISO 8601"),
        (one_task_process(after='<bpmn:exclusiveGateway id="x" default="f3"/><bpmn:sequenceFlow id="f4" '
                          'sourceRef="x" targetRef="e"><bpmn:conditionExpression>vorm ==</bpmn:conditionExpression>'
                          '</bpmn:sequenceFlow>'), "f4", "Voorwaarde is ongeldig"),  # on its flow
    ],
    ids=["unknown-lane", "missing-form", "script-escape", "bad-timer", "bad-condition"],
)
def test_an_invalid_model_is_refused_with_file_line_and_element(factory, world, forms, content,
                                                                 expected_element, expected_text):
    details = rejected(factory, world, forms, [SourceFile("fout.bpmn", content)])
    assert details, "a refusal lists its problems"
    assert all(d["file"] == "fout.bpmn" for d in details if d["file"])
    if expected_element:
        matching = [d for d in details if d["element_id"] == expected_element and expected_text in d["message"]]
        assert matching, details
        assert isinstance(matching[0]["line"], int) and matching[0]["line"] > 1


def test_an_unknown_role_is_reported_once_on_the_lane_not_on_every_task(factory, world, forms):
    content = one_task_process(lane="Bakkers", after='<bpmn:exclusiveGateway id="x" /><bpmn:userTask id="taak2" />'
                               ).replace(
        b"<bpmn:flowNodeRef>taak</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>taak</bpmn:flowNodeRef><bpmn:flowNodeRef>taak2</bpmn:flowNodeRef>").replace(
        b'<bpmn:sequenceFlow id="f3" sourceRef="x" targetRef="e" />',
        b'<bpmn:sequenceFlow id="f3" sourceRef="x" targetRef="taak2" />'
        b'<bpmn:sequenceFlow id="f4" sourceRef="taak2" targetRef="e" />')
    details = rejected(factory, world, forms, [SourceFile("fout.bpmn", content)])
    lanes = [d for d in details if "noemt geen bekende rol" in d["message"]]
    assert [(d["element_id"], d["message"]) for d in lanes] == [("l", "Lane 'Bakkers' noemt geen bekende rol")]


def test_broken_xml_is_refused_with_its_line_number(factory, world, forms):
    content = one_task_process().replace(b"<bpmn:endEvent", b"<bpmn:endEvent <<", 1)
    [problem] = rejected(factory, world, forms, [SourceFile("kapot.bpmn", content)])
    assert problem["file"] == "kapot.bpmn"
    broken_line = next(n for n, line in enumerate(content.splitlines(), 1) if b"<<" in line)
    assert problem["line"] == broken_line
    assert problem["message"].startswith("Geen geldige XML")


def test_a_call_to_an_unknown_process_is_refused(factory, world, forms):
    details = rejected(factory, world, forms, [SourceFile("p.bpmn", (MODELS / "parallel_sub.bpmn").read_bytes())])
    assert any("riec_opschaling" in d["message"] for d in details)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused_with_a_dutch_reason(factory, world, forms, name):
    details = rejected(factory, world, forms, [SourceFile("aanval.bpmn", HOSTILE[name])])
    assert details and all(d["message"] for d in details)
    assert "passwd" not in str(details) and "root:" not in str(details)


def test_other_file_types_and_duplicate_names_are_refused(factory, world, forms):
    details = rejected(factory, world, forms, [SourceFile("script.py", b"print(1)"),
                                               SourceFile("a.bpmn", one_task_process()),
                                               SourceFile("a.bpmn", one_task_process())])
    messages = " ".join(d["message"] for d in details)
    assert ".bpmn" in messages and "dubbel" in messages
