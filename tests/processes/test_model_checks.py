"""Model checks for every file in processes/: it deploys, and the stricter checks pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.forms import FormRepository
from engine.workflow.bundle import SourceFile, check_bundle
from engine.workflow.lint import lint_files
from engine.workflow.xml import parse_untrusted_xml

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = sorted(p for p in (ROOT / "processes").rglob("*") if p.suffix in {".bpmn", ".dmn"})
FORMS = FormRepository(ROOT / "forms")


def parsed(name: str, content: bytes):
    return [(name, parse_untrusted_xml(content, name, 5 * 1024 * 1024))]


def test_there_are_models_to_check():
    assert MODEL_FILES, "processes/ holds the executable schemas"


def test_all_models_in_processes_deploy_together():
    bundle = check_bundle([SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES], form_exists=FORMS.exists)
    assert bundle.executable_process_ids


@pytest.mark.parametrize("path", [p for p in MODEL_FILES if p.suffix == ".bpmn"], ids=lambda p: p.name)
def test_every_model_passes_the_strict_checks(path):
    assert lint_files(parsed(path.name, path.read_bytes()), strict=True) == []


def test_every_form_in_forms_is_a_valid_json_schema():
    names = sorted(p.name for p in (ROOT / "forms").glob("*.json"))
    assert names
    for name in names:
        assert FORMS.load(name)["type"] == "object"


BROKEN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="keuze"><bpmn:incoming>f1</bpmn:incoming></bpmn:exclusiveGateway>
    <bpmn:userTask id="a" name="A" />
    <bpmn:userTask id="b" name="B" />
    <bpmn:userTask id="wees" name="Nergens vandaan" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="keuze" />
    <bpmn:sequenceFlow id="fa" sourceRef="keuze" targetRef="a">
      <bpmn:conditionExpression>x</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fb" sourceRef="keuze" targetRef="b">
      <bpmn:conditionExpression>not x</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="e" />
    <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_the_checks_find_unreachable_elements_stuck_gateways_and_tasks_without_lane_or_form():
    problems = lint_files(parsed("kapot.bpmn", BROKEN), strict=True)
    found = {(p.element_id, p.message) for p in problems}
    assert ("wees", "Element is onbereikbaar vanaf een startgebeurtenis") in found
    assert ("keuze", "Exclusieve gateway zonder standaardpad: een zaak kan hier vastlopen") in found
    assert ("a", "Gebruikerstaak staat in geen enkele lane (rol onbekend)") in found
    assert ("b", "Gebruikerstaak heeft geen formulier") in found
    assert all(p.file == "kapot.bpmn" and p.line for p in problems)
    assert {p.element_id for p in lint_files(parsed("kapot.bpmn", BROKEN), strict=False)} == {"wees", "keuze"}
