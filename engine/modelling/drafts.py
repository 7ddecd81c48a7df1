"""Drafts in the modeller: saved on the server (work survives a closed browser), validated, deployed as a new version.

A draft is one BPMN or DMN file. It is untrusted XML at every save (it comes from a browser or
an upload), so every save passes the upload rules: size limit, no DTD or entities, bounded
depth, the right root element. Validation is the deploy validation itself
(:func:`engine.modelling.deployments.validate`: the same checks on the same bundle, plus the
model lint), never a copy of it; deploying validates again and refuses on any problem, so a draft
that does not validate cannot become a version, whatever the browser says.

A DMN draft deploys together with the newest files whose processes call its decisions: a
decision table on its own runs nowhere, and those processes get a new version that uses it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from lxml import etree
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.db import keep_on_refusal
from engine.errors import Conflict, Forbidden, ModelRejected, NotFound, ValidationFailed
from engine.modelling import deployments, element_ids, model_ownership, model_versions
from engine.modelling.forms import FormRepository
from engine.models import Deployment, ModelDraft, ModelFile, Organisation, ProcessDefinition, User
from engine.workflow.bundle import BPMN_NS, DMN_NAMESPACES, NOT_A_MODEL, SourceFile
from engine.workflow.errors import ModelInvalid, ModelProblem
from engine.workflow.xml import parse_untrusted_xml

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_OPEN_DRAFTS = 200  # drafts are cheap to make; a bound keeps a runaway script from filling the database
MAX_COMMENT = 2000
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.(bpmn|dmn|xml)$", re.IGNORECASE)
_XML_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,120}$")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _require_deployer(actor: Actor) -> None:
    if not access.can_deploy(actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag procesmodellen wijzigen.")


@dataclass(frozen=True)
class Parsed:
    kind: str
    process_id: str | None
    title: str
    decision_ids: list[str]


def _parse(filename: str, content: bytes, max_bytes: int) -> Parsed:
    """Apply the untrusted-XML rules and read what the draft is about; raise ModelRejected otherwise."""
    try:
        root = parse_untrusted_xml(content, filename, max_bytes)
    except ModelInvalid as exc:
        raise ModelRejected("Het model is niet opgeslagen.", [p.as_dict() for p in exc.problems]) from exc
    namespace = etree.QName(root).namespace  # the root decides, not the name (.bpmn20.xml, .xml)
    if namespace == BPMN_NS:
        processes = [p for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("id")]
        main = next((p for p in processes if p.get("isExecutable") == "true"), processes[0] if processes else None)
        title = (main.get("name") or main.get("id")) if main is not None else filename
        return Parsed("bpmn", main.get("id") if main is not None else None, str(title), [])
    if namespace in DMN_NAMESPACES:
        decisions = [d for d in root if isinstance(d.tag, str) and etree.QName(d).localname == "decision"]
        ids = [str(d.get("id")) for d in decisions if d.get("id")]
        title = root.get("name") or (decisions[0].get("name") if decisions else None) or filename
        return Parsed("dmn", None, str(title), ids)
    raise ModelRejected("Het model is niet opgeslagen.", [ModelProblem(NOT_A_MODEL, file=filename).as_dict()])


def _check_room(session: Session) -> None:
    open_drafts = session.scalar(select(func.count()).select_from(ModelDraft).where(ModelDraft.deployment_id.is_(None)))
    if (open_drafts or 0) >= MAX_OPEN_DRAFTS:
        raise Conflict(f"Er staan al {MAX_OPEN_DRAFTS} concepten open; rol er eerst een uit of verwijder er een.")


def _new(session: Session, *, actor: Actor, now: datetime, filename: str, content: bytes, max_bytes: int,
         base_file_id: int | None = None) -> ModelDraft:
    _require_deployer(actor)
    _check_room(session)
    parsed = _parse(filename, content, max_bytes)
    # Refused at the start, not only at deploy: no afternoon of work on a model that is not theirs.
    refusal = (model_ownership.process_refusal(session, actor, parsed.process_id) if parsed.process_id
               else model_ownership.decisions_refusal(session, actor, parsed.decision_ids))
    if refusal:
        raise Forbidden(refusal)
    draft = ModelDraft(filename=filename, kind=parsed.kind, process_id=parsed.process_id, title=parsed.title[:300],
                       content=content, sha256=_sha256(content), base_file_id=base_file_id, revision=1, check_ok=False,
                       problems=[], created_by_id=actor.user_id, created_at=now, updated_by_id=actor.user_id,
                       updated_at=now)
    session.add(draft)
    session.flush()
    return draft


def open_version(session: Session, *, actor: Actor, now: datetime, process_id: str, version: int,
                 max_bytes: int) -> ModelDraft:
    """A new draft holding the exact file of a deployed version."""
    file = model_versions.version_file(session, actor=actor, process_id=process_id, version=version)
    return _new(session, actor=actor, now=now, filename=file.filename, content=file.content,
                max_bytes=max(max_bytes, len(file.content)), base_file_id=file.id)


def open_file(session: Session, *, actor: Actor, now: datetime, file_id: int, max_bytes: int) -> ModelDraft:
    """A new draft holding any stored file (a DMN file of a deployment, say)."""
    file = model_versions.stored_file(session, actor=actor, file_id=file_id)
    return _new(session, actor=actor, now=now, filename=file.filename, content=file.content,
                max_bytes=max(max_bytes, len(file.content)), base_file_id=file.id)


def upload(session: Session, *, actor: Actor, now: datetime, filename: str, content: bytes,
           max_bytes: int) -> ModelDraft:
    """A new draft from an uploaded file (untrusted: the same rules as a deploy upload)."""
    name = PurePath(filename or "").name
    if not _FILENAME.fullmatch(name):
        raise ValidationFailed("Kies een .bpmn-, .dmn- of .xml-bestand.", {"bestand": (
            "Kies een .bpmn-, .dmn- of .xml-bestand (ook .bpmn20.xml) met een naam van letters, cijfers, - en _.")})
    return _new(session, actor=actor, now=now, filename=name, content=content, max_bytes=max_bytes)


_EMPTY_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_{id}" \
targetNamespace="https://signaalroute.nl/processen">
  <bpmn:process id="{id}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="{id}_start" name="Signaal ontvangen" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_{id}">
    <bpmndi:BPMNPlane id="Plane_{id}" bpmnElement="{id}">
      <bpmndi:BPMNShape id="{id}_start_di" bpmnElement="{id}_start">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

_EMPTY_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Defs_{id}" name="{name}" \
namespace="https://signaalroute.nl/processen">
  <decision id="{id}" name="{name}">
    <decisionTable id="{id}_tabel" hitPolicy="FIRST">
      <input id="{id}_in" label="Invoer">
        <inputExpression id="{id}_in_expr" typeRef="string"><text>invoer</text></inputExpression>
      </input>
      <output id="{id}_uit" label="Uitkomst" name="uitkomst" typeRef="string" />
    </decisionTable>
  </decision>
</definitions>
"""


def create_empty(session: Session, *, actor: Actor, now: datetime, kind: str, element_id: str, name: str,
                 max_bytes: int) -> ModelDraft:
    """A new process (with one start event) or decision table, to draw from scratch."""
    _require_deployer(actor)
    problems = {}
    if kind not in ("bpmn", "dmn"):
        problems["soort"] = "Kies een proces of een beslistabel."
    if not _XML_ID.fullmatch(element_id):
        problems["id"] = "Gebruik letters, cijfers en _ (begin met een letter), bijvoorbeeld signaal_regio."
    name = " ".join(name.split())
    if not name:
        problems["naam"] = "Geef een naam."
    if problems:
        raise ValidationFailed("Het concept is niet gemaakt.", problems)
    template = _EMPTY_BPMN if kind == "bpmn" else _EMPTY_DMN
    content = template.format(id=element_id, name=_xml_attr(name[:200])).encode("utf-8")
    return _new(session, actor=actor, now=now, filename=f"{element_id}.{kind}", content=content, max_bytes=max_bytes)


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def _same_region(session: Session, actor: Actor) -> ColumnElement[bool]:
    """Drafts started by someone of the actor's region; a landelijke regisseur or beheerder sees all."""
    region = model_ownership.actor_region(session, actor)
    if region is None:
        return true()
    return ModelDraft.created_by_id.in_(
        select(User.id).join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.region == region, User.role != Role.BEHEERDER))


def list_open(session: Session, *, actor: Actor) -> list[ModelDraft]:
    _require_deployer(actor)
    return list(session.scalars(
        select(ModelDraft).where(ModelDraft.deployment_id.is_(None), _same_region(session, actor))
        .order_by(ModelDraft.updated_at.desc())
    ))


def get(session: Session, *, actor: Actor, draft_id: int) -> ModelDraft:
    """:raises NotFound: also for another region's draft, so its existence does not leak."""
    _require_deployer(actor)
    draft = session.scalar(select(ModelDraft).where(ModelDraft.id == draft_id, _same_region(session, actor)))
    if draft is None:
        raise NotFound("Dit concept bestaat niet (meer).")
    return draft


def author(session: Session, draft: ModelDraft) -> str | None:
    user = session.get(User, draft.updated_by_id) if draft.updated_by_id else None
    return user.display_name if user else None


def _editable(session: Session, actor: Actor, draft_id: int, revision: int | None) -> ModelDraft:
    draft = get(session, actor=actor, draft_id=draft_id)
    if draft.deployment_id is not None:
        raise Conflict("Dit concept is al uitgerold; open de nieuwe versie om verder te werken.")
    if revision is not None and revision != draft.revision:
        raise Conflict("Iemand anders heeft dit concept intussen opgeslagen. Laad de pagina opnieuw; "
                       "uw wijzigingen van daarna gaan anders verloren.")
    return draft


def save(session: Session, *, actor: Actor, now: datetime, draft_id: int, content: bytes, revision: int,
         max_bytes: int) -> ModelDraft:
    """Store new content (checked as untrusted XML); ``revision`` must be the one the editor loaded."""
    draft = _editable(session, actor, draft_id, revision)
    parsed = _parse(draft.filename, content, max_bytes)
    if parsed.kind != draft.kind:
        raise ValidationFailed("Een concept blijft hetzelfde soort model.", {"bestand": "Verkeerd soort model."})
    if content != draft.content:
        draft.content = content
        draft.sha256 = _sha256(content)
        draft.process_id = parsed.process_id
        draft.title = parsed.title[:300]
        draft.updated_at = now
        draft.updated_by_id = actor.user_id
        draft.revision += 1
        session.flush()
    return draft


def discard(session: Session, *, actor: Actor, draft_id: int) -> str:
    draft = _editable(session, actor, draft_id, None)
    title = draft.title
    session.delete(draft)
    session.flush()
    return title


def _decision_callers(session: Session, decision_ids: list[str]) -> list[SourceFile]:
    """The newest stored BPMN files that call one of these decisions (one file per name)."""
    wanted = set(decision_ids)
    found: dict[str, SourceFile] = {}
    latest = deployments.list_definitions(session, latest_only=True)
    for definition in sorted(latest, key=lambda d: d.deployment_id, reverse=True):
        for file in definition.deployment.files:
            if file.kind != "bpmn" or file.filename in found:
                continue
            try:
                root = parse_untrusted_xml(file.content, file.filename, len(file.content) + 1)
            except ModelInvalid:
                continue
            called = {(n.text or "").strip() for n in root.iter(f"{{{SPIFF_NS}}}calledDecisionId")}
            if called & wanted:
                found[file.filename] = SourceFile(file.filename, file.content)
    return list(found.values())


def files_to_deploy(session: Session, draft: ModelDraft, max_bytes: int) -> tuple[list[SourceFile], list[ModelProblem]]:
    """What deploying this draft uploads: the draft, plus for a DMN draft the processes that call it."""
    files = [SourceFile(draft.filename, draft.content)]
    if draft.kind != "dmn":
        return files, []
    parsed = _parse(draft.filename, draft.content, max(max_bytes, len(draft.content)))
    callers = [f for f in _decision_callers(session, parsed.decision_ids) if f.filename != draft.filename]
    if not callers:
        return files, [ModelProblem(
            "Geen uitgerold proces roept een beslissing uit deze tabel aan (calledDecisionId); "
            "rol eerst een proces uit dat haar gebruikt.", file=draft.filename)]
    return files + callers, []


@dataclass(frozen=True)
class Check:
    ok: bool
    problems: list[dict[str, Any]]
    revision: int
    files: list[str]  # the files that were checked together (a DMN draft: with its callers)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # ignored by the runtime; never block


def validate(session: Session, *, actor: Actor, now: datetime, draft_id: int, forms: FormRepository,
             max_bytes: int) -> Check:
    """The full deploy validation plus the lint, nothing deployed; the outcome is kept on the draft."""
    draft = get(session, actor=actor, draft_id=draft_id)
    files, problems = files_to_deploy(session, draft, max_bytes)
    problems += _renamed_in_use(session, draft, max_bytes)
    problems += deployments.validate(session, actor=actor, files=files, forms=forms,
                                     max_bytes=max(max_bytes, *(len(f.content) for f in files)))
    found = [p.as_dict() for p in dict.fromkeys(problems)]
    if draft.deployment_id is None:
        draft.checked_sha256 = draft.sha256
        draft.check_ok = not found
        draft.problems = found
        session.flush()
    ignored = [w.as_dict() for w in deployments.warnings(files, max_bytes=max(max_bytes, *(len(f.content)
                                                                                       for f in files)))]
    return Check(ok=not found, problems=found, revision=draft.revision, files=[f.filename for f in files],
                 warnings=ignored)


def deploy(session: Session, *, actor: Actor, now: datetime, draft_id: int, revision: int, comment: str,
           forms: FormRepository, max_bytes: int) -> Deployment:
    """Validate again and deploy the draft as a new immutable version; refuse on any problem.

    Deployment itself (storage, version numbers, the forms it uses, the audit event) is
    :func:`engine.modelling.deployments.deploy`, as for every other way of deploying.
    """
    draft = _editable(session, actor, draft_id, revision)
    comment = comment.strip()
    if not comment:
        raise ValidationFailed("Schrijf bij het uitrollen waarom deze versie er komt.",
                               {"toelichting": "Een toelichting is verplicht."})
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed("De toelichting is te lang.",
                               {"toelichting": f"Gebruik hoogstens {MAX_COMMENT} tekens."})
    check = validate(session, actor=actor, now=now, draft_id=draft_id, forms=forms, max_bytes=max_bytes)
    if not check.ok:
        keep_on_refusal(session, "draft check result")  # the editor shows the problems on the stored draft
        raise ModelRejected("Het concept bevat fouten en is niet uitgerold.", check.problems)
    files, _ = files_to_deploy(session, draft, max_bytes)
    deployment = deployments.deploy(session, actor=actor, now=now, files=files, comment=comment, forms=forms,
                                    max_bytes=max(max_bytes, *(len(f.content) for f in files)))
    draft.deployment_id = deployment.id
    draft.deployed_at = now
    session.flush()
    return deployment


def deployed_definition(session: Session, deployment: Deployment, draft: ModelDraft) -> ProcessDefinition | None:
    """The new version the draft's own process got (None for a DMN draft: its callers got them)."""
    return next((d for d in deployment.definitions if d.process_id == draft.process_id), None)


def deployed_file(session: Session, draft: ModelDraft) -> ModelFile | None:
    """The newest deployed file of the draft's process: what its running cases' ids come from."""
    if draft.kind != "bpmn" or not draft.process_id:
        return None
    newest = session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == draft.process_id)
                             .order_by(ProcessDefinition.version.desc()).limit(1)).first()
    return model_versions.process_file(newest) if newest is not None else None


def ids_in_use(session: Session, draft: ModelDraft) -> dict[str, int]:
    """Element ids of the draft's process where running cases stand (the panel refuses to rename them)."""
    return element_ids.ids_in_use(session, draft.process_id) if draft.kind == "bpmn" and draft.process_id else {}


def _renamed_in_use(session: Session, draft: ModelDraft, max_bytes: int) -> list[ModelProblem]:
    deployed = deployed_file(session, draft)
    if deployed is None:
        return []
    return element_ids.renamed_in_use(deployed.content, draft.content, ids_in_use(session, draft),
                                      filename=draft.filename, max_bytes=max(max_bytes, len(deployed.content)))


def base_file(session: Session, draft: ModelDraft) -> ModelFile | None:
    return session.get(ModelFile, draft.base_file_id) if draft.base_file_id else None


__all__ = [
    "Check",
    "MAX_OPEN_DRAFTS",
    "create_empty",
    "deploy",
    "deployed_definition",
    "deployed_file",
    "discard",
    "files_to_deploy",
    "get",
    "ids_in_use",
    "list_open",
    "open_file",
    "open_version",
    "save",
    "upload",
    "validate",
]
