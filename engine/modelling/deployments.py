"""Deploy process models as immutable versions (decision 3)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from lxml import etree
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import Role, parse_role
from engine.audit import log
from engine.audit.events import EventType
from engine.errors import Forbidden, ModelRejected, NotFound, ValidationFailed
from engine.modelling import form_catalogue, model_ownership
from engine.modelling.forms import FormRepository
from engine.modelling.specs import bundle_for
from engine.models import Deployment, ModelFile, ProcessDefinition
from engine.workflow import foreign
from engine.workflow.bundle import Bundle, SourceFile, check_bundle
from engine.workflow.errors import ModelInvalid, ModelProblem
from engine.workflow.lint import lint_files
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
        # SpiffWorkflow's add_dmn_xml silently replaces a decision the bundle already has: an earlier
        # copy of a table must never override the one being deployed, so such a file stays out.
        kind = "process" if file.kind == "bpmn" else "decision"
        ids = {n.get("id") for n in root if isinstance(n.tag, str) and etree.QName(n).localname == kind}
        defined = set(bundle.parser.process_parsers) | set(bundle.parser.dmn_parsers)
        if ids & defined:
            return
        try:
            if file.kind == "bpmn":
                bundle.parser.add_bpmn_xml(root, file.filename)
            else:
                bundle.parser.add_dmn_xml(root, file.filename)
        except Exception:  # noqa: BLE001 - a duplicate id means the upload already defines it
            return
        self.included.append((file, deployment_id))


def _checked(session: Session, files: list[SourceFile], catalog: form_catalogue.FormCatalog,
             max_bytes: int) -> tuple[Bundle, _Resolver]:
    """Every deploy-time check (:func:`check_bundle`), with earlier deployments resolving what is called."""
    resolver = _Resolver(session)
    try:
        bundle = check_bundle(files, form_exists=catalog.exists, max_bytes=max_bytes, resolve=resolver)
    except ModelInvalid as exc:
        raise ModelRejected(
            "Het model is ongeldig en is niet opgeslagen.", [p.as_dict() for p in exc.problems]
        ) from exc
    return bundle, resolver


def _require_deployer(actor: Actor) -> None:
    if not actor.is_system and not access.can_deploy(actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag modellen uitrollen.")


def validate(session: Session, *, actor: Actor, files: list[SourceFile], forms: FormRepository,
             max_bytes: int = 5 * 1024 * 1024, lint: bool = True) -> list[ModelProblem]:
    """Dry run of :func:`deploy`: the same checks on the same bundle, plus the model lint; nothing stored.

    Returns every problem (empty: the files would deploy). ``lint`` adds what
    :mod:`engine.workflow.lint` asks of a model that goes live (reachability, a default path on
    exclusive gateways, user tasks with a lane and a form); the modeller's deploy requires both.
    """
    _require_deployer(actor)
    if not files:
        return [ModelProblem("Kies minstens één .bpmn- of .dmn-bestand.")]
    problems: list[ModelProblem] = []
    try:
        model_ownership.require_may_deploy(session, actor, files)
    except Forbidden as exc:
        problems.append(ModelProblem(exc.message))
    try:
        _checked(session, files, form_catalogue.FormCatalog(session, forms), max_bytes)
    except ModelRejected as exc:
        problems.extend(ModelProblem(**p) for p in exc.details)
    if lint:
        roots = []
        for source in files:
            if source.kind != "bpmn":
                continue
            try:
                roots.append((source.filename, parse_untrusted_xml(source.content, source.filename, max_bytes)))
            except ModelInvalid:
                continue  # already reported by the checks above
        problems.extend(lint_files(roots, strict=True))
    return list(dict.fromkeys(problems))


def warnings(files: list[SourceFile], *, max_bytes: int = 5 * 1024 * 1024) -> list[ModelProblem]:
    """What the files ask of another engine and this runtime ignores (``camunda:assignee``, ``zeebe:*``).

    Never a reason to refuse: reported at deploy and by "Controleren" so nobody relies on them.
    """
    roots = []
    for source in files:
        try:
            roots.append((source.filename, parse_untrusted_xml(source.content, source.filename, max_bytes)))
        except ModelInvalid:
            continue  # a broken file is a problem, reported by the checks
    return foreign.ignored_settings(roots)


def deploy(session: Session, *, actor: Actor, now: datetime, files: list[SourceFile], comment: str,
           forms: FormRepository, default_role: str | None = None, max_bytes: int = 5 * 1024 * 1024) -> Deployment:
    """Check and store the files as a new immutable deployment; nothing is stored when invalid.

    The deployment also stores the exact JSON of every form its tasks name (a browser-saved
    version before the file in ``forms/``), so its cases keep those forms.
    """
    _require_deployer(actor)
    if not files:
        raise ValidationFailed("Kies minstens één .bpmn- of .dmn-bestand.", {"files": "Verplicht"})
    model_ownership.require_may_deploy(session, actor, files)
    try:
        role = parse_role(default_role) if default_role else Role.AF
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"default_role": str(exc)}) from exc
    catalog = form_catalogue.FormCatalog(session, forms)
    bundle, resolver = _checked(session, files, catalog, max_bytes)

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
    used_forms = form_catalogue.forms_named(content for _n, kind, content, _s in stored if kind == "bpmn")
    kept_forms = form_catalogue.snapshot(session, deployment_id=deployment.id, names=used_forms, catalog=catalog)
    session.flush()
    session.refresh(deployment)
    log.record(session, event_type=EventType.PROCESS_DEPLOYED, actor=actor, now=now, payload={
        "deployment_id": deployment.id,
        "sha256": digest,
        "comment": deployment.comment,
        "files": [{"name": n, "sha256": _sha256(c), "included_from": s} for n, _k, c, s in stored],
        "forms": [{"name": f.name, "sha256": f.sha256} for f in kept_forms],
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


# Built once: every case start runs it, and a statement memoizes its cache key.
_LATEST = (select(ProcessDefinition).where(ProcessDefinition.process_id == bindparam("process_id"))
           .order_by(ProcessDefinition.version.desc()).limit(1))


def latest_definition(session: Session, process_id: str) -> ProcessDefinition:
    definition = session.execute(_LATEST, {"process_id": process_id}).scalar()
    if definition is None:
        raise NotFound(f"Proces '{process_id}' is niet uitgerold.")
    return definition
