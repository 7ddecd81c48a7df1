"""Afspelen: the auditor steps through a case as replay re-executes it, one recorded event at a time.

Works without JavaScript (previous/next links and a slider in a GET form); with it, the bpmn-js viewer
draws the diagram of the recorded version with the visited elements and waiting tokens marked.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from flask_login import login_required

from engine import access
from engine.audit import case_integrity, replay_names, replay_position, replay_trace
from engine.audit.seal_key import available_verifier
from engine.cases import lifecycle
from engine.models import Case, Deployment, ModelFile, ProcessDefinition
from webapp import db
from webapp.security import now, ui_actor

blueprint = Blueprint("afspelen", __name__, url_prefix="/audit/zaken")
VIEWER = "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"


def _trace(instance_id: int) -> replay_trace.Trace:
    if not access.can_audit(ui_actor()):
        abort(403)
    return replay_trace.trace(db.session(), actor=ui_actor(), now=now(), instance_id=instance_id)


@blueprint.get("/<int:instance_id>/afspelen")
@login_required  # type: ignore[misc]
def afspelen(instance_id: int) -> str:
    trace = _trace(instance_id)
    integrity = case_integrity.check_case(db.session(), instance_id=instance_id, now=now(),
                                          verifier=available_verifier(current_app.extensions["signaalroute.settings"]))
    reference = lifecycle.reference(db.session().get(Case, instance_id))
    if not trace.steps:
        # A chain broken before its first step still has a page: it says where the replay stops and why.
        return render_template("ui/audit/afspelen_leeg.html", trace=trace, integrity=integrity, reference=reference)
    number = min(max(request.args.get("stap", 1, type=int) or 1, 1), len(trace.steps))
    step = trace.steps[number - 1]
    definition = _definition_at(instance_id, step)
    position = replay_position.describe(definition, step.active)
    text = replay_names.describe(db.session(), step, previous=trace.steps[number - 2] if number > 1 else None,
                                 definitions=_versions_until(instance_id, trace.steps[:number]),
                                 forms=current_app.extensions["signaalroute.forms"])
    return render_template("ui/audit/afspelen.html", trace=trace, step=step, number=number, total=len(trace.steps),
                           bpmn_viewer=_viewer_built(), integrity=integrity, reference=reference,
                           position=position, text=text)


def _versions_until(instance_id: int, steps: list[replay_trace.Step]) -> list[ProcessDefinition]:
    """The versions in force up to a step, newest first: elements are named from the newest that has them."""
    found: list[ProcessDefinition] = []
    for step in reversed(steps):
        definition = _definition_at(instance_id, step)
        if definition not in found:
            found.append(definition)
    return found


def _definition_at(instance_id: int, step: replay_trace.Step) -> ProcessDefinition:
    """The process version in force after a step (before a migration: the old one)."""
    session = db.session()
    found = session.get(ProcessDefinition, step.definition_id) if step.definition_id is not None else None
    if found is None:
        instance = session.get(Case, instance_id)
        if instance is None:
            abort(404)
        found = instance.definition
    return found


def _viewer_built() -> bool:
    """The viewer comes from npm via `make assets`; without it the page stays text only."""
    static = current_app.static_folder or ""
    return (Path(static) / VIEWER).is_file()


@blueprint.get("/<int:instance_id>/afspelen.json")
@login_required  # type: ignore[misc]
def afspelen_json(instance_id: int) -> Response:
    """The visits and waiting elements of every step, for the diagram."""
    trace = _trace(instance_id)
    models: dict[int, replay_position.Model] = {}  # per version, built once for all its steps
    return jsonify({"process_id": trace.process_id, "consistent": trace.consistent,
                    "steps": [_step_json(instance_id, s, models) for s in trace.steps]})


def _step_json(instance_id: int, step: replay_trace.Step,
               models: dict[int, replay_position.Model]) -> dict[str, object]:
    """One step for the diagram: visits and waiting keys of every process, and the boxes that hold a
    waiting position (``containers``) with their Dutch label, plus where each called process's diagram is."""
    definition = _definition_at(instance_id, step)
    if definition.id not in models:
        models[definition.id] = replay_position.Model(definition)
    model = models[definition.id]
    position = model.position(step.active)
    called = sorted({k.split(":", 1)[0] for k in [*step.visited, *step.active]} - {definition.process_id}
                    - set(model.embedded()))
    return {"number": step.number, "visited": step.visited, "active": step.active,
            "containers": position.containers, "labels": position.labels, "sentences": position.sentences,
            "calls": position.called, "embedded": model.embedded(),
            "processes": {pid: model.process_names.get(pid) or "een deelproces" for pid in called},
            "models": {pid: url_for("afspelen.deelmodel", instance_id=instance_id, process_id=pid,
                                    versie=definition.id) for pid in called}}


@blueprint.get("/<int:instance_id>/model.bpmn")
@login_required  # type: ignore[misc]
def model(instance_id: int) -> Response:
    """The exact BPMN file that defines the case's main process: in its current version, or (``versie``,
    a definition id of the same process) the version in force at a step before a migration."""
    if not access.can_audit(ui_actor()):
        abort(403)
    session = db.session()
    definition = _asked_version(instance_id)
    deployment = session.get(Deployment, definition.deployment_id)
    files = [f for f in (deployment.files if deployment else []) if f.kind == "bpmn"]
    wanted = f'id="{definition.process_id}"'.encode()
    found: ModelFile | None = next((f for f in files if wanted in f.content), None)
    if found is None:
        abort(404)
    return Response(found.content, mimetype="application/xml", headers={"X-Content-Type-Options": "nosniff"})


def _asked_version(instance_id: int) -> ProcessDefinition:
    """The case's current version, or (``versie``) an earlier version of the same main process."""
    session = db.session()
    instance = session.get(Case, instance_id)
    if instance is None:
        abort(404)
    definition = instance.definition
    asked = request.args.get("versie", type=int)
    if asked is not None and asked != definition.id:
        other = session.get(ProcessDefinition, asked)
        if other is None or other.process_id != definition.process_id:
            abort(404)
        definition = other
    return definition


_PROCESS_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}")


@blueprint.get("/<int:instance_id>/modellen/<process_id>.bpmn")
@login_required  # type: ignore[misc]
def deelmodel(instance_id: int, process_id: str) -> Response:
    """The BPMN file of a process the case called (or its main process), from the deployment of the
    case's version (``versie`` as for :func:`model`), so a call activity's inner diagram can be drawn."""
    if not access.can_audit(ui_actor()):
        abort(403)
    if not _PROCESS_ID.fullmatch(process_id):
        abort(404)
    definition = _asked_version(instance_id)
    if process_id not in replay_position.Model(definition).process_names:
        abort(404)  # the deployment may hold other regions' processes; only this version's own are served
    pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?process\b[^>]*\bid=\"" + re.escape(process_id.encode()) + rb"\"")
    deployment = db.session().get(Deployment, definition.deployment_id)
    for file in deployment.files if deployment else []:
        if file.kind == "bpmn" and pattern.search(file.content):
            return Response(file.content, mimetype="application/xml", headers={"X-Content-Type-Options": "nosniff"})
    abort(404)
