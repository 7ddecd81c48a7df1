"""Real broken BPMN/DMN models and the Dutch a procesregisseur must read when deploying them.

Each model is one small mistake; ``BROKEN`` says which element the refusal points at and which
Dutch words it must contain. Shared by the service, API and editor tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.workflow.bundle import SourceFile

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="t">
"""
_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dd" name="dd" namespace="t">
{body}
</definitions>"""
START, END = '<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="einde"/>'

# English that SpiffWorkflow or libxml2 would show; none of it may reach the modeller.
ENGLISH = ("found", "must", "missing", "expected", "Element '", "{http", "Error", "not ", "allowed", "Multiple",
           "supported", "attribute", "Time Specification", "TypeError", "IndexError")


def flow(flow_id: str, source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def process(*elements: str) -> bytes:
    """One executable process "p"; every element on its own line so lines point somewhere."""
    body = "\n".join(elements)
    return (f'{_HEAD}<bpmn:process id="p" isExecutable="true">\n{body}\n</bpmn:process>\n'
            '</bpmn:definitions>').encode()


def between(element: str, element_id: str) -> bytes:
    """``element`` wired from the start to the end event."""
    return process(START, element, END, flow("f1", "start", element_id), flow("f2", element_id, "einde"))


def decision(table: str) -> bytes:
    return _DMN.format(body=f'<decision id="beslis" name="Beslis">\n{table}\n</decision>').encode()


def table(*, hit_policy: str = "UNIQUE", output: str = '"RIEC"') -> str:
    return (f'<decisionTable id="tabel" hitPolicy="{hit_policy}">\n'
            '<input id="in"><inputExpression id="in_expr" typeRef="string"><text>vorm</text>'
            '</inputExpression></input>\n'
            '<output id="uit" name="partner" typeRef="string"/>\n'
            '<rule id="regel"><inputEntry id="regel_in"><text>"AU"</text></inputEntry>\n'
            f'<outputEntry id="regel_uit"><text>{output}</text></outputEntry></rule>\n</decisionTable>')


RULE_TASK = between('<bpmn:businessRuleTask id="regels"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
                    'beslis</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>',
                    "regels")


@dataclass(frozen=True)
class Broken:
    files: list[SourceFile]
    element_id: str | None  # where the refusal points (None: the file as a whole)
    dutch: str              # words the message must contain


def _bpmn(content: bytes) -> list[SourceFile]:
    return [SourceFile("fout.bpmn", content)]


def _with_dmn(content: bytes) -> list[SourceFile]:
    return [SourceFile("regels.bpmn", RULE_TASK), SourceFile("fout.dmn", content)]


BROKEN: dict[str, Broken] = {
    "missing-start-event": Broken(_bpmn(process('<bpmn:task id="t"/>', END, flow("f1", "t", "einde"))),
                                  "p", "Het proces heeft geen startgebeurtenis"),
    "unknown-call-activity": Broken(_bpmn(between('<bpmn:callActivity id="aanroep" calledElement="bestaat_niet"/>',
                                                  "aanroep")), None,
                                    "Aangeroepen proces 'bestaat_niet' is niet gevonden"),
    "call-activity-without-process": Broken(_bpmn(between('<bpmn:callActivity id="aanroep"/>', "aanroep")),
                                            "aanroep", "noemt geen proces om aan te roepen"),
    "duplicate-id": Broken(_bpmn(between('<bpmn:task id="start"/>', "start")), None,
                           "Id 'start' van bpmn:task is ongeldig of komt dubbel voor"),
    "sequence-flow-to-nowhere": Broken(_bpmn(process(START, END, flow("f1", "start", "nergens"))), "start",
                                       "wijst naar 'nergens', maar dat element bestaat niet"),
    "timer-without-time": Broken(_bpmn(between('<bpmn:intermediateCatchEvent id="wacht"><bpmn:timerEventDefinition '
                                               'id="td"/></bpmn:intermediateCatchEvent>', "wacht")),
                                 "wacht", "Deze timer heeft geen tijd"),
    "undefined-signal": Broken(_bpmn(between('<bpmn:intermediateCatchEvent id="wacht"><bpmn:signalEventDefinition '
                                             'id="sd" signalRef="onbekend"/></bpmn:intermediateCatchEvent>', "wacht")),
                               "wacht", "verwijst naar een bericht, signaal, fout of escalatie die niet in het model"),
    "gateway-flow-without-condition": Broken(_bpmn(process(
        START, '<bpmn:exclusiveGateway id="keuze" default="f2"/>', '<bpmn:task id="t"/>', END,
        flow("f1", "start", "keuze"), flow("f2", "keuze", "einde"), flow("f3", "keuze", "t"),
        flow("f4", "t", "einde"))),
        "f3", "heeft geen voorwaarde en is niet het standaardpad"),
    "task-with-two-outgoing-flows": Broken(_bpmn(process(
        START, '<bpmn:task id="t"/>', '<bpmn:task id="t2"/>', END, flow("f1", "start", "t"), flow("f2", "t", "einde"),
        flow("f3", "t", "t2"), flow("f4", "t2", "einde"))), "t", "mag maar één uitgaande volgstroom hebben"),
    "subprocess-without-start": Broken(_bpmn(between('<bpmn:subProcess id="sub"><bpmn:endEvent id="sub_einde"/>'
                                                     '</bpmn:subProcess>', "sub")),
                                       "sub", "precies één startgebeurtenis hebben; er zijn er 0"),
    "loop-without-maximum": Broken(_bpmn(between('<bpmn:task id="lus"><bpmn:standardLoopCharacteristics/>'
                                                 '</bpmn:task>', "lus")), "lus", "loopMaximum"),
    "unknown-element": Broken(_bpmn(process(START, '<bpmn:klus id="x"/>', END, flow("f1", "start", "einde"))), None,
                              "bpmn:klus mag hier niet staan"),
    "unknown-attribute": Broken(_bpmn(between('<bpmn:task id="t" kleur="rood"/>', "t")), None,
                                "Attribuut 'kleur' is niet toegestaan op bpmn:task"),
    "bad-dmn-hit-policy": Broken(_with_dmn(decision(table(hit_policy="SOMS")),), None,
                                 "Waarde 'SOMS' van attribuut 'hitPolicy' op dmn:decisionTable is niet toegestaan; "
                                 "kies uit: UNIQUE, FIRST"),
    "bad-dmn-output": Broken(_with_dmn(decision(table(output='"RIEC" +'))), "regel_uit",
                             "Uitvoer van beslistabel '\"RIEC\" +' is geen geldige expressie"),
    "dmn-without-decision": Broken(_with_dmn(_DMN.format(body="").encode()), None,
                                   "Het DMN-bestand bevat geen beslissing"),
    "dmn-decision-without-table": Broken(_with_dmn(decision("")), "beslis", "heeft geen beslistabel"),
}
