"""What a person working on a case may read of it: the melding, the AF's enrichment, partners' feedback.

Need-to-know (docs/domain.md, "Privacy": these are victims and suspects) is the table :data:`NEED_TO_KNOW` below:
which role reads
which section of a case. Every step of a case falls into exactly one section (:func:`section_of`),
so adding a partner or a form never widens what someone sees by accident: a section nobody
listed is read by the AF and the auditor only.

The data come from the audit log (the intake and every completed task carry what was submitted),
labelled with the form the step used as deployed with the case's version: people read "Vorm van
uitbuiting: Seksuele uitbuiting", never ``vorm: SU``, JSON or True/False. Keys a form does not
describe (routing facts the system adds) are never shown. Reading the context is part of opening a
task or a case; the caller records that view in the access log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS, Role
from engine.audit import log
from engine.audit.events import EventType
from engine.cases.lifecycle import reference
from engine.cases.names import Names
from engine.dutch import datum
from engine.errors import NotFound
from engine.modelling import form_catalogue
from engine.modelling.forms import FormRepository
from engine.models import AuditEvent, Case, HumanTask, TaskState, User

INTAKE_FORM = "melding.json"


class Section(StrEnum):
    """The parts of a case that need-to-know hands out separately."""

    MELDING = "melding"                              # what the melder saw: text, what/who/where, acute
    MELDER = "melder"                                # who reported it and how to reach them
    VERRIJKING = "verrijking"                        # the AF's enrichment and assessment
    TERUGKOPPELING_MELDER = "terugkoppeling_melder"  # the AF's message to the melder
    WERK_AF = "werk_af"                              # the AF's other steps (asking partners for feedback)
    WERK_OOV = "werk_oov"
    WERK_POLITIE = "werk_politie"
    WERK_ZORGCOORDINATOR = "werk_zorgcoordinator"
    WERK_ARBEIDSINSPECTIE = "werk_arbeidsinspectie"
    WERK_KETENREGISSEUR = "werk_ketenregisseur"
    WERK_PROCESREGISSEUR = "werk_procesregisseur"
    WERK_VEILIG_THUIS = "werk_veilig_thuis"
    WERK_JEUGDHULP = "werk_jeugdhulp"


SECTION_TITLES: dict[Section, str] = {
    Section.MELDING: "De melding",
    Section.MELDER: "De melder",
    Section.VERRIJKING: "Verrijking door de aandachtsfunctionaris",
    Section.TERUGKOPPELING_MELDER: "Terugkoppeling aan de melder",
    Section.WERK_AF: "Aandachtsfunctionaris",
    Section.WERK_OOV: "OOV'er",
    Section.WERK_POLITIE: "Terugkoppeling van de politie",
    Section.WERK_ZORGCOORDINATOR: "Terugkoppeling van de zorgcoördinator",
    Section.WERK_ARBEIDSINSPECTIE: "Terugkoppeling van de Arbeidsinspectie",
    Section.WERK_KETENREGISSEUR: "Ketenregisseur",
    Section.WERK_PROCESREGISSEUR: "Procesregisseur en overleg",
    Section.WERK_VEILIG_THUIS: "Classificatie door Veilig Thuis",
    Section.WERK_JEUGDHULP: "Terugkoppeling van de jeugdhulp",
}

# Steps whose form says what they are, whoever's lane they sit in.
FORM_SECTIONS: dict[str, Section] = {
    "signaal-verrijken.json": Section.VERRIJKING,
    "signaal-verrijken-limburg.json": Section.VERRIJKING,
    "terugkoppeling-melder.json": Section.TERUGKOPPELING_MELDER,
}
# Every other step belongs to the work of the role that did it.
ROLE_SECTIONS: dict[Role, Section] = {
    Role.AF: Section.WERK_AF,
    Role.OOV: Section.WERK_OOV,
    Role.POLITIE: Section.WERK_POLITIE,
    Role.ZORGCOORDINATOR: Section.WERK_ZORGCOORDINATOR,
    Role.ARBEIDSINSPECTIE: Section.WERK_ARBEIDSINSPECTIE,
    Role.KETENREGISSEUR: Section.WERK_KETENREGISSEUR,
    Role.PROCESREGISSEUR: Section.WERK_PROCESREGISSEUR,
    Role.VEILIG_THUIS: Section.WERK_VEILIG_THUIS,
    Role.JEUGDHULP: Section.WERK_JEUGDHULP,
}

_EVERYTHING = frozenset(Section)
_WHAT_HAPPENED = frozenset({Section.MELDING, Section.VERRIJKING})
_MEETING = frozenset({Section.WERK_KETENREGISSEUR, Section.WERK_PROCESREGISSEUR, Section.WERK_VEILIG_THUIS})

# The need-to-know rule: reader role -> the sections of a case it reads.
# - The AF of the gemeente collects, enriches, routes and feeds back: the whole case, and the only
#   one (with the auditor) who may reach the melder (000 Bijlage 3; 004 par. 2.2-2.3).
# - A partner reads what it needs to act (what was seen, who, where, the AF's enrichment) and its
#   own feedback; partners' feedback is addressed to the AF ("Terugkoppeling aan de AF"), not to
#   each other, and never the melder's identity (001 Bijlage 5 privacy protocol).
# - The meeting roles read the signal and the meeting's own steps.
# - The melder reads what they reported and the feedback meant for them, nothing of the case.
NEED_TO_KNOW: dict[Role, frozenset[Section]] = {
    Role.AF: _EVERYTHING,
    Role.AUDITOR: _EVERYTHING,
    Role.OOV: _WHAT_HAPPENED | {Section.WERK_OOV},
    Role.POLITIE: _WHAT_HAPPENED | {Section.WERK_POLITIE},
    Role.ZORGCOORDINATOR: _WHAT_HAPPENED | {Section.WERK_ZORGCOORDINATOR},
    Role.ARBEIDSINSPECTIE: _WHAT_HAPPENED | {Section.WERK_ARBEIDSINSPECTIE},
    Role.KETENREGISSEUR: _WHAT_HAPPENED | _MEETING,
    Role.PROCESREGISSEUR: _WHAT_HAPPENED | _MEETING,
    # Veilig Thuis classifies and sits in Limburg's screeningsoverleg (003); the youth partner acts on a minor.
    Role.VEILIG_THUIS: _WHAT_HAPPENED | _MEETING,
    Role.JEUGDHULP: _WHAT_HAPPENED | {Section.WERK_JEUGDHULP},
    Role.MELDER: frozenset({Section.MELDING, Section.TERUGKOPPELING_MELDER}),
    Role.BEHEERDER: frozenset(),
}

# Start data of processes without an intake form (an advice question): their labels.
START_LABELS: dict[str, str] = {"vraag": "Adviesvraag"}


def sections_for(role: Role | None) -> frozenset[Section]:
    """The sections a role reads; nothing for an unknown role or the system."""
    return NEED_TO_KNOW.get(role, frozenset()) if role is not None else frozenset()


def section_of(role: str | None, form: str | None) -> Section:
    """The section a completed step falls in: by its form first, else by the role that did it.

    A step of a role the table does not know is AF work: only the AF and the auditor read it.
    """
    if form and form in FORM_SECTIONS:
        return FORM_SECTIONS[form]
    try:
        return ROLE_SECTIONS.get(Role(role or ""), Section.WERK_AF)
    except ValueError:
        return Section.WERK_AF


@dataclass(frozen=True)
class Field:
    """One labelled value as a person reads it; ``key`` is for the code, never for display."""

    key: str
    label: str
    value: str = ""
    children: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Step:
    section: Section
    title: str            # the task's name, or "De melding"
    done_by: str          # "Politie (AVIM), Politie Oost-Brabant, team AVIM"; "" for the melding
    done_at: datetime
    fields: tuple[Field, ...]

    @property
    def section_title(self) -> str:
        return SECTION_TITLES[self.section]

    def value(self, key: str) -> str:
        """The shown value of a top-level field, e.g. the form of exploitation for a summary."""
        return next((f.value for f in self.fields if f.key == key), "")


@dataclass(frozen=True)
class MelderContact:
    anonymous: bool
    name: str = ""
    organisation: str = ""
    email: str = ""


@dataclass(frozen=True)
class OpenTask:
    id: int
    name: str
    role: str
    organisation: str
    holder: str | None    # display name of whoever took it; None: the team's
    due_at: datetime | None
    may_open: bool        # the reader may open it (links only where they lead somewhere)


@dataclass
class CaseContext:
    instance_id: int
    reference: str
    acuut: bool
    gemeente: str
    melding: Step | None
    melder: MelderContact | None
    steps: list[Step] = field(default_factory=list)
    hidden_steps: int = 0          # steps outside the reader's need-to-know (a count, nothing more)
    open_tasks: list[OpenTask] = field(default_factory=list)

    def value(self, key: str) -> str:
        """A field from any visible step, newest first (e.g. ``vorm`` after a second assessment)."""
        for step in [*reversed(self.steps), *([self.melding] if self.melding else [])]:
            found = step.value(key)
            if found:
                return found
        return ""


# --- values as people read them ------------------------------------------------------------------

def _option_labels(spec: Mapping[str, Any]) -> dict[Any, str]:
    options = spec.get("oneOf") or spec.get("anyOf") or []
    return {o["const"]: str(o.get("title") or o["const"]) for o in options
            if isinstance(o, dict) and "const" in o}


def _date_text(value: str, kind: str) -> str:
    try:
        if kind == "date":
            return datum(date.fromisoformat(value))
        return datum(datetime.fromisoformat(value))
    except ValueError:
        return value


def plain_value(spec: Mapping[str, Any], value: Any) -> str:
    """A scalar as its form presents it: option titles, ja/nee, Dutch dates and numbers."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    labels = _option_labels(spec)
    if value in labels:
        return labels[value]
    if isinstance(value, str) and spec.get("format") in ("date", "date-time"):
        return _date_text(value, str(spec["format"]))
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list):
        items: Mapping[str, Any] = spec["items"] if isinstance(spec.get("items"), dict) else {}
        return ", ".join(plain_value(items, v) for v in value if not isinstance(v, dict | list))
    if isinstance(value, dict):
        return ""
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def fields_of(schema: Mapping[str, Any], data: Mapping[str, Any]) -> tuple[Field, ...]:
    """The submitted values in the form's order with its titles; keys the form does not name are left out."""
    properties = schema.get("properties") or {}
    shown = []
    for key, spec in properties.items():
        if not isinstance(spec, dict) or key not in data or _empty(data[key]):
            continue
        value, label = data[key], str(spec.get("title") or "").strip()
        if not label:
            continue  # an untitled field would show its key: leave it out
        items = spec.get("items") if isinstance(spec.get("items"), dict) else None
        if isinstance(value, dict):
            shown.append(Field(key, label, children=fields_of(spec, value)))
        elif isinstance(value, list) and items is not None and items.get("type") == "object":
            rows = tuple(Field(f"{key}.{n}", f"{label} {n}", children=fields_of(items, row))
                         for n, row in enumerate(value, start=1) if isinstance(row, dict))
            shown.append(Field(key, label, children=rows))
        else:
            shown.append(Field(key, label, plain_value(spec, value)))
    return tuple(shown)


def _start_fields(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> tuple[Field, ...]:
    if schema is not None and any(k in data for k in schema.get("properties") or {}):
        return fields_of(schema, data)
    return tuple(Field(k, label, str(data[k])) for k, label in START_LABELS.items() if not _empty(data.get(k)))


# --- reading a case ------------------------------------------------------------------------------

class _Forms:
    """The forms of the case's process version, each read once."""

    def __init__(self, session: Session, repository: FormRepository):
        self.session, self.repository = session, repository
        self._cache: dict[tuple[int | None, str], dict[str, Any] | None] = {}

    def schema(self, definition_id: int | None, name: str | None) -> dict[str, Any] | None:
        if not name:
            return None
        key = (definition_id, name)
        if key not in self._cache:
            found = (form_catalogue.form_for(self.session, definition_id, name, fallback=self.repository)
                     if definition_id is not None else None)
            if found is None and self.repository.exists(name):
                found = self.repository.load(name)
            self._cache[key] = found
        return self._cache[key]


def _melder_contact(session: Session, instance: Case, data: Mapping[str, Any], names: Names) -> MelderContact:
    if data.get("anoniem") is True:
        return MelderContact(anonymous=True)
    user = session.get(User, instance.started_by_id) if instance.started_by_id is not None else None
    if user is None:
        return MelderContact(anonymous=False)
    return MelderContact(anonymous=False, name=user.display_name, organisation=names.organisation(
        user.organisation.slug), email=user.email or "")


def _done_by(event: AuditEvent, names: Names) -> str:
    try:
        role = ROLE_LABELS[Role(event.actor_role or "")]
    except ValueError:
        role = ""
    organisation = names.organisation(event.actor_organisation) if event.actor_organisation else ""
    return ", ".join(part for part in (role, organisation) if part)


def _open_tasks(session: Session, actor: Actor, instance_id: int, names: Names) -> list[OpenTask]:
    rows = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                        HumanTask.state == TaskState.READY)
                                .order_by(HumanTask.due_at, HumanTask.id)))
    holders = {u.id: u.display_name for u in session.scalars(
        select(User).where(User.id.in_({t.assignee_id for t in rows if t.assignee_id is not None})))}
    organisations = names.organisation_ids({t.organisation_id for t in rows})
    return [OpenTask(id=t.id, name=t.name, role=_role_label(t.role),
                     organisation=organisations.get(t.organisation_id, ""),
                     holder=holders.get(t.assignee_id) if t.assignee_id is not None else None,
                     due_at=t.due_at, may_open=access.can_work_on(actor, t)) for t in rows]


def _role_label(value: str) -> str:
    """The Dutch name of a task's role; a role the table does not know reads as such, never as its key."""
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return "onbekende rol"


def read_case(session: Session, *, actor: Actor, instance_id: int, forms: FormRepository,
              names: Names | None = None) -> CaseContext:
    """The case as the actor may read it under :data:`NEED_TO_KNOW`; NotFound when they may not see it.

    Does not log the read: it is part of opening a task or the case page, which log their view.
    """
    if not access.can_see_case(session, actor, instance_id):
        raise NotFound("Zaak niet gevonden.")
    instance = session.get(Case, instance_id)
    if instance is None:
        raise NotFound("Zaak niet gevonden.")
    names = names or Names(session)
    allowed = sections_for(actor.role)
    catalog = _Forms(session, forms)
    events = [e for e in log.history(session, instance_id)
              if e.event_type in (EventType.INSTANCE_STARTED, EventType.TASK_COMPLETED)]
    tasks = {row.id: row for row in session.execute(
        select(HumanTask.id, HumanTask.name, HumanTask.form, HumanTask.role)
        .where(HumanTask.instance_id == instance_id))}
    context = CaseContext(instance_id=instance.id, reference=reference(instance), acuut=instance.acuut,
                          gemeente=names.organisation_id(instance.organisation_id), melding=None, melder=None)
    for event in events:
        data = event.payload.get("data")
        if not isinstance(data, dict):  # destroyed under a retention rule, or nothing submitted
            continue
        if event.event_type == EventType.INSTANCE_STARTED:
            if Section.MELDING in allowed:
                context.melding = Step(Section.MELDING, SECTION_TITLES[Section.MELDING], "", event.occurred_at,
                                       _start_fields(catalog.schema(None, INTAKE_FORM), data))
            if Section.MELDER in allowed:
                context.melder = _melder_contact(session, instance, data, names)
            continue
        task = tasks.get(event.task_id or -1)
        form = task.form if task is not None else None
        section = section_of(task.role if task is not None else event.actor_role, form)
        if section not in allowed:
            context.hidden_steps += 1
            continue
        schema = catalog.schema(event.definition_id, form)
        context.steps.append(Step(section, task.name if task is not None else SECTION_TITLES[section],
                                  _done_by(event, names), event.occurred_at,
                                  fields_of(schema, data) if schema is not None else ()))
    context.open_tasks = _open_tasks(session, actor, instance_id, names)
    return context


def steps_in(context: CaseContext, sections: Sequence[Section]) -> list[Step]:
    """The visible steps of the given sections, in the order they happened."""
    return [s for s in context.steps if s.section in sections]
