"""Model checks for every file in processes/: it deploys, and the stricter checks pass."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.cases.region_context import case_context
from engine.modelling.forms import FormRepository
from engine.regions.regions import load_regions
from engine.workflow.bundle import SourceFile, check_bundle
from engine.workflow.clock import frozen_at
from engine.workflow.errors import ModelInvalid
from engine.workflow.lint import lint_files
from engine.workflow.script_engine import SandboxScriptEngine
from engine.workflow.xml import parse_untrusted_xml

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = sorted(p for p in (ROOT / "processes").rglob("*") if p.suffix in {".bpmn", ".dmn"})
FORMS = FormRepository(ROOT / "forms")
REGIONS = load_regions(ROOT / "processes" / "regions")


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


# --- traceability (every rule cites its source) and timers of the real schemas --------------------------------
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
# A citation names the document and its part: "001 Bijlage 2.1", "004 §2.4", "000 Stroomschema 1", or "Bron 002"
# (models of the first release say "Seed 002": the documents were called seeds then).
SEED = re.compile(r"\b(00[0-4]) (§|Bijlage|H\d|Stroomschema)|(?:[Ss]eed|[Bb]ron) (00[0-4])")
RULE_ELEMENTS = ("userTask", "businessRuleTask", "callActivity", "boundaryEvent")
README = (ROOT / "processes" / "README.md").read_text(encoding="utf-8")


def rule_elements(path: Path):
    """Every element that implements a rule: tasks, decisions, calls, timers and deciding gateways."""
    root = parse_untrusted_xml(path.read_bytes(), path.name, 5 * 1024 * 1024)
    conditional = {f.get("sourceRef") for f in root.iter(f"{BPMN}sequenceFlow")
                   if f.find(f"{BPMN}conditionExpression") is not None}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.removeprefix(BPMN)
        if local in RULE_ELEMENTS or (local == "exclusiveGateway" and element.get("id") in conditional):
            yield element


@pytest.mark.parametrize("path", [p for p in MODEL_FILES if p.suffix == ".bpmn"], ids=lambda p: p.name)
def test_every_rule_names_its_seed_and_is_listed_in_the_processes_readme(path):
    missing_source, missing_readme = [], []
    for element in rule_elements(path):
        doc = element.find(f"{BPMN}documentation")
        if doc is None or not SEED.search(doc.text or ""):
            missing_source.append(element.get("id"))
        if f"| `{path.name}` | `{element.get('id')}` |" not in README:
            missing_readme.append(element.get("id"))
    assert missing_source == [], "documentation must name the source document (docs/bronnen/) and its part"
    assert missing_readme == [], "processes/README.md lists every rule and where it lives"


def test_every_decision_rule_names_its_seed():
    for path in [p for p in MODEL_FILES if p.suffix == ".dmn"]:
        root = parse_untrusted_xml(path.read_bytes(), path.name, 5 * 1024 * 1024)
        for rule in root.iter(f"{DMN}rule"):
            description = rule.find(f"{DMN}description")
            assert description is not None and SEED.search(description.text or ""), rule.get("id")
            assert f"| `{path.name}` | `{rule.get('id')}` |" in README


@pytest.mark.parametrize("region", sorted(REGIONS), ids=str)
def test_every_timer_expression_evaluates_to_a_moment_for_every_region(region):
    context = case_context(REGIONS[region], REGIONS[region].gemeenten[0])
    expressions = {}
    for path in [p for p in MODEL_FILES if p.suffix == ".bpmn"]:
        root = parse_untrusted_xml(path.read_bytes(), path.name, 5 * 1024 * 1024)
        for definition in root.iter(f"{BPMN}timerEventDefinition"):
            for child in definition:
                expressions[f"{path.name}:{definition.get('id')}"] = (child.tag.removeprefix(BPMN), child.text)
    assert expressions
    engine = SandboxScriptEngine()
    with frozen_at(datetime(2026, 12, 24, 9, 0, tzinfo=UTC)):
        for where, (kind, expression) in expressions.items():
            value = engine.environment.evaluate(expression, dict(context))
            assert kind == "timeDate", f"{where}: a term in working days is a moment"
            due = datetime.fromisoformat(value)
            assert due > datetime(2026, 12, 28, tzinfo=UTC), f"{where}: Christmas and the weekend do not count"


def test_a_date_helper_in_a_duration_timer_is_refused_at_deploy():
    model = (ROOT / "processes" / "gedeeld_zorg.bpmn").read_bytes().replace(b"timeDate>", b"timeDuration>")
    with pytest.raises(ModelInvalid) as refused:
        check_bundle([SourceFile("zorg.bpmn", model)], form_exists=FORMS.exists)
    assert "gebruik een datum-timer" in str(refused.value)


@pytest.mark.parametrize("path", [p for p in MODEL_FILES if p.suffix == ".bpmn"], ids=lambda p: p.name)
def test_every_user_task_tells_its_holder_what_to_do(path):
    root = parse_untrusted_xml(path.read_bytes(), path.name, 5 * 1024 * 1024)
    spiff = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
    for task in root.iter(f"{BPMN}userTask"):
        instructions = task.find(f"{BPMN}extensionElements/{spiff}instructionsForEndUser")
        assert instructions is not None and len((instructions.text or "").strip()) >= 40, task.get("id")
        for placeholder in re.findall(r"\{\{\s*([^}]*?)\s*\}\}", instructions.text or ""):
            assert placeholder.startswith("regio."), f"{task.get('id')}: only region facts fill instructions"
