"""Which region owns a process model or decision table, and who may change it (least privilege).

A region's procesregisseur changes that region's models; models every region uses (the shared call
activities, the routing table) are changed only by someone outside any single region: a landelijke
procesregisseur (an organisation without a region) or the beheerder. Reading models stays open to
every deployer: they hold policy, never case data.

The owner of a process is, in this order:
1. the ``regio`` property its newest deployed version declares on the process
   (``<spiffworkflow:property name="regio" value="fryslan"/>``): the region routes in ``processes/``;
2. otherwise the region of the person who deployed its first version;
3. otherwise nobody: shared.
A decision table has no such property: its owner is the region of who first deployed it, else shared.
Running cases of a process are migrated under the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.errors import Forbidden
from engine.modelling import model_versions
from engine.models import Deployment, ModelFile, Organisation, ProcessDefinition, User
from engine.regions.regions import region_name
from engine.workflow.bundle import BPMN_NS, SourceFile
from engine.workflow.errors import ModelInvalid
from engine.workflow.xml import parse_untrusted_xml

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
REGION_PROPERTY = "regio"


def actor_region(session: Session, actor: Actor) -> str | None:
    """The region of the actor's organisation; None for the system, the beheerder and landelijke staff."""
    if actor.is_system or actor.role == Role.BEHEERDER or actor.organisation_id is None:
        return None
    return session.scalar(select(Organisation.region).where(Organisation.id == actor.organisation_id))


def declared_regions(content: bytes, filename: str) -> dict[str, str | None]:
    """process id -> the ``regio`` property on that process in a BPMN file (None when it declares none)."""
    root = parse_untrusted_xml(content, filename, len(content) + 1)
    found: dict[str, str | None] = {}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        value = None
        for prop in process.iterfind(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"):
            if prop.get("name") == REGION_PROPERTY:
                value = (prop.get("value") or "").strip() or None
        found[str(process.get("id"))] = value
    return found


def _deployer_region(session: Session, deployment: Deployment) -> str | None:
    if deployment.deployed_by_id is None:
        return None
    row = session.execute(select(User.role, Organisation.region)
                          .join(Organisation, User.organisation_id == Organisation.id)
                          .where(User.id == deployment.deployed_by_id)).first()
    if row is None or row.role == Role.BEHEERDER:
        return None
    region: str | None = row.region
    return region


def process_owner(session: Session, process_id: str) -> tuple[bool, str | None]:
    """(deployed before, owner region or None for shared)."""
    versions = list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
                                    .order_by(ProcessDefinition.version)))
    if not versions:
        return False, None
    newest = versions[-1]
    for file in sorted(newest.deployment.files, key=lambda f: (f.included_from_id is not None, f.id)):
        if file.kind != "bpmn":
            continue
        try:
            declared = declared_regions(file.content, file.filename)
        except ModelInvalid:
            continue
        if process_id in declared:
            if declared[process_id]:
                return True, declared[process_id]
            break
    return True, _deployer_region(session, versions[0].deployment)


def decision_owner(session: Session, decision_id: str) -> tuple[bool, str | None]:
    """(deployed before, owner region or None for shared): the first deployment that uploaded it decides."""
    files = session.scalars(select(ModelFile).where(ModelFile.kind == "dmn", ModelFile.included_from_id.is_(None))
                            .order_by(ModelFile.deployment_id))
    for file in files:
        if decision_id in model_versions.decision_ids(file.content, file.filename):
            return True, _deployer_region(session, file.deployment)
    return False, None


def _owned_by(region: str | None) -> str:
    return f"is van regio {region_name(region)}" if region else "wordt door alle regio's gedeeld"


def require_may_change_process(session: Session, actor: Actor, process_id: str) -> None:
    """:raises Forbidden: when the actor's region does not own this deployed process."""
    region = actor_region(session, actor)
    if region is None:
        return
    deployed, owner = process_owner(session, process_id)
    if deployed and owner != region:
        raise Forbidden(f"Proces '{process_id}' {_owned_by(owner)}; een procesregisseur van regio "
                        f"{region_name(region)} "
                        "mag het niet wijzigen of er zaken van overzetten. Vraag dat aan "
                        + (f"een procesregisseur van regio {region_name(owner)}." if owner else
                           "een landelijke procesregisseur of de beheerder."))


def who_may_change(session: Session, owner: str | None, *, limit: int = 3) -> list[str]:
    """Names of active procesregisseurs who may change a model of ``owner`` (None: shared models)."""
    query = (select(User.display_name).join(Organisation, User.organisation_id == Organisation.id)
             .where(User.role == Role.PROCESREGISSEUR, User.active.is_(True)))
    query = query.where(Organisation.region == owner) if owner else query.where(Organisation.region.is_(None))
    return [str(name) for name in session.scalars(query.order_by(User.display_name).limit(limit))]


def _ask(session: Session, owner: str | None) -> str:
    names = who_may_change(session, owner)
    whom = (f"een procesregisseur van regio {region_name(owner)}" if owner
            else "een landelijke procesregisseur of de beheerder")
    return f"Vraag een wijziging aan {whom}" + (f" ({', '.join(names)})." if names else ".")


def process_refusal(session: Session, actor: Actor, process_id: str) -> str | None:
    """Why the actor may not start a draft of this deployed process, with whom to ask; None when they may."""
    region = actor_region(session, actor)
    if region is None:
        return None
    deployed, owner = process_owner(session, process_id)
    if not deployed or owner == region:
        return None
    return f"Dit proces {_owned_by(owner)}: u kunt het bekijken maar niet wijzigen. {_ask(session, owner)}"


def decisions_refusal(session: Session, actor: Actor, decision_ids: Iterable[str]) -> str | None:
    """As :func:`process_refusal`, for a decision table file (refused when any of its decisions is not theirs)."""
    region = actor_region(session, actor)
    if region is None:
        return None
    for decision_id in decision_ids:
        deployed, owner = decision_owner(session, decision_id)
        if deployed and owner != region:
            return (f"Deze beslistabel {_owned_by(owner)}: u kunt haar bekijken maar niet wijzigen. "
                    + _ask(session, owner))
    return None


def require_may_deploy(session: Session, actor: Actor, files: Iterable[SourceFile]) -> None:
    """Every process and decision in an upload must be the actor's region's, or new.

    A regional procesregisseur may not hand a model to another region or make it shared either: a
    ``regio`` property in the upload must name their own region.

    :raises Forbidden: naming the first model that is not theirs.
    """
    region = actor_region(session, actor)
    if region is None:
        return
    for source in files:
        try:
            if source.kind == "bpmn":
                for process_id, declared in declared_regions(source.content, source.filename).items():
                    require_may_change_process(session, actor, process_id)
                    if declared is not None and declared != region:
                        raise Forbidden(f"Proces '{process_id}' krijgt in dit bestand regio '{declared}'; u mag "
                                        f"alleen modellen van regio {region_name(region)} uitrollen.")
            elif source.kind == "dmn":
                for decision_id in model_versions.decision_ids(source.content, source.filename):
                    deployed, owner = decision_owner(session, decision_id)
                    if deployed and owner != region:
                        raise Forbidden(f"Beslistabel '{decision_id}' {_owned_by(owner)}; een procesregisseur "
                                        f"van regio {region_name(region)} mag haar niet wijzigen.")
        except ModelInvalid:
            continue  # the deploy checks report the broken file with its line
