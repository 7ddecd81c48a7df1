"""The audit trail reads in Dutch: every event type and access-log action, and data as "Label: waarde"."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from engine.audit import access_log, audit_export, audit_history
from engine.audit.audit_phrases import EVENT_LABELS, Vocabulary, field_value, phrase, readable, shown
from engine.audit.events import EventType
from engine.db import unit_of_work
from engine.models import AuditEvent
from tests.support.base import FIXTURES
from tests.support.helpers import complete, deploy, ready, start

MARCH = audit_export.Period(date(2026, 3, 1), date(2026, 3, 31))
CONTEXT = {"regio": {"slug": "kempen", "naam": "Kempen", "gemeente": "Eersel", "overleg": "Casustafel Kempen",
                     "contacten": {"politie": "Politie, tel. 0900"}},
           "organisaties": {"politie": "politie-ob"}, "termijn_terugkoppeling": 10}


class _NoNames(Vocabulary):
    """Phrases without a database: task names come from the payload."""

    def __init__(self) -> None:
        self.forms = None
        self._tasks = {}
        self._versions = {}
        self._organisations = {}


def _access_actions() -> list[str]:
    """Every action the access log can record: its module-level constants."""
    return [value for name, value in vars(access_log).items()
            if name.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z_]+\.[a-z_]+", value)]


def test_every_event_type_has_a_dutch_label_and_phrase():
    for event_type in EventType:
        event = AuditEvent(event_type=str(event_type), payload={"element_id": "taak_1"})
        said = phrase(event, _NoNames())
        assert EVENT_LABELS.get(event_type), f"{event_type} has no Dutch label"
        assert str(event_type) not in said and "gebeurtenis" not in said, f"{event_type} has no Dutch phrase: {said}"
        assert str(event_type) not in EVENT_LABELS[event_type]


def test_every_access_log_action_reads_in_dutch():
    actions = _access_actions()
    assert len(actions) >= 7
    for action in actions:
        label = access_log.ACTION_LABELS.get(action)
        assert label and action not in label, f"{action} has no Dutch label"


def test_values_read_as_the_form_shows_them():
    melding = json.loads((FIXTURES.parent.parent / "forms" / "melding.json").read_text())["properties"]
    assert field_value("anoniem_mma", melding["bron_melding"]) == "Anoniem, via Meld Misdaad Anoniem"
    assert field_value(True, melding["acuut"]) == "ja" and field_value(False, None) == "nee"
    assert field_value("2026-03-01", {"type": "string", "format": "date"}) == "1 maart 2026"
    assert field_value(["SU", "AU"], {"type": "array", "items": {"oneOf": [{"const": "SU", "title": "Seksuele"},
                                                                             {"const": "AU", "title": "Arbeid"}]}}) \
        == "Seksuele, Arbeid"
    assert field_value(1.5) == "1,5"


def test_computed_intake_context_reads_in_words_not_json():
    names = {"politie-ob": "Politie Oost-Brabant AVIM"}
    assert shown("regio", CONTEXT["regio"]) == "Kempen, gemeente Eersel, overleg Casustafel Kempen"
    assert shown("organisaties", CONTEXT["organisaties"], None, names) == "Politie (AVIM): Politie Oost-Brabant AVIM"
    assert shown("termijn_terugkoppeling", 10) == "10 werkdagen"
    text = readable({"acuut": True, **CONTEXT}, {"acuut": "Is iemand nu in acuut gevaar?"}, None, names)
    assert text == ("Is iemand nu in acuut gevaar?: ja; Betrokken organisaties (uit het regioprofiel): Politie (AVIM): "
                    "Politie Oost-Brabant AVIM; Regio (uit het regioprofiel): Kempen, gemeente Eersel, overleg "
                    "Casustafel Kempen; Termijn voor terugkoppeling: 10 werkdagen")
    assert "{" not in text and "politie-ob" not in text and "0900" not in text
    assert readable({"nested": {"a_b": [1, {"c": False}]}}) == "Nested: A b: 1, (C: nee)"


def _case(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn", comment="Termijn terugkoppeling aangepast")
    case = start(factory, world.melder, at(), "drie_taken", {"melding": "Zorgen", **CONTEXT})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["verrijken"].id,
             {"vorm": "SU", "samenvatting": "Drie vrouwen", "datum_signaal": "2026-03-01"})
    return case


def test_the_history_diff_names_computed_fields_and_dates_in_dutch(factory, world, forms, at):
    case = _case(factory, world, forms, at)
    with unit_of_work(factory) as session:
        history = audit_history.case_audit(session, actor=world.auditor, now=at(), instance_id=case, forms=forms)
    started, enriched = history.entries
    shown_started = {c.label: c.new for c in started.changes}
    assert shown_started["Betrokken organisaties (uit het regioprofiel)"] == "Politie (AVIM): Politie Oost-Brabant AVIM"
    assert shown_started["Regio (uit het regioprofiel)"] == "Kempen, gemeente Eersel, overleg Casustafel Kempen"
    assert shown_started["Termijn voor terugkoppeling"] == "10 werkdagen"
    assert {c.label: c.new for c in enriched.changes}["Datum van het signaal"] == "1 maart 2026"
    assert not any("{" in c.new for entry in history.entries for c in entry.changes)


def test_the_export_gegevens_column_reads_label_value_and_deployments_carry_files_and_hashes(
        factory, world, forms, at):
    case = _case(factory, world, forms, at)
    with unit_of_work(factory) as session:
        made = audit_export.audit_rows(session, actor=world.auditor, now=at(), period=MARCH, fmt="csv", forms=forms)
    rows = list(csv.reader(io.StringIO(audit_export.to_csv(made).decode("utf-8-sig")), delimiter=";"))
    header = rows.index(list(audit_export.COLUMNS))
    table = rows[header + 1:]
    data = audit_export.COLUMNS.index("gegevens")
    [enriched] = [r for r in table if r[4] == "task.completed" and r[1] == str(case)]
    assert enriched[data] == "Datum van het signaal: 1 maart 2026; Samenvatting: Drie vrouwen; Vorm van uitbuiting: SU"
    [started] = [r for r in table if r[4] == "instance.started" and r[1] == str(case)]
    assert "Termijn voor terugkoppeling: 10 werkdagen" in started[data] and "{" not in started[data]
    [deployed] = [r for r in table if r[4] == "process.deployed"]
    assert deployed[data].startswith("Toelichting: Termijn terugkoppeling aangepast; Bestand drie_taken.bpmn (SHA-256 ")
    assert re.search(r"Bestand drie_taken\.bpmn \(SHA-256 [0-9a-f]{64}\)", deployed[data])
    assert re.search(r"Uitrol SHA-256 [0-9a-f]{64}$", deployed[data])
