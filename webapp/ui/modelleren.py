"""Modelleren (issue 6): process versions and their history, drafts in bpmn-js/dmn-js, forms.

Only procesregisseurs and beheerders come here (every request is checked, a 403 page otherwise).
Views parse, call one service and render or answer JSON. The modeller's page talks to the
JSON endpoints with ``fetch``: the session cookie authenticates, the ``X-CSRFToken`` header
carries the CSRF token (Flask-WTF checks it like a form field), and errors come back as JSON
because the script asks for ``application/json`` (see :func:`webapp.errors.wants_json`).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from lxml import etree
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.accounts.roles import ROLE_LABELS, Role, lane_names
from engine.config import Settings
from engine.errors import Forbidden, ModelRejected, ValidationFailed
from engine.modelling import drafts, form_catalogue, form_editing, model_versions
from engine.modelling.forms import FormRepository, is_safe_name
from engine.models import ModelDraft
from engine.workflow import diff as model_diff
from webapp import db
from webapp.downloads import attachment
from webapp.security import now, ui_actor
from webapp.ui import task_form

blueprint = Blueprint("modelleren", __name__, url_prefix="/modelleren")

# No lane for these: they do no case work (engine.access.NO_CASE_WORK).
LANE_ROLES = [r for r in Role if r not in (Role.AUDITOR, Role.BEHEERDER)]
XML_MIMETYPE = "application/xml"  # BPMN and DMN have no registered media type of their own
STARTER_FORM = {
    "title": "Nieuw formulier",
    "type": "object",
    "required": ["toelichting"],
    "properties": {
        "toelichting": {"type": "string", "title": "Toelichting", "maxLength": 2000},
    },
}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["signaalroute.settings"]
    return settings


def _max_bytes() -> int:
    return _settings().max_upload_bytes


def _forms() -> FormRepository:
    forms: FormRepository = current_app.extensions["signaalroute.forms"]
    return forms


@blueprint.before_request
def _only_deployers() -> BaseResponse | None:
    """Everything here is for procesregisseurs and beheerders: log in first, a 403 page for anyone else."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if not access.can_deploy(current_user.actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag procesmodellen bekijken en wijzigen.")
    return None


@blueprint.app_context_processor
def _menu() -> dict[str, Any]:
    if current_user.is_authenticated and access.can_deploy(current_user.actor):
        return {"model_menu": [("modelleren.overzicht", "Modelleren"), ("modelleren.formulieren", "Formulieren")]}
    return {"model_menu": []}


_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def xml_text(content: bytes) -> str:
    """Stored bytes as text for the browser, decoded as the XML declares (MIWG files use Latin-1).

    The text is Unicode from here on, so its declaration says UTF-8 (what the editor saves);
    the stored bytes themselves never change.
    """
    try:
        encoding = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True,
                                                              load_dtd=False)).getroottree().docinfo.encoding
    except etree.XMLSyntaxError:
        encoding = "utf-8"
    try:
        text = content.decode(encoding or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return content.decode("utf-8", errors="replace")
    return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1)


def _download(content: bytes, filename: str) -> Response:
    return Response(content, mimetype=XML_MIMETYPE, headers={
        "Content-Disposition": attachment(filename, fallback="model.xml"),
        "X-Content-Type-Options": "nosniff",
    })


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Stuur een JSON-object.", {"body": "Ongeldig verzoek."})
    return body


def _revision(body: dict[str, Any]) -> int:
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise ValidationFailed("De versie van het concept ontbreekt.", {"revision": "Verplicht"})
    return revision


def _xml(body: dict[str, Any]) -> bytes:
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationFailed("Het model ontbreekt.", {"xml": "Verplicht"})
    return xml.encode("utf-8")


def _problem_view(draft: ModelDraft, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems as the page shows them: in this file (so markable on the canvas) or in another one."""
    return [{**p, "in_model": not p.get("file") or p.get("file") == draft.filename} for p in problems]


# --- processes and drafts -----------------------------------------------------------------------


@blueprint.get("/")
def overzicht() -> str:
    session_db, actor = db.session(), ui_actor()
    return render_template(
        "ui/modelleren/overzicht.html",
        processes=model_versions.processes(session_db, actor=actor),
        decisions=model_versions.decision_files(session_db, actor=actor),
        drafts=drafts.list_open(session_db, actor=actor),
        author=lambda d: drafts.author(session_db, d),
        max_mb=_max_bytes() / (1024 * 1024), fields={}, values={},
    )


@blueprint.post("/concepten")
def concept_maken() -> BaseResponse | tuple[str, int]:
    """A new draft: from a deployed version, from a stored file, from an upload, or empty."""
    session_db, actor, moment = db.session(), ui_actor(), now()
    source = request.form.get("bron", "")
    try:
        if source == "versie":
            draft = drafts.open_version(session_db, actor=actor, now=moment, process_id=request.form.get("proces", ""),
                                        version=request.form.get("versie", type=int) or 0, max_bytes=_max_bytes())
        elif source == "bestand":
            draft = drafts.open_file(session_db, actor=actor, now=moment,
                                     file_id=request.form.get("bestand_id", type=int) or 0, max_bytes=_max_bytes())
        elif source == "upload":
            upload = request.files.get("bestand")
            if upload is None or not upload.filename:
                raise ValidationFailed("Kies een bestand.", {"bestand": "Kies een .bpmn- of .dmn-bestand."})
            content = upload.stream.read(_max_bytes() + 1)
            draft = drafts.upload(session_db, actor=actor, now=moment, filename=upload.filename, content=content,
                                  max_bytes=_max_bytes())
        else:
            draft = drafts.create_empty(session_db, actor=actor, now=moment, kind=request.form.get("soort", ""),
                                        element_id=request.form.get("id", "").strip(),
                                        name=request.form.get("naam", ""), max_bytes=_max_bytes())
    except (ValidationFailed, ModelRejected) as exc:
        page = render_template(
            "ui/modelleren/overzicht.html", processes=model_versions.processes(session_db, actor=actor),
            decisions=model_versions.decision_files(session_db, actor=actor),
            drafts=drafts.list_open(session_db, actor=actor), author=lambda d: drafts.author(session_db, d),
            max_mb=_max_bytes() / (1024 * 1024), error=exc.message,
            problems=exc.details if isinstance(exc.details, list) else [],
            fields=exc.details if isinstance(exc.details, dict) else {}, values=request.form,
        )
        return page, 422
    return redirect(url_for("modelleren.concept", draft_id=draft.id))


@blueprint.get("/concepten/<int:draft_id>")
def concept(draft_id: int) -> str:
    session_db = db.session()
    draft = drafts.get(session_db, actor=ui_actor(), draft_id=draft_id)
    base = drafts.base_file(session_db, draft)
    return render_template("ui/modelleren/editor.html", draft=draft, base=base,
                           author=drafts.author(session_db, draft))


@blueprint.get("/concepten/<int:draft_id>/inhoud")
def concept_inhoud(draft_id: int) -> Response:
    draft = drafts.get(db.session(), actor=ui_actor(), draft_id=draft_id)
    return jsonify({"xml": xml_text(draft.content), "revision": draft.revision, "kind": draft.kind,
                    "filename": draft.filename, "deployed": draft.deployment_id is not None,
                    "problems": _problem_view(draft, draft.problems or [])
                    if draft.checked_sha256 == draft.sha256 else []})


@blueprint.post("/concepten/<int:draft_id>/opslaan")
def concept_opslaan(draft_id: int) -> Response:
    body = _json_body()
    draft = drafts.save(db.session(), actor=ui_actor(), now=now(), draft_id=draft_id, content=_xml(body),
                        revision=_revision(body), max_bytes=_max_bytes())
    return jsonify({"revision": draft.revision, "message": "Concept opgeslagen."})


@blueprint.post("/concepten/<int:draft_id>/controleren")
def concept_controleren(draft_id: int) -> Response:
    """Save what the editor shows (when sent) and run the full deploy validation on it."""
    session_db, actor, moment = db.session(), ui_actor(), now()
    body = _json_body()
    if body.get("xml") is not None:
        drafts.save(session_db, actor=actor, now=moment, draft_id=draft_id, content=_xml(body),
                    revision=_revision(body), max_bytes=_max_bytes())
    check = drafts.validate(session_db, actor=actor, now=moment, draft_id=draft_id, forms=_forms(),
                            max_bytes=_max_bytes())
    draft = drafts.get(session_db, actor=actor, draft_id=draft_id)
    return jsonify({"ok": check.ok, "revision": check.revision, "files": check.files,
                    "problems": _problem_view(draft, check.problems),
                    "warnings": _problem_view(draft, check.warnings)})


@blueprint.post("/concepten/<int:draft_id>/uitrollen")
def concept_uitrollen(draft_id: int) -> Response:
    session_db, actor = db.session(), ui_actor()
    body = _json_body()
    comment = body.get("toelichting")
    if not isinstance(comment, str):
        comment = ""
    try:
        deployment = drafts.deploy(session_db, actor=actor, now=now(), draft_id=draft_id, revision=_revision(body),
                                   comment=comment, forms=_forms(), max_bytes=_max_bytes())
    except ModelRejected as exc:
        draft = drafts.get(session_db, actor=actor, draft_id=draft_id)
        response = jsonify({"error": {"code": exc.code, "message": exc.message,
                                      "details": _problem_view(draft, exc.details or [])}})
        response.status_code = exc.status
        return response
    draft = drafts.get(session_db, actor=actor, draft_id=draft_id)
    own = drafts.deployed_definition(session_db, deployment, draft)
    versions = [f"{d.name} versie {d.version}" for d in deployment.definitions]
    flash("Uitgerold: " + "; ".join(versions) + ". Lopende zaken blijven op hun eigen versie.")
    target = (url_for("modelleren.versies", process_id=own.process_id) if own is not None
              else url_for("modelleren.overzicht"))
    return jsonify({"url": target, "deployment_id": deployment.id, "versions": versions})


@blueprint.post("/concepten/<int:draft_id>/verwijderen")
def concept_verwijderen(draft_id: int) -> BaseResponse:
    title = drafts.discard(db.session(), actor=ui_actor(), draft_id=draft_id)
    flash(f"Concept ‘{title}’ is verwijderd.")
    return redirect(url_for("modelleren.overzicht"))


@blueprint.get("/api/gegevens")
def gegevens() -> Response:
    """What the properties panel offers: roles for lanes, forms for user tasks, known decisions."""
    session_db, actor = db.session(), ui_actor()
    catalog = form_catalogue.FormCatalog(session_db, _forms())
    forms = []
    for name in catalog.names():
        try:
            title = str(catalog.load(name).get("title") or name)
        except (ValueError, FileNotFoundError):
            title = name
        forms.append({"name": name, "title": title})
    return jsonify({
        "roles": [{"value": r.value, "label": ROLE_LABELS[r], "names": lane_names(r)} for r in LANE_ROLES],
        "forms": forms,
        "decisions": model_versions.known_decisions(session_db, actor=actor),
    })


# --- versions, history, diff, download -------------------------------------------------------------


@blueprint.get("/<process_id>")
def versies(process_id: str) -> str:
    rows = model_versions.history(db.session(), actor=ui_actor(), process_id=process_id)
    return render_template("ui/modelleren/versies.html", process_id=process_id, name=rows[0].name, rows=rows)


@blueprint.get("/<process_id>/versies/<int:version>/inhoud")
def versie_inhoud(process_id: str, version: int) -> Response:
    file = model_versions.version_file(db.session(), actor=ui_actor(), process_id=process_id, version=version)
    return jsonify({"xml": xml_text(file.content), "filename": file.filename})


@blueprint.get("/<process_id>/versies/<int:version>/download")
def versie_download(process_id: str, version: int) -> Response:
    file = model_versions.version_file(db.session(), actor=ui_actor(), process_id=process_id, version=version)
    path = PurePath(file.filename)
    return _download(file.content, f"{path.stem}-v{version}{path.suffix}")


@blueprint.get("/bestanden/<int:file_id>/download")
def bestand_download(file_id: int) -> Response:
    file = model_versions.stored_file(db.session(), actor=ui_actor(), file_id=file_id)
    return _download(file.content, f"uitrol-{file.deployment_id}-{file.filename}")


@blueprint.get("/<process_id>/verschil")
def verschil(process_id: str) -> tuple[str, int]:
    return diff_page("ui/modelleren/verschil.html", process_id)


def diff_page(template: str, process_id: str, **extra: Any) -> tuple[str, int]:
    """Two versions side by side (``van``/``naar``, default the newest two); the modeller's and the
    auditor's pages differ only in their template and links."""
    session_db, actor = db.session(), ui_actor()
    rows = model_versions.history(session_db, actor=actor, process_id=process_id)
    old = request.args.get("van", type=int) or (rows[1].version if len(rows) > 1 else rows[0].version)
    new = request.args.get("naar", type=int) or rows[0].version
    errors: dict[str, str] = {}
    result = None
    try:
        result = model_versions.diff_versions(session_db, actor=actor, process_id=process_id, old=old, new=new)
    except ValidationFailed as exc:
        errors = dict(exc.details or {})
    page = render_template(template, process_id=process_id, name=rows[0].name, rows=rows,
                           old=old, new=new, result=result, errors=errors, aspects=model_diff.ASPECTS,
                           markers=json.dumps(diff_markers(result)) if result else "{}", **extra)
    return page, 422 if errors else 200


def diff_markers(result: model_versions.VersionDiff | None) -> dict[str, list[str]]:
    if result is None:
        return {}
    return {kind: result.diff.ids(kind) for kind in (model_diff.ADDED, model_diff.REMOVED, model_diff.CHANGED)}


# --- forms ----------------------------------------------------------------------------------------


@blueprint.get("/formulieren")
def formulieren() -> str:
    rows = form_editing.list_forms(db.session(), actor=ui_actor(), repository=_forms())
    return render_template("ui/modelleren/formulieren.html", rows=rows, errors={}, values={})


@blueprint.post("/formulieren/nieuw")
def formulier_nieuw() -> BaseResponse | tuple[str, int]:
    name = request.form.get("naam", "").strip()
    if name and not name.endswith(".json"):
        name += ".json"
    catalog = form_catalogue.FormCatalog(db.session(), _forms())
    error = None
    if not is_safe_name(name):
        error = "Gebruik letters, cijfers, - en _, bijvoorbeeld ‘zorg-overleg’."
    elif catalog.exists(name):
        error = "Er bestaat al een formulier met deze naam."
    if error:
        rows = form_editing.list_forms(db.session(), actor=ui_actor(), repository=_forms())
        page = render_template("ui/modelleren/formulieren.html", rows=rows, errors={"naam": error},
                               values={"naam": request.form.get("naam", "")})
        return page, 422
    return redirect(url_for("modelleren.formulier", name=name, nieuw=1))


def _preview(text: str) -> dict[str, Any]:
    """Check the typed schema and draw it with the task page's own renderer (task_form + _velden)."""
    check = form_editing.check_schema_text(text)
    fields: list[task_form.Field] = []
    unsupported: list[str] = []
    if check.schema is not None:
        fields, unsupported = task_form.fields_of(check.schema)
    return {"check": check, "fields": fields, "unsupported": unsupported,
            "title": (check.schema or {}).get("title"), "description": (check.schema or {}).get("description")}


@blueprint.route("/formulieren/<name>", methods=["GET", "POST"])
def formulier(name: str) -> tuple[str, int] | BaseResponse:
    """Edit a form's JSON Schema. Works without script: "Voorbeeld tonen" posts and redraws the preview."""
    session_db, actor = db.session(), ui_actor()
    new = request.args.get("nieuw") == "1"
    history: list[Any] = []
    if new:
        if not is_safe_name(name):
            raise ValidationFailed("Ongeldige naam voor een formulier.", {"naam": "Ongeldige naam."})
        text = json.dumps(STARTER_FORM, ensure_ascii=False, indent=2) + "\n"
    else:
        stored = form_editing.form_text(session_db, actor=actor, repository=_forms(), name=name)
        text, history = stored.text, stored.history
    errors: dict[str, str] = {}
    comment = ""
    if request.method == "POST":
        text = request.form.get("schema", "")
        comment = request.form.get("toelichting", "")
        if request.form.get("actie") == "opslaan":
            try:
                version = form_editing.save_form(session_db, actor=actor, now=now(), repository=_forms(), name=name,
                                                  text=text, comment=comment, new=new)
            except ValidationFailed as exc:
                errors = dict(exc.details or {})
            else:
                flash(f"Versie {version.version} van ‘{name}’ is opgeslagen. Processen gebruiken haar vanaf hun "
                      "volgende uitrol; lopende zaken houden hun formulier.")
                return redirect(url_for("modelleren.formulier", name=name))
    page = render_template("ui/modelleren/formulier.html", name=name, text=text, comment=comment, new=new,
                           history=history, errors=errors, **_preview(text))
    return page, 422 if errors else 200


@blueprint.post("/formulieren/voorbeeld")
def formulier_voorbeeld() -> str:
    """The preview alone (for the live preview while typing), drawn by the server."""
    return render_template("ui/modelleren/_voorbeeld.html", **_preview(request.form.get("schema", "")))


@blueprint.get("/formulieren/<name>/versies/<int:version>/download")
def formulier_download(name: str, version: int) -> Response:
    row = form_editing.form_version_bytes(db.session(), actor=ui_actor(), name=name, version=version)
    stem = PurePath(name).stem
    return Response(row.content, mimetype="application/json", headers={
        "Content-Disposition": attachment(f"{stem}-v{version}.json", fallback="formulier.json"),
        "X-Content-Type-Options": "nosniff",
    })
