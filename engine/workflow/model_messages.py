"""SpiffWorkflow's parser and schema messages in the Dutch a procesregisseur reads on deploy.

SpiffWorkflow 3.2 reports a broken model in English: its own parser messages
(``bpmn/parser``, ``spiff/parser``, ``dmn/parser``), libxml2's XML Schema messages passed through
its validator, and any other exception its task parser wraps as ``repr(exc)``. Each pattern below
names the source it was read from; names and ids from the model stay in the Dutch text, so the
modeller can find what is meant. A message no pattern knows is passed on unchanged and logged once,
by fingerprint only: the text may quote the model, which stays out of the log.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

logger = logging.getLogger(__name__)

_PREFIXES = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "dmn",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "dmn",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "dmn",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "dmn",
}
_QUALIFIED = re.compile(r"\{([^{}\s]+)\}([\w.-]+)")

Template = str | Callable[[re.Match[str]], str]


def _choices(text: str) -> str:
    """``{'A', 'B'}`` or ``( a, b )`` as ``A, B``."""
    return ", ".join(part.strip(" '") for part in text.strip("{}() ").split(",") if part.strip(" '"))


def _subprocess_starts(match: re.Match[str]) -> str:
    found = match["found"]
    return f"Een subproces moet precies één startgebeurtenis hebben; er zijn er {found}"


# (pattern, Dutch template); a template is str.format-ed with the pattern's named groups.
# A pattern matches the whole message, stripped of the blank SpiffWorkflow's str() may leave at its end.
_RULES: list[tuple[str, Template]] = [
    # bpmn/parser/ProcessParser.py
    (r"No start event found", "Het proces heeft geen startgebeurtenis"),
    (r"Process (?P<id>.+) is not executable\.",
     "Proces '{id}' is niet uitvoerbaar: zet isExecutable=\"true\""),
    (r"There is no support implemented for this task type\.", "Dit soort element wordt niet ondersteund"),
    (r"Could not find messageRef from message event definition: (?P<id>.*)",
     "Berichtgebeurtenis '{id}' verwijst naar een bericht dat niet in het model staat"),
    (r"Sequential ordering for ad hoc subprocesses not supported",
     "Een ad-hocsubproces met vaste volgorde (ordering=\"Sequential\") wordt niet ondersteund"),
    (r"Ad hoc subprocesses may not contain start or end events",
     "Een ad-hocsubproces mag geen start- of eindgebeurtenis bevatten"),
    # bpmn/parser/BpmnParser.py
    (r"Duplicate process ID: (?P<id>.*)", "Proces-id '{id}' komt dubbel voor"),
    (r"The process '(?P<id>.*)' was not found\. Did you mean one of the following: (?P<ids>.*)\?",
     "Proces '{id}' is niet gevonden; wel aanwezig: {ids}"),
    (r"Message identifier is missing from bpmn xml", "Een bericht (bpmn:message) heeft geen id"),
    (r"Signal identifier is missing from bpmn xml", "Een signaal (bpmn:signal) heeft geen id"),
    (r"Error identifier is missing from bpmn xml", "Een fout (bpmn:error) heeft geen id"),
    (r"Escalation identifier is missing from bpmn xml", "Een escalatie (bpmn:escalation) heeft geen id"),
    (r"Correlation identifier is missing from bpmn xml",
     "Een correlatie-eigenschap (bpmn:correlationProperty) heeft geen id"),
    (r"Correlation is missing correlation property retrieval expressions: (?P<id>.*)",
     "Correlatie-eigenschap '{id}' heeft geen expressie om de waarde uit een bericht te halen"),
    (r"Message identifier is missing from correlation property: (?P<id>.*)",
     "Correlatie-eigenschap '{id}' noemt niet uit welk bericht de waarde komt"),
    (r"Data Store identifier is missing from bpmn xml", "Een gegevensopslag (bpmn:dataStore) heeft geen id"),
    (r"Data Store name is missing from bpmn xml", "Een gegevensopslag (bpmn:dataStore) heeft geen naam"),
    (r"Data Store with name (?P<name>.*) has no implementation",
     "Gegevensopslag '{name}' wordt niet ondersteund"),
    # bpmn/parser/TaskParser.py
    (r"When looking for a task spec, we found two items, perhaps a form has the same ID\? \((?P<id>.*)\)",
     "Een uitgaande volgstroom van dit element wijst naar '{id}', maar dat element bestaat niet in dit proces"),
    (r"Multiple outgoing flows are not supported for tasks of type",
     "Dit element mag maar één uitgaande volgstroom hebben; splits met een gateway"),
    (r"A loopMaximum or loopCondition must be specified for Loop Tasks",
     "Een herhalende taak heeft een maximum (loopMaximum) of een stopvoorwaarde (loopCondition) nodig"),
    (r"A multiinstance task must specify a cardinality or a loop input data reference",
     "Een meervoudige taak heeft een aantal (loopCardinality) of een invoerlijst (loopDataInputRef) nodig"),
    (r"A multiinstance task must specify exactly one of cardinality or loop input data reference",
     "Een meervoudige taak heeft óf een aantal (loopCardinality) óf een invoerlijst (loopDataInputRef), "
     "niet allebei"),
    (r"The loop input data reference is missing from the IO specification",
     "De invoerlijst van de meervoudige taak staat niet in haar ioSpecification"),
    (r"The loop output data reference is missing from the IO specification",
     "De uitvoerlijst van de meervoudige taak staat niet in haar ioSpecification"),
    (r"Cancel Events may only be used with transactions",
     "Een annuleringsgebeurtenis kan alleen aan een transactie hangen"),
    # bpmn/parser/task_parsers.py (and camunda/parser/task_spec.py for the script task)
    (r"Non-default exclusive outgoing sequence flow without condition",
     "Deze volgstroom uit een exclusieve gateway heeft geen voorwaarde en is niet het standaardpad"),
    (r"Exactly one start event is required in a SubWorkflow Task; found (?P<found>\d+)\.", _subprocess_starts),
    (r"A SubWorkflow Must contain an End event", "Een subproces moet een eindgebeurtenis hebben"),
    (r'No "calledElement" attribute for Call Activity\.',
     "Deze aanroepactiviteit noemt geen proces om aan te roepen (calledElement ontbreekt)"),
    (r"Invalid Script Task\.  No Script Provided\..*", "Deze scripttaak heeft geen script"),
    # bpmn/parser/event_parsers.py
    (r"Conditional event definition with missing condition", "Deze voorwaardelijke gebeurtenis heeft geen voorwaarde"),
    (r"Time Specification Error\. Unknown Time Specification\.?",
     "Deze timer heeft geen tijd: vul een datum (timeDate), duur (timeDuration) of herhaling (timeCycle) in"),
    (r"Time Specification Error\. (?P<reason>.*)", "Deze timer is ongeldig"),
    # SpiffWorkflow 3.2 calls raise_validation_exception(message, node=...) for an event whose
    # message/signal/error/escalation reference is not defined; the signature has no ``node``, so the
    # task parser reports the TypeError instead of "Expected a Signal node" (bpmn and spiff event_parsers).
    (r"TypeError\(\"\w*\.?raise_validation_exception\(\) got an unexpected keyword argument 'node'\"\)",
     "Deze gebeurtenis verwijst naar een bericht, signaal, fout of escalatie die niet in het model staat"),
    (r"Expected an? (?P<what>Message|Signal|Error|Escalation|error) node",
     "Deze gebeurtenis verwijst naar een bericht, signaal, fout of escalatie die niet in het model staat"),
    # The catch event parser raises NotImplementedError('Unsupported Catch Event: %r', <the XML>); the
    # task parser wraps its repr. Never echo it: it is the model's own XML.
    (r"NotImplementedError\('Unsupported Catch Event: .*", "Dit soort wachtende gebeurtenis wordt niet ondersteund"),
    # bpmn/parser/node_parser.py
    (r"Cannot resolve dataInputAssociation (?P<name>.*)",
     "Gegevensinvoer '{name}' verwijst naar een gegevensobject dat niet bestaat"),
    (r"Cannot resolve dataOutputAssociation (?P<name>.*)",
     "Gegevensuitvoer '{name}' verwijst naar een gegevensobject dat niet bestaat"),
    # spiff/parser/task_spec.py
    (r"A Service Task must have an operator", "Een servicetaak heeft een operator nodig"),
    # dmn/parser/DMNParser.py and dmn/parser/BpmnDmnParser.py
    (r"No decisions found", "Het DMN-bestand bevat geen beslissing"),
    (r"Multiple decision tables are not current supported\.",
     "Een DMN-bestand mag maar één beslissing bevatten; zet elke beslissing in een eigen bestand"),
    (r"Unknown type in decision table: '(?P<tag>.*)'", "Onbekend element '{tag}' in de beslistabel"),
    (r"Malformed Output Expression '(?P<text>.*)'\. .*",
     "Uitvoer van beslistabel '{text}' is geen geldige expressie"),
    (r'No DMN Diagram available with id "(?P<id>.*)", Available DMN ids are: (?P<ids>.*)',
     "Beslissing '{id}' is niet gevonden; wel aanwezig: {ids}"),
    # libxml2 XML Schema messages (bpmn/parser/BpmnParser.py BpmnValidator, the BPMN and DMN XSDs)
    (r"Element '(?P<tag>[^']+)', attribute '(?P<attr>[^']+)': '(?P<value>.*)' is not a valid value of the "
     r"atomic type 'xs:ID'\.",
     "Id '{value}' van {tag} is ongeldig of komt dubbel voor: een id is uniek in het bestand, begint met een "
     "letter of _ en bevat geen spaties"),
    (r"Element '(?P<tag>[^']+)', attribute '(?P<attr>[^']+)': '(?P<value>.*)' is not a valid value of the "
     r"(?:atomic|union|list) type '(?P<type>[^']+)'\.",
     "Waarde '{value}' van attribuut '{attr}' op {tag} heeft niet het juiste type ({type})"),
    (r"Element '(?P<tag>[^']+)', attribute '(?P<attr>[^']+)': \[facet 'enumeration'\] The value '(?P<value>.*)' "
     r"is not an element of the set (?P<set>\{.*\})\.",
     lambda m: f"Waarde '{m['value']}' van attribuut '{m['attr']}' op {m['tag']} is niet toegestaan; "
               f"kies uit: {_choices(m['set'])}"),
    (r"Element '(?P<tag>[^']+)', attribute '(?P<attr>[^']+)': \[facet '(?P<facet>\w+)'\] The value '(?P<value>.*)' "
     r".*",
     "Waarde '{value}' van attribuut '{attr}' op {tag} voldoet niet aan het schema ({facet})"),
    (r"Element '(?P<tag>[^']+)', attribute '(?P<attr>[^']+)': The attribute '[^']+' is not allowed\.",
     "Attribuut '{attr}' is niet toegestaan op {tag}"),
    (r"Element '(?P<tag>[^']+)': The attribute '(?P<attr>[^']+)' is required but missing\.",
     "{tag} mist het verplichte attribuut '{attr}'"),
    (r"Element '(?P<tag>[^']+)': This element is not expected\. Expected is(?: one of)? (?P<expected>\(.*\))\.",
     lambda m: f"{m['tag']} mag hier niet staan; verwacht: {_choices(m['expected'])}"),
    (r"Element '(?P<tag>[^']+)': This element is not expected\.", "{tag} mag hier niet staan"),
    (r"Element '(?P<tag>[^']+)': Missing child element\(s\)\. Expected is(?: one of)? (?P<expected>\(.*\))\.",
     lambda m: f"{m['tag']} mist een verplicht onderdeel; verwacht: {_choices(m['expected'])}"),
    (r"Element '(?P<tag>[^']+)': Character content other than whitespace is not allowed because the content "
     r"type is 'element-only'\.",
     "{tag} mag geen tekst bevatten, alleen andere elementen"),
    (r"Element '(?P<tag>[^']+)': '(?P<value>.*)' is not a valid value of the (?:atomic|union|list) type "
     r"'(?P<type>[^']+)'\.",
     "Inhoud '{value}' van {tag} heeft niet het juiste type ({type})"),
    (r"Element '(?P<tag>[^']+)': No matching global declaration available for the validation root\.",
     "{tag} kan niet het buitenste element van een model zijn (verwacht bpmn:definitions of dmn:definitions)"),
]
_COMPILED = [(re.compile(pattern, re.DOTALL), template) for pattern, template in _RULES]
_reported: set[str] = set()


def _short_names(message: str) -> str:
    """``{http://www.omg.org/spec/BPMN/20100524/MODEL}task`` as ``bpmn:task``."""
    return _QUALIFIED.sub(lambda m: f"{_PREFIXES[m[1]]}:{m[2]}" if m[1] in _PREFIXES else m[2], message)


def in_dutch(message: str) -> str:
    """The Dutch for one SpiffWorkflow/schema message; an unknown one comes back as it is (and is logged)."""
    text = _short_names(message.strip())
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if callable(template):
            return template(match)
        return template.format(**match.groupdict())
    _report_unknown(message)
    return text


def _report_unknown(message: str) -> None:
    """Log an untranslated message once per process, by fingerprint: it may quote model content."""
    fingerprint = hashlib.sha256(message.encode()).hexdigest()[:16]
    if fingerprint in _reported:
        return
    _reported.add(fingerprint)
    logger.warning("untranslated model message", extra={"event": "model_message.untranslated",
                                                        "fingerprint": fingerprint, "length": len(message)})
