"""Deploy process models as immutable versions (decision 3)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import access
from engine.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.errors import Forbidden, ModelRejected, NotFound, ValidationFailed
from engine.forms import FormRepository
from engine.models import Deployment, ModelFile, ProcessDefinition
from engine.roles import Role, parse_role
from engine.services.specs import bundle_for
from engine.workflow.bundle import Bundle, SourceFile, check_bundle
from engine.workflow.errors import ModelInvalid
from engine.workflow.xml import parse_untrusted_xml

_SEARCH_DEPTH = 50


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class _Resolver:
    """Finds earlier-deployed files for call activities and decisions the upload lacks."""

    def __init__(self, session: Session):
        self.session = session
        self.included: list[tuple[ModelFile, int]] = []

    def __call__(self, bundle: Bundle) -> None:
        for _round in range(10):
            wanted_processes = bundle.missing_processes()
            wanted_decisions = bundle.missing_decisions()
            if not wanted_processes and not wanted_decisions:
                return
            added = False
            deployments = self.session.scalars(
                select(Deployment).order_by(Deployment.id.desc()).limit(_SEARCH_DEPTH)
            )
            for deployment in deployments:
                source = bundle_for(deployment)
                provides = (wanted_processes & set(source.parser.process_parsers)) | (
                    wanted_decisions & set(source.parser.dmn_parsers)
                )
                if not provides:
                    continue
                for file in deployment.files:
                    self._include(bundle, file, deployment.id)
                wanted_processes -= provides
                wanted_decisions -= provides
                added = True
            if not added:
                return

    def _include(self, bundle: Bundle, file: ModelFile, deployment_id: int) -> None:
        if any(existing.sha256 == file.sha256 for existing, _ in self.included):
            return
        root = parse_untrusted_xml(file.content, file.filename, len(file.content) + 1)
        try:
            if file.kind == "bpmn":
                bundle.parser.add_bpmn_xml(root, file.filename)
            else:
                bundle.parser.add_dmn_xml(root, file.filename)
        except Exception:  # noqa: BLE001 - a duplicate id means the upload already defines it
            return
        self.included.append((file, deployment_id))


def deploy(session: Session, *, actor: Actor, now: datetime, files: list[SourceFile], comment: str,
           forms: FormRepository, default_role: str | None = None, max_bytes: int = 5 * 1024 * 1024) -> Deployment:
    """Check and store the files as a new immutable deployment; nothing is stored when invalid."""
    if not actor.is_system and not access.can_deploy(actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag modellen uitrollen.")
    if not files:
        raise ValidationFailed("Kies minstens één .bpmn- of .dmn-bestand.", {"files": "Verplicht"})
    try:
        role = parse_role(default_role) if default_role else Role.AF
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"default_role": str(exc)}) from exc
    resolver = _Resolver(session)
    try:
        bundle = check_bundle(files, form_exists=forms.exists, max_bytes=max_bytes, resolve=resolver)
    except ModelInvalid as exc:
        raise ModelRejected(
            "Het model is ongeldig en is niet opgeslagen.", [p.as_dict() for p in exc.problems]
        ) from exc

    stored: list[tuple[str, str, bytes, int | None]] = [(f.filename, f.kind, f.content, None) for f in files]
    uploaded_names = {f.filename for f in files}
    for file, source_id in resolver.included:
        name = file.filename if file.filename not in uploaded_names else f"{source_id}-{file.filename}"
        stored.append((name, file.kind, file.content, source_id))
    digest = hashlib.sha256(
        "".join(f"{name}\0{_sha256(content)}\n" for name, _k, content, _s in sorted(stored, key=lambda s: s[0]))
        .encode()
    ).hexdigest()
    deployment = Deployment(sha256=digest, comment=comment.strip(), deployed_by_id=actor.user_id, deployed_at=now)
    session.add(deployment)
    session.flush()
    for name, kind, content, origin in stored:
        session.add(ModelFile(deployment_id=deployment.id, filename=name, kind=kind, content=content,
                              sha256=_sha256(content), included_from_id=origin))
    uploaded_processes = set()
    for source in files:
        if source.kind == "bpmn":
            uploaded_processes |= {pid for pid in bundle.executable_process_ids
                                   if bundle.locations.get(pid, ("",))[0] == source.filename}
    for process_id in sorted(uploaded_processes):
        latest = session.scalar(
            select(func.max(ProcessDefinition.version)).where(ProcessDefinition.process_id == process_id)
        )
        session.add(ProcessDefinition(
            deployment_id=deployment.id, process_id=process_id,
            name=bundle.process_names.get(process_id, process_id), version=(latest or 0) + 1,
            default_role=str(role),
        ))
    session.flush()
    session.refresh(deployment)
    log.record(session, event_type=EventType.PROCESS_DEPLOYED, actor=actor, now=now, payload={
        "deployment_id": deployment.id,
        "sha256": digest,
        "comment": deployment.comment,
        "files": [{"name": n, "sha256": _sha256(c), "included_from": s} for n, _k, c, s in stored],
        "processes": [{"process_id": d.process_id, "version": d.version} for d in deployment.definitions],
    })
    return deployment


def list_definitions(session: Session, *, latest_only: bool = False) -> list[ProcessDefinition]:
    query = select(ProcessDefinition).order_by(ProcessDefinition.process_id, ProcessDefinition.version.desc())
    definitions = list(session.scalars(query))
    if not latest_only:
        return definitions
    newest: dict[str, ProcessDefinition] = {}
    for definition in definitions:  # ordered newest version first per process
        newest.setdefault(definition.process_id, definition)
    return list(newest.values())


def latest_definition(session: Session, process_id: str) -> ProcessDefinition:
    definition = session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )
    if definition is None:
        raise NotFound(f"Proces '{process_id}' is niet uitgerold.")
    return definition
