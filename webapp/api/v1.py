"""JSON API v1: parse -> call one service -> serialize. Bearer-token authentication only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from engine.audit import replay
from engine.cases import assignment, intake, lifecycle, notes, saved_filters, timers, worklist
from engine.errors import ValidationFailed
from engine.modelling import deployments, form_catalogue, migration
from engine.modelling.forms import FormRepository
from engine.regions.regions import Region
from engine.workflow.bundle import SourceFile
from webapp import db, files
from webapp.api import openapi, serialize
from webapp.security import api_actor, now

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = frozenset({"api_v1.openapi_document"})


@blueprint.before_request
def _authenticate_first() -> None:
    """Who asks comes before what is asked: without a valid token every operation answers 401,
    never a 422 about a body or parameter the caller had no right to send."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        api_actor()


def _forms() -> FormRepository:
    forms: FormRepository = current_app.extensions["signaalroute.forms"]
    return forms


def _regions() -> dict[str, Region]:
    regions: dict[str, Region] = current_app.extensions["signaalroute.regions"]
    return regions


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"'{key}' moet tekst zijn.", {key: "Vul tekst in."})
    return value


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Stuur een JSON-object als body (Content-Type: application/json).",
                               {"body": "Verwacht een JSON-object"})
    return body


def _created(payload: dict[str, Any]) -> tuple[Response, int]:
    return jsonify(payload), 201


@blueprint.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())


@blueprint.get("/process-models")
def list_process_models() -> Response:
    api_actor()
    rows = deployments.list_definitions(db.session())
    return jsonify({"items": [serialize.definition(d) for d in rows]})


@blueprint.post("/process-models")
def deploy_process_models() -> tuple[Response, int]:
    actor = api_actor()
    uploads = request.files.getlist("files")
    files = [SourceFile(u.filename or "", u.stream.read()) for u in uploads]
    settings = current_app.extensions["signaalroute.settings"]
    deployment = deployments.deploy(
        db.session(), actor=actor, now=now(), files=files, comment=request.form.get("comment", ""),
        forms=_forms(), default_role=request.form.get("default_role") or None,
        max_bytes=settings.max_upload_bytes,
    )
    ignored = [w.as_dict() for w in deployments.warnings(files, max_bytes=settings.max_upload_bytes)]
    return _created({**serialize.deployment(deployment), "warnings": ignored})


@blueprint.post("/instances")
def start_case() -> tuple[Response, int]:
    actor = api_actor()
    body = _json_body()
    process_id = body.get("process_id")
    if not isinstance(process_id, str) or not process_id:
        raise ValidationFailed("Geef process_id op.", {"process_id": "Verplicht"})
    organisation = body.get("organisation")
    session = db.session()
    row = lifecycle.start_case(
        session, actor=actor, now=now(), process_id=process_id, data=body.get("data", {}),
        organisation_slug=organisation if isinstance(organisation, str) else None,
    )
    return _created(serialize.instance(lifecycle.view_of(session, row)))


@blueprint.post("/signals")
def report_signal() -> tuple[Response, int]:
    actor = api_actor()
    body = _json_body()
    melding = body.get("melding")
    if not isinstance(melding, dict):
        raise ValidationFailed("Stuur de melding als JSON-object in 'melding'.",
                               {"melding": "Verwacht een JSON-object"})
    session = db.session()
    row = intake.report_signal(session, actor=actor, now=now(), regions=_regions(), forms=_forms(), melding=melding,
                               gemeente=_optional_text(body, "gemeente"))
    return _created(serialize.instance(lifecycle.view_of(session, row)))


@blueprint.post("/advice-questions")
def ask_advice() -> tuple[Response, int]:
    actor = api_actor()
    body = _json_body()
    session = db.session()
    row = intake.ask_advice(session, actor=actor, now=now(), regions=_regions(),
                            vraag=_optional_text(body, "vraag") or "", gemeente=_optional_text(body, "gemeente"))
    return _created(serialize.instance(lifecycle.view_of(session, row)))


@blueprint.get("/instances/<int:instance_id>")
def get_case(instance_id: int) -> Response:
    view = lifecycle.get_case(db.session(), actor=api_actor(), now=now(), instance_id=instance_id)
    return jsonify(serialize.instance(view))


@blueprint.get("/instances/<int:instance_id>/history")
def case_history(instance_id: int) -> Response:
    events = lifecycle.case_history(db.session(), actor=api_actor(), now=now(), instance_id=instance_id)
    return jsonify({"items": [serialize.event(e) for e in events]})


@blueprint.get("/instances/<int:instance_id>/access-log")
def case_access_log(instance_id: int) -> Response:
    entries = lifecycle.case_access_log(db.session(), actor=api_actor(), now=now(), instance_id=instance_id)
    return jsonify({"items": [serialize.access(e) for e in entries]})


_NOTE_FIELDS = {"tekst": "text", "lezers": "readers", "bestand": "file"}


@blueprint.get("/instances/<int:instance_id>/notes")
def list_notes(instance_id: int) -> Response:
    """The notes and files of a case that the caller may read (the same rule as the case page)."""
    found = notes.visible_notes(db.session(), actor=api_actor(), instance_id=instance_id, now=now())
    return jsonify({"items": [serialize.note(instance_id, n) for n in found]})


@blueprint.post("/instances/<int:instance_id>/notes")
def add_note(instance_id: int) -> tuple[Response, int]:
    """multipart/form-data: ``text``, ``readers`` (repeated, roles on the case) and optionally ``file``."""
    actor = api_actor()
    session = db.session()
    try:
        row = notes.add_note(session, actor=actor, now=now(), instance_id=instance_id,
                             text=request.form.get("text", ""), readers=request.form.getlist("readers"),
                             upload=files.upload_of(request.files.get("file")), store=files.store(),
                             max_file_bytes=files.max_file_bytes())
    except ValidationFailed as exc:  # the messages per field under the API's own field names
        details = exc.details if isinstance(exc.details, dict) else {}
        raise ValidationFailed(exc.message, {_NOTE_FIELDS.get(k, k): v for k, v in details.items()}) from exc
    found = next(n for n in notes.visible_notes(session, actor=actor, instance_id=instance_id) if n.id == row.id)
    return _created(serialize.note(instance_id, found))


@blueprint.get("/instances/<int:instance_id>/notes/<int:note_id>/file")
def note_file(instance_id: int, note_id: int) -> Response:
    found = notes.read_file(db.session(), actor=api_actor(), now=now(), instance_id=instance_id, note_id=note_id,
                            store=files.store())
    return files.download_response(found)


@blueprint.post("/instances/<int:instance_id>/replay")
def replay_case(instance_id: int) -> Response:
    report = replay.replay_for(db.session(), actor=api_actor(), now=now(), instance_id=instance_id)
    return jsonify(report.as_dict())


MAX_VERSION = 2**31 - 1  # what the document states; larger numbers name no version


def _version(value: Any, key: str) -> int:
    """A version number: 2, "2" in a query string, or 2.0 (JSON Schema's integer includes it)."""
    if isinstance(value, str) and (value.isascii() and value.isdigit()):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_VERSION:
        raise ValidationFailed(f"Geef '{key}' op als versienummer.", {key: "Verwacht een geheel getal vanaf 1"})
    return value


@blueprint.get("/process-models/<process_id>/migration-plan")
def migration_plan(process_id: str) -> Response:
    to_version = _version(request.args.get("to_version"), "to_version")
    found = migration.plan(db.session(), actor=api_actor(), now=now(), process_id=process_id, to_version=to_version)
    return jsonify(found.as_dict())


@blueprint.post("/instances/<int:instance_id>/migrate")
def migrate_case(instance_id: int) -> Response:
    actor = api_actor()
    body = _json_body()
    expected = body.get("expected_version")
    session = db.session()
    row = migration.migrate(session, actor=actor, now=now(), instance_id=instance_id,
                            to_version=_version(body.get("to_version"), "to_version"),
                            expected_version=None if expected is None else _version(expected, "expected_version"))
    return jsonify(serialize.instance(lifecycle.view_of(session, row)))


@blueprint.post("/instances/<int:instance_id>/revert-migration")
def revert_case_migration(instance_id: int) -> Response:
    session = db.session()
    row = migration.revert(session, actor=api_actor(), now=now(), instance_id=instance_id)
    return jsonify(serialize.instance(lifecycle.view_of(session, row)))


@blueprint.get("/tasks")
def list_tasks() -> Response:
    """The werkbak's query parameters, answered by the same service: a werkbak query string works here too.

    Without ``tab`` both tabs are listed (every task you may work on), as before tabs existed.
    """
    actor = api_actor()
    query = worklist.query_from_params(request.args)
    return jsonify(serialize.worklist(worklist.search(db.session(), actor=actor, now=now(), query=query)))


@blueprint.get("/saved-filters")
def list_saved_filters() -> Response:
    rows = saved_filters.list_filters(db.session(), actor=api_actor())
    return jsonify({"items": [serialize.saved_filter(f) for f in rows]})


@blueprint.post("/saved-filters")
def save_filter() -> tuple[Response, int]:
    """Save werkbak parameters under a name; the same name again replaces that filter."""
    actor = api_actor()
    body = _json_body()
    params = body.get("params", {})
    if not isinstance(params, dict) or not all(isinstance(v, str | int) for v in params.values()):
        raise ValidationFailed("Stuur 'params' als object met tekst of getallen.", {"params": "Verwacht een object"})
    query = worklist.query_from_params({str(k): str(v) for k, v in params.items()})
    row = saved_filters.save_filter(db.session(), actor=actor, now=now(), name=_optional_text(body, "name") or "",
                                    query=query)
    return _created(serialize.saved_filter(row))


@blueprint.delete("/saved-filters/<int:filter_id>")
def delete_saved_filter(filter_id: int) -> tuple[str, int]:
    saved_filters.delete_filter(db.session(), actor=api_actor(), filter_id=filter_id)
    return "", 204


@blueprint.get("/tasks/<int:task_id>")
def get_task(task_id: int) -> Response:
    session = db.session()
    row = lifecycle.view_task(session, actor=api_actor(), now=now(), task_id=task_id)
    payload = serialize.task(row)
    payload["form_schema"] = (form_catalogue.form_for(session, row.instance.definition_id, row.form, fallback=_forms())
                              if row.form else None)
    return jsonify(payload)


@blueprint.post("/tasks/<int:task_id>/complete")
def complete_task(task_id: int) -> Response:
    actor = api_actor()
    body = _json_body()
    session = db.session()
    row = lifecycle.complete_task(session, actor=actor, now=now(), task_id=task_id,
                                  data=body.get("data", {}), forms=_forms())
    return jsonify(serialize.instance(lifecycle.view_of(session, row)))


@blueprint.post("/tasks/<int:task_id>/claim")
def claim_task(task_id: int) -> Response:
    return jsonify(serialize.task(assignment.claim(db.session(), actor=api_actor(), now=now(), task_id=task_id)))


@blueprint.post("/tasks/<int:task_id>/release")
def release_task(task_id: int) -> Response:
    return jsonify(serialize.task(assignment.release(db.session(), actor=api_actor(), now=now(), task_id=task_id)))


@blueprint.post("/tasks/<int:task_id>/assign")
def assign_task(task_id: int) -> Response:
    username = _json_body().get("username")
    if not isinstance(username, str) or not username:
        raise ValidationFailed("Geef de gebruikersnaam van de collega op.", {"username": "Verplicht"})
    task = assignment.assign(db.session(), actor=api_actor(), now=now(), task_id=task_id, username=username)
    return jsonify(serialize.task(task))


@blueprint.post("/timers/<int:timer_id>/execute")
def execute_timer(timer_id: int) -> Response:
    session = db.session()
    body = _json_body() if request.get_data() else {}  # Camunda's "execute job" sends no body
    reason = _optional_text(body, "reason") or ""
    row = timers.execute_timer(session, actor=api_actor(), now=now(), timer_id=timer_id, reason=reason)
    return jsonify(serialize.instance(lifecycle.view_of(session, row)))
