"""Which form a task of a deployed process version uses, so every case keeps the form it started with.

Three layers, newest last:

- ``forms/`` on disk is the seed, as ``processes/`` is for models;
- a form saved in the browser becomes a numbered :class:`FormVersion` in the database and takes
  precedence over the file for every later deployment (:class:`FormCatalog`);
- each deployment stores a copy of every form its user tasks name (:func:`snapshot`), and
  :func:`form_for` answers "which schema does a task of *this* process version use", so an old
  case keeps the form it started with, whatever is saved or deployed afterwards.

Editing forms in the browser is :mod:`engine.modelling.form_editing`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.modelling.forms import FormRepository, is_safe_name, validate_against, validate_with, validator_for
from engine.models import DeploymentForm, FormVersion, ProcessDefinition
from engine.workflow.bundle import FORM_PROPERTY
from engine.workflow.errors import ModelInvalid
from engine.workflow.xml import parse_untrusted_xml

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"



def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()



class FormCatalog:
    """The forms a new deployment may use: the newest browser-saved version, else the file.

    Quacks like :class:`FormRepository` where deploy needs it (``exists``, ``load``), and
    remembers what it looked up, because a model names the same form on many tasks.
    """

    def __init__(self, session: Session, repository: FormRepository):
        self.session = session
        self.repository = repository
        self._found: dict[str, tuple[bytes, int | None] | None] = {}

    def latest(self, name: str) -> FormVersion | None:
        return self.session.scalar(
            select(FormVersion).where(FormVersion.name == name).order_by(FormVersion.version.desc()).limit(1)
        )

    def source(self, name: str) -> tuple[bytes, int | None] | None:
        """(exact bytes, form version id or None for the file), or None when there is no such form."""
        if name not in self._found:
            found: tuple[bytes, int | None] | None = None
            if is_safe_name(name):
                version = self.latest(name)
                path = self.repository.path(name)
                if version is not None:
                    found = (version.content, version.id)
                elif path is not None:
                    found = (path.read_bytes(), None)
            self._found[name] = found
        return self._found[name]

    def exists(self, name: str) -> bool:
        return self.source(name) is not None

    def load(self, name: str) -> dict[str, Any]:
        found = self.source(name)
        if found is None:
            raise FileNotFoundError(name)
        schema: dict[str, Any] = json.loads(found[0])
        return schema

    def names(self) -> list[str]:
        stored = set(self.session.scalars(select(FormVersion.name).distinct()))
        return sorted(stored | set(self.repository.names()))



def forms_named(contents: Iterable[bytes]) -> set[str]:
    """Every form (``formJsonSchemaFilename``) that the given BPMN files name on a task."""
    names: set[str] = set()
    for content in contents:
        try:
            root = parse_untrusted_xml(content, "model.bpmn", len(content) + 1)
        except ModelInvalid:
            continue
        for node in root.iter(f"{{{SPIFF_NS}}}property"):
            if node.get("name") == FORM_PROPERTY and node.get("value"):
                names.add(str(node.get("value")))
    return names



def snapshot(session: Session, *, deployment_id: int, names: Iterable[str],
             catalog: FormCatalog) -> list[DeploymentForm]:
    """Store the current bytes of each named form with the deployment (called by deploy)."""
    rows = []
    for name in sorted(set(names)):
        found = catalog.source(name)
        if found is None:  # deploy's checks refuse a missing form of an uploaded file; an included one keeps its file
            continue
        content, version_id = found
        row = DeploymentForm(deployment_id=deployment_id, name=name, content=content, sha256=_sha256(content),
                             form_version_id=version_id)
        session.add(row)
        rows.append(row)
    return rows

_STORED_FORM = (select(DeploymentForm.content)
                .join(ProcessDefinition, ProcessDefinition.deployment_id == DeploymentForm.deployment_id)
                .where(ProcessDefinition.id == bindparam("definition_id"), DeploymentForm.name == bindparam("name")))



def _stored_form(session: Session, definition_id: int, name: str) -> bytes | None:
    """The deployment's own copy of the form, in one statement (definition joined to its deployment)."""
    content: bytes | None = session.execute(_STORED_FORM, {"definition_id": definition_id, "name": name}).scalar()
    return content



def form_for(session: Session, definition_id: int, name: str, *,
             fallback: FormRepository | None = None) -> dict[str, Any] | None:
    """The schema that tasks of this process version use: the deployment's own copy.

    Deployments made before forms were stored with them have no copy; then the file in
    ``fallback`` (``forms/``) is used, as it was then. None when neither has the form.
    """
    content = _stored_form(session, definition_id, name)
    if content is not None:
        schema: dict[str, Any] = json.loads(content)
        return schema
    if fallback is not None and fallback.exists(name):
        return fallback.load(name)
    return None



@lru_cache(maxsize=64)
def _stored_validator(content: bytes) -> Draft202012Validator:
    """A validator per stored form, keyed by the form's bytes themselves, so it can never be stale."""
    return validator_for(json.loads(content))



def validate_for(session: Session, definition_id: int, name: str, data: dict[str, Any], *,
                 fallback: FormRepository | None = None) -> dict[str, str]:
    """Field -> Dutch message, checked against the form of this process version (see :func:`form_for`)."""
    content = _stored_form(session, definition_id, name)
    if content is not None:
        return validate_with(_stored_validator(content), data)
    schema = form_for(session, definition_id, name, fallback=fallback)
    if schema is None:
        raise NotFound(f"Formulier '{name}' van deze procesversie ontbreekt.")
    return validate_against(schema, data)

