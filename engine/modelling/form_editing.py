"""The form editor: check a form's JSON Schema, save it as a new version, read versions and snapshots.

A saved form applies to deployments made after it (:mod:`engine.modelling.form_catalogue`); running
cases keep the form their deployment stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.modelling.form_catalogue import FormCatalog, _sha256
from engine.modelling.forms import FormRepository, is_safe_name
from engine.models import DeploymentForm, FormVersion, User

MAX_FORM_BYTES = 256 * 1024  # the largest form in forms/ is a few kB; a schema this big is a mistake or an attack

MAX_COMMENT = 2000

MAX_FORM_DEPTH = 24  # groups in rows in groups: real forms stay far below; the renderer recurses per level



def _require_deployer(actor: Actor) -> None:
    if not actor.is_system and not access.can_deploy(actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag formulieren beheren.")



def _require_reader(actor: Actor) -> None:
    if not access.can_read_models(actor):
        raise Forbidden("Alleen een procesregisseur, beheerder of auditor mag de formulieren van een uitrol inzien.")



@dataclass
class SchemaCheck:
    """A schema as typed in the editor: parsed (when it parses) and every problem in Dutch."""

    schema: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.schema is not None and not self.problems

_SCHEMA_WORDS = {
    "type": "dit type kent JSON Schema niet (gebruik string, integer, number, boolean, array of object)",
    "anyOf": "deze waarde is hier niet toegestaan",
    "enum": "deze waarde is hier niet toegestaan",
    "minimum": "dit getal is te klein",
    "minItems": "deze lijst mag niet leeg zijn",
    "uniqueItems": "deze lijst bevat dubbele waarden",
    "format": "deze waarde heeft niet de juiste vorm",
    "pattern": "deze waarde heeft niet de juiste vorm",
}



def _schema_error(error: SchemaError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "(hoogste niveau)"
    if error.validator == "type" and error.absolute_path and error.absolute_path[-1] != "type":
        return f"Het schema is ongeldig bij ‘{where}’: verkeerd soort waarde (verwacht {error.validator_value})."
    reason = _SCHEMA_WORDS.get(str(error.validator), "deze waarde is ongeldig")
    return f"Het schema is ongeldig bij ‘{where}’: {reason}."



def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion (a hostile schema may nest thousands deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_FORM_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        stack.extend((child, depth + 1) for child in children)
    return deepest



def check_schema_text(text: str) -> SchemaCheck:
    """Parse and check a form schema as typed: valid JSON, a valid JSON Schema, an object with fields."""
    if len(text.encode("utf-8")) > MAX_FORM_BYTES:
        return SchemaCheck(None, [f"Het formulier is groter dan {MAX_FORM_BYTES // 1024} kB."])
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        return SchemaCheck(None, [f"Geen geldige JSON op regel {exc.lineno}, kolom {exc.colno}."])
    except RecursionError:
        return SchemaCheck(None, [f"Het formulier is dieper genest dan {MAX_FORM_DEPTH} niveaus."])
    if _depth(parsed) > MAX_FORM_DEPTH:
        return SchemaCheck(None, [f"Het formulier is dieper genest dan {MAX_FORM_DEPTH} niveaus."])
    if not isinstance(parsed, dict):
        return SchemaCheck(None, ["Een formulier is een JSON-object ({ … }) met ‘type’: ‘object’."])
    problems: list[str] = []
    try:
        Draft202012Validator.check_schema(parsed)
    except SchemaError as exc:
        problems.append(_schema_error(exc))
    if parsed.get("type") != "object":
        problems.append("Een formulier heeft op het hoogste niveau ‘type’: ‘object’.")
    if not isinstance(parsed.get("properties"), dict) or not parsed.get("properties"):
        problems.append("Een formulier heeft minstens één veld onder ‘properties’.")
    return SchemaCheck(parsed, problems)



@dataclass(frozen=True)
class FormSummary:
    name: str
    title: str
    version: int | None  # newest browser-saved version, None when only the file exists
    saved_at: datetime | None
    saved_by: str | None



def list_forms(session: Session, *, actor: Actor, repository: FormRepository) -> list[FormSummary]:
    _require_deployer(actor)
    catalog = FormCatalog(session, repository)
    rows = []
    for name in catalog.names():
        latest = catalog.latest(name)
        try:
            title = str(catalog.load(name).get("title") or name)
        except (ValueError, FileNotFoundError):
            title = name
        user = session.get(User, latest.saved_by_id) if latest and latest.saved_by_id else None
        saved_by = user.display_name if user is not None else None
        rows.append(FormSummary(name=name, title=title, version=latest.version if latest else None,
                                saved_at=latest.saved_at if latest else None, saved_by=saved_by))
    return rows



@dataclass(frozen=True)
class FormText:
    name: str
    text: str
    version: FormVersion | None  # None: the text is the file in forms/ (or a new form)
    history: list[FormVersion]



def form_text(session: Session, *, actor: Actor, repository: FormRepository, name: str) -> FormText:
    """The current text of a form for the editor, with its saved versions (newest first)."""
    _require_deployer(actor)
    if not is_safe_name(name):
        raise NotFound("Onbekend formulier.")
    catalog = FormCatalog(session, repository)
    found = catalog.source(name)
    if found is None:
        raise NotFound(f"Formulier '{name}' bestaat niet.")
    history = list(session.scalars(
        select(FormVersion).where(FormVersion.name == name).order_by(FormVersion.version.desc())
    ))
    return FormText(name=name, text=found[0].decode("utf-8"), version=history[0] if history else None,
                    history=history)



def save_form(session: Session, *, actor: Actor, now: datetime, repository: FormRepository, name: str, text: str,
              comment: str, new: bool = False) -> FormVersion:
    """Store the schema as the next version of the form; it applies to deployments from now on.

    Running cases are untouched: their deployments keep the copy they were deployed with.
    ``new`` creates a form that must not exist yet.
    """
    _require_deployer(actor)
    problems: dict[str, str] = {}
    if not is_safe_name(name):
        problems["naam"] = "Gebruik een bestandsnaam van letters, cijfers, - en _, eindigend op .json."
    comment = comment.strip()
    if not comment:
        problems["toelichting"] = "Schrijf kort op wat u wijzigt en waarom."
    elif len(comment) > MAX_COMMENT:
        problems["toelichting"] = f"Gebruik hoogstens {MAX_COMMENT} tekens."
    check = check_schema_text(text)
    if not check.ok:
        problems["schema"] = " ".join(check.problems)
    catalog = FormCatalog(session, repository)
    if not problems:
        current = catalog.source(name)
        if new and current is not None:
            problems["naam"] = "Er bestaat al een formulier met deze naam."
        elif not new and current is None:
            raise NotFound(f"Formulier '{name}' bestaat niet.")
        elif current is not None and current[0] == text.encode("utf-8"):
            problems["schema"] = "Het formulier is niet gewijzigd."
    if problems:
        raise ValidationFailed("Het formulier is niet opgeslagen.", problems)
    content = text.encode("utf-8")
    latest = session.scalar(select(func.max(FormVersion.version)).where(FormVersion.name == name))
    version = FormVersion(name=name, version=(latest or 0) + 1, content=content, sha256=_sha256(content),
                          comment=comment, saved_by_id=actor.user_id, saved_at=now)
    session.add(version)
    session.flush()
    log.record(session, event_type=EventType.FORM_SAVED, actor=actor, now=now, payload={
        "name": name, "version": version.version, "sha256": version.sha256, "comment": comment,
    })
    return version



def form_version_bytes(session: Session, *, actor: Actor, name: str, version: int) -> FormVersion:
    _require_deployer(actor)
    row = session.scalar(select(FormVersion).where(FormVersion.name == name, FormVersion.version == version))
    if row is None:
        raise NotFound("Deze versie van het formulier bestaat niet.")
    return row



def deployment_forms(session: Session, *, actor: Actor,
                     deployment_ids: Iterable[int]) -> dict[int, list[DeploymentForm]]:
    """The forms stored with each deployment (exact bytes and hash), by deployment id, by name."""
    _require_reader(actor)
    wanted = set(deployment_ids)
    found: dict[int, list[DeploymentForm]] = {d: [] for d in wanted}
    if wanted:
        for row in session.scalars(select(DeploymentForm).where(DeploymentForm.deployment_id.in_(wanted))
                                   .order_by(DeploymentForm.name)):
            found[row.deployment_id].append(row)
    return found



def deployment_form(session: Session, *, actor: Actor, deployment_id: int, name: str) -> DeploymentForm:
    """One form exactly as a deployment stored it (what its cases' tasks use)."""
    _require_reader(actor)
    row = session.scalar(select(DeploymentForm).where(DeploymentForm.deployment_id == deployment_id,
                                                      DeploymentForm.name == name))
    if row is None:
        raise NotFound("Dit formulier hoort niet bij deze uitrol.")
    return row

