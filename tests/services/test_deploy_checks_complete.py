"""Deploy checks find everything at once, at the right element, in Dutch: one round of fixing, not one error per
upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.workflow.bundle import SourceFile, check_bundle
from engine.workflow.errors import ModelInvalid
from engine.workflow.xml_messages import FALLBACK, dutch_xml_error
from tests.support.modelling import BPMN_HEAD

LANE = ('<bpmn:laneSet id="ls"><bpmn:lane id="l" name="af"><bpmn:flowNodeRef>taak</bpmn:flowNodeRef>'
        '</bpmn:lane></bpmn:laneSet>')


def process(body: str) -> bytes:
    return f"""{BPMN_HEAD}
  <bpmn:process id="p" isExecutable="true">{LANE}
{body}
  </bpmn:process>
</bpmn:definitions>""".encode()


def problems_of(content: bytes, name: str = "p.bpmn") -> list[tuple[str | None, str]]:
    with pytest.raises(ModelInvalid) as caught:
        check_bundle([SourceFile(name, content)], form_exists=lambda _f: True)
    return [(p.element_id, p.message) for p in caught.value.problems]


EVERYTHING_WRONG = process("""
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="taak" name="Taak"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="te_laat" attachedToRef="taak" cancelActivity="false"><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition id="td"><bpmn:timeDate>werkdagen(</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="gw" name="Route?" default="f4"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="script" name="Rekenen"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:script>a = 1
b = import_niet(</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:startEvent id="los" name="Losse start" />
    <bpmn:manualTask id="doodlopend" name="Doodlopend"><bpmn:incoming>f7</bpmn:incoming></bpmn:manualTask>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="taak" />
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="gw" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="script">
      <bpmn:conditionExpression>route ==</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="e" />
    <bpmn:sequenceFlow id="f5" sourceRef="te_laat" targetRef="e" />
    <bpmn:sequenceFlow id="f6" sourceRef="script" targetRef="e" />
    <bpmn:sequenceFlow id="f7" sourceRef="s" targetRef="doodlopend" />""")


def test_one_check_reports_structure_expressions_timers_and_conditions_together():
    found = problems_of(EVERYTHING_WRONG)
    by_element = {element: message for element, message in found}
    assert by_element["f3"].startswith("Voorwaarde is ongeldig"), "the condition sits on its sequence flow"
    assert "gw" not in by_element, "not on the gateway"
    assert by_element["te_laat"].startswith("Timerexpressie is ongeldig")
    assert by_element["script"].startswith("Script is ongeldig (scriptregel 2)")
    assert by_element["los"].startswith("Startgebeurtenis is met niets verbonden")
    assert by_element["doodlopend"].startswith("Element 'Doodlopend' heeft geen uitgaande pijl")
    assert not [m for _e, m in found if "(regel" in m], "the XML line is the problem's own field, said once"


def test_a_process_that_loops_for_ever_without_an_end_is_refused():
    found = problems_of(process("""
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="taak" name="Taak"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="taak" />
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="taak" />"""))
    assert ("p", "Vanaf de start van het proces is geen eindgebeurtenis bereikbaar: een zaak kan nooit afronden") \
        in found


def test_a_missing_decision_does_not_hide_the_other_problems():
    found = problems_of(process("""
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="taak" name="Beslissen"><bpmn:extensionElements>
      <spiffworkflow:calledDecisionId>bestaat_niet</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming></bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="taak" />"""))
    messages = [m for _e, m in found]
    assert "Beslissing 'bestaat_niet' is niet gevonden" in messages
    assert any(m.startswith("Element 'Beslissen' heeft geen uitgaande pijl") for m in messages)


@pytest.mark.parametrize(("content", "dutch"), [
    (b"", "Geen geldige XML: het bestand is leeg"),
    (BPMN_HEAD.encode() + b"<bpmn:process id='p'>",
     "Geen geldige XML: het bestand houdt op midden in element 'process' (geopend op regel 3); "
     "het is afgebroken of onvolledig"),
    (b"geen xml", "Geen geldige XML: er staat geen XML in: het eerste element ('<…>') ontbreekt"),
])
def test_libxml2_messages_are_in_dutch(content, dutch):
    assert problems_of(content) == [(None, dutch)]


def test_every_libxml2_message_the_parser_gives_for_common_damage_has_a_dutch_text():
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    damaged = [b"<a>", b"<a></b>", b"<a/><b/>", b"<a>&</a>", b"<a>&x</a>", b"<a b=1/>", b"<a b='1' b='2'/>",
               b"<x:a/>", b"<a b='<'/>", b"<a>\x01</a>", b"<!-- x", b"<1/>", b"<a>&nbsp;</a>"]
    for content in damaged:
        with pytest.raises(etree.XMLSyntaxError) as caught:
            etree.fromstring(content, parser)
        assert dutch_xml_error(caught.value.msg) != FALLBACK, caught.value.msg


PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def shipped_models(**replaced: bytes) -> list[SourceFile]:
    return [SourceFile(p.name, replaced.get(p.name, p.read_bytes())) for p in sorted(PROCESSES.glob("*"))
            if p.suffix in (".bpmn", ".dmn")]


def test_a_decision_outcome_the_calling_gateway_does_not_know_is_reported_on_the_gateway():
    check_bundle(shipped_models(), form_exists=lambda _f: True)  # the shipped models route every outcome
    table = (PROCESSES / "routering.dmn").read_bytes().replace(b'"anoniem_consult"', b'"route_bestaat_niet"')
    with pytest.raises(ModelInvalid) as caught:
        check_bundle(shipped_models(**{"routering.dmn": table}), form_exists=lambda _f: True)
    assert [(p.file, p.element_id, p.message) for p in caught.value.problems] == [(
        "gedeeld_overdracht.bpmn", "welke_route",
        "Beslissing 'routering' kan 'route' = 'route_bestaat_niet' opleveren, maar gateway 'Welke route?' kent die "
        "waarde niet; hij kent: anoniem_consult, inspectie_en_zoco, locatie, politie_en_inspectie, politie_en_zoco")]
