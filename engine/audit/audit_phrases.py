"""Audit events in plain Dutch: what happened, who did it, and the particulars an auditor checks.

Shared by the auditor's history, the dossier and the period export, so every place phrases an
event the same way. Phrases the case page already uses come from :mod:`engine.cases.timeline`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.roles import ROLE_LABELS, Role
from engine.audit.events import EventType
from engine.cases import timeline
from engine.dutch import datum
from engine.modelling.forms import FormRepository
from engine.models import AuditEvent, HumanTask, Organisation, ProcessDefinition

EVENT_LABELS: dict[str, str] = {
    EventType.INSTANCE_STARTED: "Zaak gestart",
    EventType.TASK_COMPLETED: "Taak afgerond",
    EventType.TASK_CLAIMED: "Taak in behandeling genomen",
    EventType.TASK_RELEASED: "Taak teruggegeven",
    EventType.TASK_ASSIGNED: "Taak toegewezen",
    EventType.TASK_REMINDED: "Herinnering verstuurd",
    EventType.TASK_WITHDRAWN: "Taak vervallen",
    EventType.TIMER_FIRED: "Termijn verstreken",
    EventType.INSTANCE_MIGRATED: "Overgezet naar andere procesversie",
    EventType.INSTANCE_MIGRATION_REVERTED: "Overzetting teruggedraaid",
    EventType.INSTANCE_FAILED: "Fout in het model",
    EventType.INSTANCE_COMPLETED: "Zaak afgesloten",
    EventType.INSTANCE_REPLAYED: "Opnieuw afgespeeld",
    EventType.DOSSIER_EXPORTED: "Dossier geëxporteerd",
    EventType.AUDIT_LOG_EXPORTED: "Auditlog geëxporteerd",
    EventType.PROCESS_DEPLOYED: "Modellen uitgerold",
    EventType.FORM_SAVED: "Formulier opgeslagen",
    EventType.NOTE_ADDED: "Notitie of bestand toegevoegd",
    EventType.USER_CREATED: "Account aangemaakt",
    EventType.TOKEN_CREATED: "API-token aangemaakt",
    EventType.TOKEN_REVOKED: "API-token ingetrokken",
    EventType.INSTANCE_DESTROYED: "Zaak vernietigd (bewaartermijn)",
    EventType.MEETING_AGENDA_ADDED: "Op de agenda van het overleg",
    EventType.MEETING_PLANNED: "Overleg gepland",
    EventType.MEETING_CALLED: "Oproep voor het overleg verstuurd",
    EventType.MEETING_MINUTES_SAVED: "Verslag van het overleg opgeslagen",
    EventType.MEETING_HELD: "Overleg afgesloten",
    EventType.MEETING_AGENDA_FROZEN: "Agenda van het overleg gesloten",
    EventType.MEETING_CANCELLED: "Gepland overleg vervallen",
    EventType.MEETING_SCHEDULE_CHANGED: "Vergadermoment van het overleg gewijzigd",
    EventType.GEMEENTE_ADDED: "Gemeente toegevoegd",
    EventType.GEMEENTE_CHANGED: "Gemeente gewijzigd",
    EventType.GEMEENTE_MERGED: "Gemeenten samengevoegd",
    EventType.INSTANCE_GEMEENTE_CHANGED: "Zaak naar andere gemeente (herindeling)",
    EventType.TWO_FACTOR_ENABLED: "Tweestapsverificatie aangezet",
    EventType.TWO_FACTOR_DISABLED: "Tweestapsverificatie uitgezet",
    EventType.TWO_FACTOR_RESET: "Tweestapsverificatie hersteld door de beheerder",
    EventType.RECOVERY_CODE_USED: "Herstelcode gebruikt",
    EventType.RECOVERY_CODES_RENEWED: "Nieuwe herstelcodes",
    EventType.OIDC_LINKED: "Inlogaccount (OIDC) gekoppeld",
    EventType.OIDC_LINK_ALLOWED: "Koppelen via OIDC toegestaan",
    EventType.ACCESS_REVIEW_EXPORTED: "Rechtenoverzicht geëxporteerd",
}

# Phrases the case page does not show; placeholders are filled from the event's payload.
_MORE: dict[str, str] = {
    EventType.TASK_CLAIMED: "nam ‘{task}’ in behandeling",
    EventType.TASK_RELEASED: "gaf ‘{task}’ terug aan het team",
    EventType.TASK_ASSIGNED: "wees ‘{task}’ toe aan {assignee}",
    EventType.INSTANCE_MIGRATED: "zette de zaak over van versie {from_version} naar versie {to_version}",
    EventType.INSTANCE_MIGRATION_REVERTED: "draaide de overzetting terug: van versie {from_version} weer naar "
                                           "versie {to_version}",
    EventType.DOSSIER_EXPORTED: "exporteerde het dossier als {format}",
    EventType.AUDIT_LOG_EXPORTED: "exporteerde het auditlog van {van} tot en met {tot} als {format}",
    EventType.PROCESS_DEPLOYED: "rolde een nieuwe versie van de modellen uit",
    EventType.FORM_SAVED: "sloeg versie {version} van formulier {name} op",
    EventType.NOTE_ADDED: "voegde {note_kind} toe aan de zaak",
    EventType.USER_CREATED: "maakte een account aan",
    EventType.TOKEN_CREATED: "maakte een persoonlijk API-token aan",
    EventType.TOKEN_REVOKED: "trok een persoonlijk API-token in",
    EventType.INSTANCE_DESTROYED: "vernietigde de inhoud van zaak {reference} volgens de bewaartermijn ‘{rule}’",
    EventType.MEETING_AGENDA_ADDED: "zette het signaal op de agenda van {name} ({section})",
    EventType.MEETING_PLANNED: "plande overleg {meeting}",
    EventType.MEETING_CALLED: "verstuurde de oproep voor overleg {meeting} aan {recipients} deelnemers",
    EventType.MEETING_MINUTES_SAVED: "sloeg het verslag van overleg {meeting} op",
    EventType.MEETING_HELD: "sloot overleg {meeting} af: {decided} besloten, {undecided} zonder besluit",
    EventType.MEETING_AGENDA_FROZEN: "sloot de agenda van overleg {meeting}",
    EventType.MEETING_CANCELLED: "liet gepland overleg {meeting} vervallen ({reason})",
    EventType.MEETING_SCHEDULE_CHANGED: "stelde het overleg van {region_name} in op {weekday} om {time}: oproep "
                                        "{call_working_days} en agenda dicht {freeze_working_days} werkdagen vooraf",
    EventType.GEMEENTE_ADDED: "voegde gemeente {name} toe aan {region}",
    EventType.GEMEENTE_CHANGED: "wijzigde gemeente {old_name}: nu {name}",
    EventType.GEMEENTE_MERGED: "voegde gemeente {name} samen met {into_name} ({cases} zaken, {users} accounts)",
    EventType.INSTANCE_GEMEENTE_CHANGED: "zette de zaak bij een herindeling over van gemeente {from} naar {to}",
    EventType.TWO_FACTOR_ENABLED: "zette tweestapsverificatie aan voor een account",
    EventType.TWO_FACTOR_DISABLED: "zette tweestapsverificatie uit voor een account",
    EventType.TWO_FACTOR_RESET: "herstelde de tweestapsverificatie van een account",
    EventType.RECOVERY_CODE_USED: "logde in met een herstelcode",
    EventType.RECOVERY_CODES_RENEWED: "maakte nieuwe herstelcodes aan",
    EventType.OIDC_LINKED: "koppelde een inlogaccount (OIDC) aan een account",
    EventType.OIDC_LINK_ALLOWED: "stond koppelen via OIDC toe voor een account",
    EventType.ACCESS_REVIEW_EXPORTED: "exporteerde het rechtenoverzicht als {format}",
}

_IN_CHUNK = 500  # ids per IN (...) list: long exports stay within every backend's parameter limit


class _Payload(dict[str, str]):
    """Payload values as text for ``str.format_map``; a missing key reads "?" instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def key_label(key: str, labels: dict[str, str] | None = None) -> str:
    """A field's title from its form, else its key in words ("datum_signaal" → "Datum signaal")."""
    if labels and key in labels:
        return labels[key]
    if key in SYSTEM_FIELDS:
        return SYSTEM_FIELDS[key]
    words = str(key).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def plain(value: Any) -> str:
    """A value as a person reads it: ja/nee, 1,5, text; lists joined by commas, objects as "Label: waarde"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, dict):
        return readable(value)
    if isinstance(value, list | tuple):
        return ", ".join(f"({plain(item)})" if isinstance(item, dict) else plain(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _choice_titles(spec: dict[str, Any]) -> dict[str, str]:
    options = spec.get("oneOf") or spec.get("anyOf") or []
    return {str(o["const"]): str(o.get("title") or o["const"]) for o in options
            if isinstance(o, dict) and "const" in o}


def field_value(value: Any, spec: dict[str, Any] | None = None) -> str:
    """A form field's value as its form shows it: the choice's title, a date in Dutch, ja/nee."""
    if not isinstance(spec, dict):
        return plain(value)
    titles = _choice_titles(spec)
    if isinstance(value, str) and value in titles:
        return titles[value]
    item_spec = spec.get("items")
    if isinstance(value, list) and isinstance(item_spec, dict):
        return ", ".join(field_value(item, item_spec) for item in value)
    if isinstance(value, str) and spec.get("format") in ("date", "date-time"):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return datum(moment) if spec["format"] == "date-time" else datum(moment.date())
    return plain(value)


# Case data the system fills in at intake from the region profile, by their Dutch names.
SYSTEM_FIELDS: dict[str, str] = {
    "regio": "Regio (uit het regioprofiel)",
    "organisaties": "Betrokken organisaties (uit het regioprofiel)",
    "termijn_terugkoppeling": "Termijn voor terugkoppeling",
}


def _role_label(key: str) -> str:
    try:
        return ROLE_LABELS[Role(key)]
    except ValueError:
        return key_label(key)


def system_value(key: str, value: Any, organisation_names: dict[str, str] | None = None) -> str | None:
    """A field the system computed, in words; ``None`` when ``key`` is not one of :data:`SYSTEM_FIELDS`.

    The region's contact lines are left out: they are the region profile's, not the case's, and the
    profile keeps them current.
    """
    if key not in SYSTEM_FIELDS:
        return None
    if key == "regio" and isinstance(value, dict):
        parts = [str(value.get("naam") or "")]
        parts += [f"{word} {value[field]}" for field, word in (("gemeente", "gemeente"), ("overleg", "overleg"))
                  if value.get(field)]
        return ", ".join(part for part in parts if part)
    if key == "organisaties" and isinstance(value, dict):
        names = organisation_names or {}
        return ", ".join(f"{_role_label(str(role))}: {names.get(str(slug), 'organisatie uit het regioprofiel')}"
                         for role, slug in sorted(value.items()))
    if key == "termijn_terugkoppeling" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{plain(value)} werkdagen"
    return plain(value)


def shown(key: str, value: Any, spec: dict[str, Any] | None = None,
          organisation_names: dict[str, str] | None = None) -> str:
    """One field's value as a person reads it: a computed field in words, else as its form shows it."""
    computed = system_value(key, value, organisation_names)
    return computed if computed is not None else field_value(value, spec)


def readable(data: dict[str, Any], labels: dict[str, str] | None = None,
             specs: dict[str, dict[str, Any]] | None = None, organisation_names: dict[str, str] | None = None) -> str:
    """Submitted or computed data as "Label: waarde; …" in field-name order, never a JSON blob."""
    specs = specs or {}
    return "; ".join(f"{key_label(key, labels)}: {shown(key, value, specs.get(key), organisation_names)}"
                     for key, value in sorted(data.items()))


def deploy_particulars(payload: dict[str, Any]) -> str:
    """A deployment as an auditor checks it: the reason given, each file and form with its SHA-256."""
    parts = [f"Toelichting: {payload.get('comment') or '(geen)'}"]
    parts += [f"Bestand {f.get('name')} (SHA-256 {f.get('sha256')})" for f in payload.get("files") or []
              if isinstance(f, dict)]
    parts += [f"Formulier {f.get('name')} (SHA-256 {f.get('sha256')})" for f in payload.get("forms") or []
              if isinstance(f, dict)]
    if payload.get("sha256"):
        parts.append(f"Uitrol SHA-256 {payload['sha256']}")
    return "; ".join(parts)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start:start + _IN_CHUNK]


class Vocabulary:
    """The names phrases need (task names, form labels, process versions), each read once."""

    def __init__(self, session: Session, forms: FormRepository | None = None):
        self.session = session
        self.forms = forms
        self._tasks: dict[int, tuple[str, str | None]] = {}
        self._versions: dict[int, str] = {}
        self._organisations: dict[str, str] | None = None

    def preload(self, events: Sequence[AuditEvent]) -> None:
        task_ids = {e.task_id for e in events if e.task_id is not None} - set(self._tasks)
        for chunk in _chunks(task_ids):
            for row in self.session.execute(
                    select(HumanTask.id, HumanTask.name, HumanTask.form).where(HumanTask.id.in_(chunk))):
                self._tasks[row.id] = (row.name, row.form)
        definition_ids = {e.definition_id for e in events if e.definition_id is not None} - set(self._versions)
        for chunk in _chunks(definition_ids):
            for definition in self.session.execute(
                    select(ProcessDefinition.id, ProcessDefinition.name, ProcessDefinition.process_id,
                           ProcessDefinition.version).where(ProcessDefinition.id.in_(chunk))):
                self._versions[definition.id] = (f"{definition.name or definition.process_id}, "
                                                 f"versie {definition.version}")

    def task_name(self, event: AuditEvent) -> str:
        found = self._tasks.get(event.task_id) if event.task_id is not None else None
        return found[0] if found else str(event.payload.get("element_id") or "")

    def known_task_name(self, event: AuditEvent) -> str | None:
        """The task's name as its users saw it, or ``None`` (never an element id)."""
        found = self._tasks.get(event.task_id) if event.task_id is not None else None
        return found[0] if found else None

    def version(self, definition_id: int | None) -> str | None:
        return self._versions.get(definition_id) if definition_id is not None else None

    def organisation_names(self) -> dict[str, str]:
        """Organisations by slug, read once: computed case data names them, never by slug."""
        if self._organisations is None:
            rows = self.session.execute(select(Organisation.slug, Organisation.name)).all()
            self._organisations = {slug: name for slug, name in rows}
        return self._organisations

    def specs(self, event: AuditEvent) -> dict[str, dict[str, Any]]:
        """The task's form fields (title, choices, format), so values read as the form showed them."""
        found = self._tasks.get(event.task_id) if event.task_id is not None else None
        form = found[1] if found else None
        if not form or self.forms is None or not self.forms.exists(form):
            return {}
        properties = self.forms.load(form).get("properties") or {}
        return {key: spec for key, spec in properties.items() if isinstance(spec, dict)}

    def labels(self, event: AuditEvent) -> dict[str, str]:
        """Field titles of the task's form, so a diff reads "Vorm van uitbuiting", not "vorm"."""
        return {key: str(spec.get("title") or key_label(key)) for key, spec in self.specs(event).items()}


def phrase(event: AuditEvent, vocabulary: Vocabulary) -> str:
    """What happened, in Dutch; the case page's phrase where it has one."""
    task = vocabulary.task_name(event)
    described = timeline.describe(event, task)
    if described is not None:
        return described
    template = _MORE.get(event.event_type)
    if template is None:
        return f"gebeurtenis ‘{event.event_type}’"
    values = _Payload({key: plain(value) for key, value in event.payload.items()})
    values["task"] = task
    if event.event_type == EventType.NOTE_ADDED:
        values["note_kind"] = _note_kind(event.payload)
    return template.format_map(values)


def person(event: AuditEvent, *, reveal_melder: bool) -> tuple[str, str | None, str | None, str | None]:
    """(shown name, username for filtering, role label, organisation); the system by its name."""
    if event.actor_id is None:
        system = f"Systeem ({event.actor_username})" if event.actor_username else "Systeem"
        return system, event.actor_username, None, None
    name, role, organisation = timeline.who(event, reveal_melder=reveal_melder)
    masked = event.actor_role == Role.MELDER and not reveal_melder
    return name or "", None if masked else event.actor_username, role, organisation


def facts(event: AuditEvent) -> tuple[tuple[str, str], ...]:
    """Particulars an auditor checks beyond the phrase: due times, error texts, replay outcomes."""
    payload = event.payload
    if event.event_type == EventType.TIMER_FIRED and payload.get("due_at"):
        late = payload.get("lateness_seconds")
        found = [("Termijn", datum(datetime.fromisoformat(str(payload["due_at"]))))]
        if isinstance(late, int | float):
            found.append(("Afgegaan", f"{plain(round(float(late), 1))} seconden na de termijn"))
        return tuple(found)
    if event.event_type == EventType.INSTANCE_FAILED:
        return (("Foutmelding", plain(payload.get("message"))), ("Element", plain(payload.get("element_id"))))
    if event.event_type == EventType.INSTANCE_REPLAYED:
        outcome = "consistent" if payload.get("consistent") else "wijkt af van het auditlog"
        return (("Uitkomst", outcome), ("Stappen", plain(payload.get("steps"))))
    if event.event_type == EventType.AUDIT_LOG_EXPORTED:
        return (("Regels", plain(payload.get("rows"))),)
    if event.event_type == EventType.DOSSIER_EXPORTED:
        return (("Gebeurtenissen", plain(payload.get("events"))),)
    if event.event_type == EventType.TASK_COMPLETED and isinstance(payload.get("context"), dict):
        context = payload["context"]  # a decision recorded on the meeting page
        return (("Besloten in", f"{plain(context.get('overleg_naam'))} (overleg {plain(context.get('overleg'))})"),)
    if event.event_type == EventType.NOTE_ADDED:
        return _note_facts(payload)
    if event.event_type == EventType.MEETING_AGENDA_ADDED and payload.get("acute_after_freeze"):
        return (("Let op", "acuut signaal, toegevoegd na het sluiten van de agenda"),)
    return ()


def _note_kind(payload: dict[str, Any]) -> str:
    has_text, has_file = bool(payload.get("text")), isinstance(payload.get("file"), dict)
    if has_text and has_file:
        return "een notitie met een bestand"
    return "een bestand" if has_file else "een notitie"


def _note_facts(payload: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Who may read the note, its text, and the file with the SHA-256 its bytes are stored under."""
    readers = payload.get("audience")
    labels = [role_label(str(r)) or str(r) for r in readers] if isinstance(readers, list) else []
    found = [("Mag lezen", ", ".join(labels) + " (en de auteur)")]
    if payload.get("text"):
        found.append(("Notitie", plain(payload["text"])))
    file = payload.get("file")
    if isinstance(file, dict):
        found += [("Bestand", plain(file.get("name"))), ("Soort", plain(file.get("type"))),
                  ("Grootte", f"{plain(file.get('size'))} bytes"), ("SHA-256", plain(file.get("sha256")))]
    return tuple(found)


def role_label(value: str | None) -> str | None:
    try:
        return ROLE_LABELS[Role(value)] if value else None
    except ValueError:
        return value
