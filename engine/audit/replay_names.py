"""The auditor's step-through in words: each replayed step's event, element, data and positions by name.

Replay works with ``process:element`` keys; a person never reads those. Element names come from the
deployed model of the step's process version (an element without a name is called by its kind, "exclusieve
gateway"), an element inside a called process says which ("… in deelproces ‘Zorg regelen’"), and the data
reads as that version's form showed it (field titles, choice titles, ja/nee, dates in Dutch). The event
itself is phrased as the auditor's history phrases it (:func:`engine.audit.audit_phrases.phrase`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.audit.audit_phrases import Vocabulary, key_label, person, phrase, shown
from engine.audit.events import EventType
from engine.audit.replay_trace import Step
from engine.cases.intake import INTAKE_FORM
from engine.modelling.form_catalogue import form_for
from engine.modelling.forms import FormRepository
from engine.modelling.specs import specs_for
from engine.models import AuditEvent, ProcessDefinition
from engine.workflow import diff as model_diff
from engine.workflow.elements import Element, elements, process_names

# What an element without a name is called: its kind in Dutch, in the words the modeller's diff uses.
KIND_WORDS = model_diff.TYPE_NAMES
EVENT_WORDS = {
    "timer": "tijdgebeurtenis", "message": "berichtgebeurtenis", "signal": "signaalgebeurtenis",
    "error": "foutgebeurtenis", "escalation": "escalatiegebeurtenis", "conditional": "voorwaardelijke gebeurtenis",
}
UNKNOWN = "een element dat niet in het model van deze versie staat"


class ElementNames:
    """Element and process names of one or more process versions (the first given wins), in model order."""

    def __init__(self, definitions: Sequence[ProcessDefinition]):
        self.main = definitions[0].process_id
        self.elements: dict[str, Element] = {}
        self.processes: dict[str, str] = {}
        for definition in definitions:
            spec, subprocess_specs = specs_for(definition)
            for element in elements(spec, subprocess_specs):
                self.elements.setdefault(element.key, element)
            for process, name in process_names(spec, subprocess_specs).items():
                self.processes.setdefault(process, name if name and name != process else "")
        self.order = {key: number for number, key in enumerate(self.elements)}

    def own(self, key: str) -> str:
        """The element's name, else its kind in Dutch; never its id."""
        element = self.elements.get(key)
        if element is None:
            return UNKNOWN
        if element.name:
            return element.name
        if element.event in EVENT_WORDS and element.kind != "endEvent":
            kind = EVENT_WORDS[element.event]
        else:
            kind = KIND_WORDS.get(element.kind, "element")
        before = self._before(element)
        return f"{kind} na {before}" if before else kind  # several nameless gateways stay apart

    def quoted(self, key: str) -> str:
        """‘Name’ for a named element; a nameless one's description as it is (it holds quotes itself)."""
        element = self.elements.get(key)
        return f"‘{element.name}’" if element is not None and element.name else self.own(key)

    def _before(self, element: Element) -> str:
        """"‘A’ of ‘B’": the named elements whose flows lead here (a nameless one by the nearest named
        element before it); "en" for a parallel join, where all of them must have arrived."""
        names: list[str] = []
        for current in element.after:
            found = self._nearest_named(element.process, current, {element.element})
            if found and found not in names:
                names.append(found)
        quoted = [f"‘{name}’" for name in names[:3]] + (["meer"] if len(names) > 3 else [])
        if len(quoted) < 2:
            return "".join(quoted)
        word = " en " if element.kind == "parallelGateway" else " of "
        return ", ".join(quoted[:-1]) + word + quoted[-1]

    def _nearest_named(self, process: str, start: str, seen: set[str]) -> str | None:
        """The name of ``start``, else of the nearest named element before it in the same process."""
        queue, seen = [start], set(seen)
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            found = self.elements.get(f"{process}:{current}")
            if found is None:
                continue
            if found.name:
                return found.name
            queue.extend(found.after)
        return None

    def where(self, key: str) -> str:
        """" in deelproces ‘…’" for an element of a called (or embedded) process; "" in the main process."""
        process = key.split(":", 1)[0]
        if process == self.main or key not in self.elements:
            return ""
        return f" in deelproces ‘{self.processes.get(process) or 'zonder naam'}’"

    def name(self, key: str) -> str:
        """The element as a person reads it, with the called process it is in."""
        return self.own(key) + self.where(key)

    def _holder(self, key: str) -> str | None:
        """The key of the task a boundary event sits on."""
        element = self.elements.get(key)
        if element is None or element.attached_to is None:
            return None
        return f"{element.process}:{element.attached_to}"

    def is_timer(self, key: str) -> bool:
        element = self.elements.get(key)
        return element is not None and element.event == "timer"

    def waiting(self, key: str) -> str:
        """What the case waits for: a task by its name, a timer as "termijn ‘…’ bij ‘taak’"."""
        if not self.is_timer(key):
            return self.name(key)
        element = self.elements[key]
        holder = self._holder(key)
        named = f"termijn ‘{element.name}’" if element.name else "termijn"
        return (f"{named} bij ‘{self.own(holder)}’" if holder else named) + self.where(key)

    def task_name(self, key: str) -> str:
        """The name the history's phrases put in ‘…’: a timer on a task says which task's term passed."""
        holder = self._holder(key) if self.is_timer(key) else None
        return self.own(holder or key)

    def in_model_order(self, keys: Sequence[str]) -> list[str]:
        """Keys in the order the model parses them (following the flows); unknown ones last, by name."""
        return sorted(keys, key=lambda k: (self.order.get(k, len(self.order)), self.name(k)))

    def key_of(self, element_id: str | None, hints: Sequence[str] = ()) -> str | None:
        """The key of a bare element id from an event: one that waited before the step, else the main
        process's, else the first process that has such an element."""
        if not element_id:
            return None
        for key in [*hints, f"{self.main}:{element_id}", *self.elements]:
            if key.split(":", 1)[-1] == element_id and key in self.elements:
                return key
        return None


class _StepVocabulary(Vocabulary):
    """The history's vocabulary, but a task without a stored task row is named from the model, not by id."""

    def __init__(self, session: Session, forms: FormRepository | None, names: ElementNames, key: str | None):
        super().__init__(session, forms)
        self.names = names
        self.key = key

    def task_name(self, event: AuditEvent) -> str:
        if event.event_type == EventType.TIMER_FIRED and self.key:
            return self.names.task_name(self.key)  # the term of which task passed
        known = self.known_task_name(event)
        if known:
            return known
        return self.names.task_name(self.key) if self.key else "een element"

    def form_name(self, event: AuditEvent) -> str | None:
        if event.event_type == EventType.INSTANCE_STARTED:
            return INTAKE_FORM
        found = self._tasks.get(event.task_id) if event.task_id is not None else None
        return found[1] if found else None


@dataclass(frozen=True)
class Field:
    key: str    # for data- attributes only
    label: str
    value: str


@dataclass(frozen=True)
class Place:
    key: str    # for data- attributes only (the diagram script matches on keys)
    name: str
    count: int = 0


@dataclass(frozen=True)
class StepText:
    sentence: str          # "af (Aandachtsfunctionaris, eersel) rondde ‘Signaal verrijken en beoordelen’ af"
    who: str
    element: str | None    # "Signaal overnemen (politie) in deelproces ‘Overdracht aan ketenpartners’"
    data: list[Field]
    waiting: list[Place]
    visited: list[Place]


def describe(session: Session, step: Step, *, previous: Step | None, definitions: Sequence[ProcessDefinition],
             forms: FormRepository | None = None) -> StepText:
    """One step in words. ``definitions``: the version in force after the step first, then earlier ones
    (a visit before a migration may name an element the new version no longer has)."""
    names = ElementNames(definitions)
    key = names.key_of(step.element_id, previous.active if previous else ())
    event = step.event
    vocabulary = _StepVocabulary(session, forms, names, key)
    if event is None:
        sentence, who = "", ""
    else:
        vocabulary.preload([event])
        what = phrase(event, vocabulary)
        name, _username, role, organisation = person(event, reveal_melder=True)
        organisation = vocabulary.organisation_names().get(organisation or "", organisation)  # never a slug
        extra = ", ".join(p for p in (role, organisation) if p)
        who = f"{name} ({extra})" if extra else name
        sentence = what if what[:1].isupper() else f"{who} {what}"
    return StepText(sentence=sentence, who=who, element=names.waiting(key) if key else None,
                    data=_fields(session, step, event, vocabulary, forms),
                    waiting=[Place(k, names.waiting(k)) for k in names.in_model_order(step.active)],
                    visited=[Place(k, names.name(k), step.visited[k])
                             for k in names.in_model_order(list(step.visited))])


def _fields(session: Session, step: Step, event: AuditEvent | None, vocabulary: _StepVocabulary,
            forms: FormRepository | None) -> list[Field]:
    """The step's data with the titles and choices of the form of the step's own process version."""
    properties: dict[str, Any] = {}
    form = vocabulary.form_name(event) if event is not None else None
    definition_id = (event.definition_id if event is not None else None) or step.definition_id
    if form and definition_id is not None:
        schema = form_for(session, definition_id, form, fallback=forms) or {}
        properties = {k: v for k, v in (schema.get("properties") or {}).items() if isinstance(v, dict)}
    organisations = vocabulary.organisation_names()
    return [Field(key, str(properties.get(key, {}).get("title") or key_label(key)),
                  shown(key, value, properties.get(key), organisations))
            for key, value in sorted(step.data.items())]
