"""A broken model is refused in Dutch: SpiffWorkflow's and the schema's English never reaches the modeller."""

from __future__ import annotations

import logging

import pytest

from engine.db import unit_of_work
from engine.modelling import deployments
from engine.workflow import model_messages
from tests.support.broken_models import BROKEN, ENGLISH
from tests.support.modelling import rejected


def assert_dutch(message: str) -> None:
    english = [word for word in ENGLISH if word in message]
    assert not english, f"English {english} in {message!r}"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_deploying_a_broken_model_names_the_mistake_in_dutch_with_file_line_and_element(factory, world, forms,
                                                                                        name):
    broken = BROKEN[name]
    details = rejected(factory, world, forms, broken.files)
    for problem in details:
        assert_dutch(problem["message"])
    matching = [d for d in details if broken.dutch in d["message"]]
    assert matching, details
    problem = matching[0]
    assert problem["element_id"] == broken.element_id
    if broken.element_id or problem["message"].startswith("Model ongeldig"):
        assert problem["file"] in {f.filename for f in broken.files}
        assert isinstance(problem["line"], int) and problem["line"] > 1


@pytest.mark.parametrize("name", ["missing-start-event", "bad-dmn-hit-policy", "sequence-flow-to-nowhere"])
def test_the_editor_check_reports_the_same_dutch_as_deploy(factory, world, forms, name):
    with unit_of_work(factory) as session:
        problems = deployments.validate(session, actor=world.regisseur, files=BROKEN[name].files, forms=forms,
                                        lint=False)
    assert any(BROKEN[name].dutch in p.message for p in problems), problems
    for problem in problems:
        assert_dutch(problem.message)


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured():
    handler = _Captured()
    log = logging.getLogger(model_messages.__name__)
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    yield handler.records
    log.removeHandler(handler)


def test_an_unknown_message_passes_through_and_is_logged_once_without_the_model_text(captured):
    secret = "KeyError('slachtoffer Jansen in Venlo')"
    assert model_messages.in_dutch(secret) == secret
    assert model_messages.in_dutch(secret) == secret
    [record] = captured
    assert record.event == "model_message.untranslated" and len(record.fingerprint) == 16
    assert "Jansen" not in record.getMessage() and "Jansen" not in str(record.__dict__)


def test_a_catch_event_spiffworkflow_cannot_run_is_refused_without_echoing_the_xml():
    wrapped = "NotImplementedError('Unsupported Catch Event: %r', b'<bpmn:intermediateCatchEvent id=\"geheim\"/>')"
    assert model_messages.in_dutch(wrapped) == "Dit soort wachtende gebeurtenis wordt niet ondersteund"


@pytest.mark.parametrize(("english", "dutch"), [
    ("Process p is not executable.", "Proces 'p' is niet uitvoerbaar: zet isExecutable=\"true\""),
    ("Duplicate process ID: melding", "Proces-id 'melding' komt dubbel voor"),
    ("The process 'x' was not found. Did you mean one of the following: a, b?",
     "Proces 'x' is niet gevonden; wel aanwezig: a, b"),
    ('No DMN Diagram available with id "d", Available DMN ids are: e',
     "Beslissing 'd' is niet gevonden; wel aanwezig: e"),
    ("Multiple decision tables are not current supported.",
     "Een DMN-bestand mag maar één beslissing bevatten; zet elke beslissing in een eigen bestand"),
    ("Invalid Script Task.  No Script Provided. x", "Deze scripttaak heeft geen script"),
    ("Cannot resolve dataInputAssociation dossier",
     "Gegevensinvoer 'dossier' verwijst naar een gegevensobject dat niet bestaat"),
    ("Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask': The attribute 'id' is required but missing.",
     "bpmn:userTask mist het verplichte attribuut 'id'"),
    ("Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}process', attribute 'isExecutable': 'ja' is not a valid "
     "value of the atomic type 'xs:boolean'.",
     "Waarde 'ja' van attribuut 'isExecutable' op bpmn:process heeft niet het juiste type (xs:boolean)"),
    ("Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}process': No matching global declaration available for "
     "the validation root.",
     "bpmn:process kan niet het buitenste element van een model zijn (verwacht bpmn:definitions of dmn:definitions)"),
])
def test_spiffworkflow_messages_from_its_sources_read_in_dutch(english, dutch):
    assert model_messages.in_dutch(english) == dutch
