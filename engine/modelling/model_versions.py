"""Deployed versions of a process for the modeller: history (who, when, why), files, and a diff.

Read-only over the immutable deployments (decision 3). Procesregisseurs and beheerders read them to
change them; the auditor reads the same history, files and diffs read-only: a change of process or form decides
where signals go, so it is part of the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import Case, Deployment, ModelFile, ProcessDefinition, User
from engine.models.cases import CaseStatus
from engine.workflow.bundle import BPMN_NS
from engine.workflow.diff import ModelDiff, diff_models
from engine.workflow.errors import ModelInvalid
from engine.workflow.xml import parse_untrusted_xml

DMN_DECISION = "decision"


def _require_deployer(actor: Actor) -> None:
    if not access.can_deploy(actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag procesmodellen bekijken en wijzigen.")


def _require_reader(actor: Actor) -> None:
    if not access.can_read_models(actor):
        raise Forbidden("Alleen een procesregisseur, beheerder of auditor mag procesmodellen bekijken.")


@dataclass(frozen=True)
class StoredFile:
    id: int
    filename: str
    kind: str
    sha256: str
    size: int
    included_from_id: int | None


@dataclass(frozen=True)
class VersionRow:
    definition_id: int
    process_id: str
    name: str
    version: int
    deployment_id: int
    deployed_at: datetime
    deployed_by: str | None
    comment: str
    files: list[StoredFile]
    main_file_id: int | None  # the BPMN file that defines this process
    active_cases: int
    cases: int


@dataclass(frozen=True)
class ProcessRow:
    process_id: str
    name: str
    latest_version: int
    versions: int
    deployed_at: datetime
    deployed_by: str | None


def _display_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.display_name if user is not None else None


def processes(session: Session, *, actor: Actor) -> list[ProcessRow]:
    """Every deployed process, with its newest version."""
    _require_reader(actor)
    counts = dict(session.execute(
        select(ProcessDefinition.process_id, func.count()).group_by(ProcessDefinition.process_id)
    ).tuples().all())
    rows = []
    latest: dict[str, ProcessDefinition] = {}
    for definition in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.process_id,
                                                                          ProcessDefinition.version.desc())):
        latest.setdefault(definition.process_id, definition)
    for process_id, definition in latest.items():
        rows.append(ProcessRow(
            process_id=process_id, name=definition.name, latest_version=definition.version,
            versions=int(counts.get(process_id, 0)), deployed_at=definition.deployment.deployed_at,
            deployed_by=_display_name(session, definition.deployment.deployed_by_id),
        ))
    return sorted(rows, key=lambda r: r.name.lower())


def defines_process(file: ModelFile, process_id: str) -> bool:
    if file.kind != "bpmn":
        return False
    try:
        root = parse_untrusted_xml(file.content, file.filename, len(file.content) + 1)
    except ModelInvalid:
        return False
    return any(node.get("id") == process_id for node in root.iter(f"{{{BPMN_NS}}}process"))


def process_file(definition: ProcessDefinition) -> ModelFile | None:
    """The file of the definition's deployment that defines its process (uploaded files first)."""
    files = sorted(definition.deployment.files, key=lambda f: (f.included_from_id is not None, f.id))
    return next((f for f in files if defines_process(f, definition.process_id)), None)


def _row(session: Session, definition: ProcessDefinition) -> VersionRow:
    deployment = definition.deployment
    counts = dict(session.execute(
        select(Case.status, func.count()).where(Case.definition_id == definition.id).group_by(Case.status)
    ).tuples().all())
    main = process_file(definition)
    return VersionRow(
        definition_id=definition.id, process_id=definition.process_id, name=definition.name,
        version=definition.version, deployment_id=deployment.id, deployed_at=deployment.deployed_at,
        deployed_by=_display_name(session, deployment.deployed_by_id), comment=deployment.comment,
        files=[StoredFile(f.id, f.filename, f.kind, f.sha256, len(f.content), f.included_from_id)
               for f in deployment.files],
        main_file_id=main.id if main else None,
        active_cases=int(counts.get(CaseStatus.ACTIVE, 0)), cases=int(sum(counts.values())),
    )


def history(session: Session, *, actor: Actor, process_id: str) -> list[VersionRow]:
    """Every version of a process, newest first: who deployed it, when, and why."""
    _require_reader(actor)
    definitions = list(session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc())
    ))
    if not definitions:
        raise NotFound(f"Proces '{process_id}' is niet uitgerold.")
    return [_row(session, d) for d in definitions]


def definition(session: Session, *, actor: Actor, process_id: str, version: int) -> ProcessDefinition:
    _require_reader(actor)
    found = session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id,
                                                           ProcessDefinition.version == version))
    if found is None:
        raise NotFound(f"Versie {version} van proces '{process_id}' bestaat niet.")
    return found


def version_file(session: Session, *, actor: Actor, process_id: str, version: int) -> ModelFile:
    """The exact stored BPMN file of one version of a process."""
    found = process_file(definition(session, actor=actor, process_id=process_id, version=version))
    if found is None:
        raise NotFound("Het bestand van deze versie is niet gevonden.")
    return found


def stored_file(session: Session, *, actor: Actor, file_id: int) -> ModelFile:
    """Any stored file of any deployment, byte for byte."""
    _require_reader(actor)
    found = session.get(ModelFile, file_id)
    if found is None:
        raise NotFound("Bestand niet gevonden.")
    return found


@dataclass(frozen=True)
class VersionDiff:
    process_id: str
    name: str
    old: VersionRow
    new: VersionRow
    diff: ModelDiff


def diff_versions(session: Session, *, actor: Actor, process_id: str, old: int, new: int) -> VersionDiff:
    """What changed in the process's file from version ``old`` to version ``new``."""
    if old == new:
        raise ValidationFailed("Kies twee verschillende versies.", {"naar": "Kies een andere versie dan ‘van’."})
    before = definition(session, actor=actor, process_id=process_id, version=old)
    after = definition(session, actor=actor, process_id=process_id, version=new)
    old_file, new_file = process_file(before), process_file(after)
    if old_file is None or new_file is None:
        raise NotFound("Het bestand van een van deze versies is niet gevonden.")
    limit = max(len(old_file.content), len(new_file.content)) + 1
    return VersionDiff(process_id=process_id, name=after.name, old=_row(session, before), new=_row(session, after),
                       diff=diff_models(old_file.content, new_file.content, max_bytes=limit))


def deployment_file(session: Session, *, actor: Actor, deployment_id: int, filename: str) -> ModelFile:
    """One stored file of a deployment by its name, byte for byte (the auditor's download)."""
    _require_reader(actor)
    found = session.scalar(select(ModelFile).where(ModelFile.deployment_id == deployment_id,
                                                   ModelFile.filename == filename))
    if found is None:
        raise NotFound("Dit bestand hoort niet bij deze uitrol.")
    return found


@dataclass(frozen=True)
class ProcessTrail:
    process_id: str
    name: str  # of the newest version
    versions: list[VersionRow]  # newest first


def trail(session: Session, *, actor: Actor) -> list[ProcessTrail]:
    """Every deployed process with every version (who, when, why, files and hashes), by name."""
    _require_reader(actor)
    grouped: dict[str, list[ProcessDefinition]] = {}
    for found in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.process_id,
                                                                     ProcessDefinition.version.desc())):
        grouped.setdefault(found.process_id, []).append(found)
    rows = [ProcessTrail(process_id=pid, name=defs[0].name, versions=[_row(session, d) for d in defs])
            for pid, defs in grouped.items()]
    return sorted(rows, key=lambda r: (r.name.lower(), r.process_id))


@dataclass(frozen=True)
class DecisionVersion:
    deployment_id: int
    deployed_at: datetime
    deployed_by: str | None
    comment: str
    file: StoredFile
    changed: bool  # the bytes differ from the previous upload of this file


@dataclass(frozen=True)
class DecisionTable:
    filename: str
    names: list[str]  # the decisions' names in the newest version
    versions: list[DecisionVersion]  # newest first


def decision_names(content: bytes, filename: str) -> list[str]:
    """The names of the decisions a DMN file defines (the id where a decision has no name)."""
    try:
        root = parse_untrusted_xml(content, filename, len(content) + 1)
    except ModelInvalid:
        return []
    return [str(n.get("name") or n.get("id")) for n in root.iter() if isinstance(n.tag, str)
            and n.tag.endswith("}" + DMN_DECISION) and (n.get("name") or n.get("id"))]


def decision_history(session: Session, *, actor: Actor) -> list[DecisionTable]:
    """Every uploaded DMN file (by name) with each deployment that carried it, newest first.

    Copies a deployment took along from an earlier one (``included_from_id``) are not new versions.
    """
    _require_reader(actor)
    files = session.scalars(select(ModelFile).where(ModelFile.kind == "dmn", ModelFile.included_from_id.is_(None))
                            .order_by(ModelFile.filename, ModelFile.deployment_id))
    grouped: dict[str, list[DecisionVersion]] = {}
    newest: dict[str, ModelFile] = {}
    for file in files:
        deployment = file.deployment
        earlier = grouped.setdefault(file.filename, [])
        earlier.append(DecisionVersion(
            deployment_id=deployment.id, deployed_at=deployment.deployed_at,
            deployed_by=_display_name(session, deployment.deployed_by_id), comment=deployment.comment,
            file=StoredFile(file.id, file.filename, file.kind, file.sha256, len(file.content), None),
            changed=not earlier or earlier[-1].file.sha256 != file.sha256))
        newest[file.filename] = file
    tables = [DecisionTable(filename=name, names=decision_names(newest[name].content, name),
                            versions=list(reversed(versions))) for name, versions in grouped.items()]
    return sorted(tables, key=lambda t: ((t.names[0] if t.names else t.filename).lower(), t.filename))


@dataclass(frozen=True)
class DecisionFile:
    file_id: int
    filename: str
    deployment_id: int
    deployed_at: datetime
    decision_ids: list[str]


def decision_ids(content: bytes, filename: str) -> list[str]:
    """The ids of the decisions a DMN file defines; none for a file that does not parse."""
    try:
        root = parse_untrusted_xml(content, filename, len(content) + 1)
    except ModelInvalid:
        return []
    return sorted(str(n.get("id")) for n in root.iter() if isinstance(n.tag, str)
                  and n.tag.endswith("}" + DMN_DECISION) and n.get("id"))


def decision_files(session: Session, *, actor: Actor, limit: int = 50) -> list[DecisionFile]:
    """The newest stored copy of each DMN file (by name), to open in the decision table editor."""
    _require_deployer(actor)
    newest: dict[str, DecisionFile] = {}
    for deployment in session.scalars(select(Deployment).order_by(Deployment.id.desc()).limit(limit)):
        for file in deployment.files:
            if file.kind == "dmn" and file.filename not in newest:
                newest[file.filename] = DecisionFile(file.id, file.filename, deployment.id, deployment.deployed_at,
                                                     decision_ids(file.content, file.filename))
    return sorted(newest.values(), key=lambda f: f.filename)


def known_decisions(session: Session, *, actor: Actor, limit: int = 50) -> list[str]:
    """Decision ids in the newest deployments (suggestions for a business rule task)."""
    _require_deployer(actor)
    found: set[str] = set()
    seen: set[str] = set()
    deployments = session.scalars(select(Deployment).order_by(Deployment.id.desc()).limit(limit))
    for deployment in deployments:
        for file in deployment.files:
            if file.kind != "dmn" or file.sha256 in seen:
                continue
            seen.add(file.sha256)
            found |= set(decision_ids(file.content, file.filename))
    return sorted(found)


__all__ = [
    "DecisionFile",
    "DecisionTable",
    "DecisionVersion",
    "ProcessTrail",
    "ProcessRow",
    "StoredFile",
    "VersionDiff",
    "VersionRow",
    "decision_files",
    "decision_history",
    "decision_names",
    "deployment_file",
    "definition",
    "diff_versions",
    "history",
    "known_decisions",
    "process_file",
    "processes",
    "stored_file",
    "trail",
    "version_file",
]
